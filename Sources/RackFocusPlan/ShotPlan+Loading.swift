import Foundation
import RackFocusOptics
import Yams

extension ShotPlan {
    /// Loads a plan from a YAML or JSON file (JSON is read as the YAML subset it is).
    /// `-` reads the plan from standard input.
    public static func load(contentsOf path: String) throws(PlanError) -> ShotPlan {
        try parse(try text(contentsOf: path), file: path == "-" ? "stdin" : path)
    }

    /// The text of a plan (or track) file as UTF-8; `-` reads standard input. A missing file, a
    /// folder or text that is not UTF-8 is an error naming the path.
    public static func text(contentsOf path: String) throws(PlanError) -> String {
        let handle: FileHandle?
        if path == "-" { handle = FileHandle.standardInput } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw PlanError(file: path, issues: [PlanIssue(path: "", message: "no such file", fix: "check the path")])
            }
            if isDir.boolValue {
                throw PlanError(file: path, issues: [PlanIssue(path: "", message: "is a folder", fix: "give the plan file itself")])
            }
            handle = FileHandle(forReadingAtPath: path)
        }
        guard let handle, let data = try? handle.readToEnd() ?? Data(), let text = String(data: data, encoding: .utf8) else {
            throw PlanError(file: path, issues: [PlanIssue(path: "", message: "cannot read the file as UTF-8 text",
                                                           fix: "save the plan as UTF-8 YAML or JSON")])
        }
        return text
    }

    /// Parses and validates plan text. `file` only labels errors.
    public static func parse(_ text: String, file: String? = nil) throws(PlanError) -> ShotPlan {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PlanError(file: file, issues: [PlanIssue(path: "", message: "the plan is empty",
                                                               fix: "start from one of the files in examples/")])
            }
            root = node
        } catch let e as PlanError {
            throw e
        } catch let e as YamlError {
            throw PlanError(file: file, issues: [yamlIssue(e)])
        } catch {
            throw PlanError(file: file, issues: [PlanIssue(path: "", message: "not valid YAML or JSON: \(error)")])
        }
        var log = IssueLog()
        let plan = PlanBuilder.build(PlanNode(node: root, path: ""), log: &log, file: file)
        if !log.errors.isEmpty || plan == nil {
            throw PlanError(file: file, issues: log.errors)
        }
        var result = plan!
        result.warnings = log.warnings
        result.file = file
        result.depthOnlyTargets = log.needsDepth
        return result
    }

    private static func yamlIssue(_ e: YamlError) -> PlanIssue {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let where_ = context.map { " (\($0.text))" } ?? ""
            return PlanIssue(path: "", line: mark.line, column: mark.column, message: "not valid YAML or JSON: \(problem)\(where_)",
                             fix: "check indentation, colons and brackets at this line")
        default:
            return PlanIssue(path: "", message: "not valid YAML or JSON: \(e)")
        }
    }
}

/// Walks the node tree into a `ShotPlan`, recording every problem it meets.
enum PlanBuilder {
    static let topKeys = ["name", "fps", "duration", "camera", "subjects", "focus", "notes", "pace"]
    static let cameraKeys = ["sensor", "focalLength", "stop", "resolution", "coc", "minFocus", "breathing", "squeeze",
                             "aperture", "ringThrow", "lensMap", "lens"]
    static let subjectKeys = ["distance", "point", "box", "track", "note"]
    static let markKeys = ["at", "on"]
    static let rackKeys = ["rack", "from", "start", "land", "duration", "curve"]

    /// `file` (the plan's path, when it has one) places track files named relative to it.
    static func build(_ root: PlanNode, log: inout IssueLog, file: String? = nil) -> ShotPlan? {
        guard root.isMapping else {
            log.error(root.issue("a plan is a mapping of fps, camera, subjects and focus", fix: "start from one of the files in examples/"))
            return nil
        }
        log.checkKeys(root, allowed: topKeys)
        let name = root["name"]?.scalar
        let fps = log.required(root, "fps", "frame rate", example: "24") { t throws(ValueError) in try FrameRate(parsing: t) }
        let camera = root["camera"].flatMap { buildCamera($0, log: &log) }
        if root["camera"] == nil {
            log.error(PlanIssue(path: "camera", message: "missing camera",
                                fix: "add camera: { sensor: super35, focalLength: 50mm, stop: 2.8 }"))
        }
        let subjects = buildSubjects(root["subjects"], camera: camera, fps: fps, log: &log, file: file)

        guard let fps, let camera else { return nil }
        var durationStated: Double?
        if let dNode = root["duration"] {
            durationStated = log.value(dNode, "duration") { t throws(ValueError) in try TimeSpec(parsing: t).seconds(at: fps) }
            if let d = durationStated, d <= 0 { log.error(dNode.issue("duration \(d)s is not positive", fix: "write e.g. 12s")) }
        }
        var units = UnitSystem.metric
        let imperialCount = subjects.compactMap(\.distance).filter { $0.system == .imperial }.count
        if imperialCount * 2 > subjects.compactMap(\.distance).count { units = .imperial }

        guard let focusNode = root["focus"] else {
            log.error(PlanIssue(path: "focus", message: "missing focus", fix: "add focus: [ { at: 0s, on: SUBJECT } ]"))
            return nil
        }
        let dropFrame = usesDropFrame(root)
        let pace = root["pace"].map { Pace.parse($0, log: &log) } ?? .neutral
        guard focusNode.isSequence, !focusNode.items.isEmpty else {
            log.error(focusNode.issue("focus must be a list of marks and racks", fix: "write focus: [ { at: 0s, on: SUBJECT }, { rack: OTHER, start: 2s, duration: 1s } ]"))
            return nil
        }
        let errorsBeforePresets = log.errors.count
        let items = PresetExpander(fps: fps, camera: camera, subjects: subjects, pace: pace, units: units).expand(focusNode.items, log: &log)
        // A preset that failed leaves no entries: focus then has no start, which is no news.
        if items.isEmpty && log.errors.count > errorsBeforePresets { return nil }
        guard let curve = buildCurve(items, fps: fps, camera: camera, subjects: subjects, duration: durationStated, log: &log) else {
            return nil
        }
        let lastEnd = curve.moves.map(\.end).max() ?? 0
        let duration = durationStated ?? (lastEnd + 1)
        let scale = buildScale(root["camera"]!, camera: camera, log: &log)
        var plan = ShotPlan(name: name, fps: fps, dropFrame: dropFrame && fps.supportsDropFrame, duration: duration,
                            durationIsStated: durationStated != nil, camera: camera, focusScale: scale, subjects: subjects,
                            curve: curve, warnings: [], units: units)
        if items.contains(where: { $0.generated != nil }) {
            plan.expandedFocus = items.map { i in i.generated.map { ($0.text, $0.comment) } ?? (flowText(i.node), nil) }
        }
        return plan
    }

    static func usesDropFrame(_ node: PlanNode) -> Bool {
        if let s = node.scalar { return s.contains(";") && s.contains(":") }
        return node.entries.contains { usesDropFrame($0.value) } || node.items.contains { usesDropFrame($0) }
    }

    // MARK: camera

    static func buildCamera(_ node: PlanNode, log: inout IssueLog) -> Camera? {
        guard node.isMapping else {
            log.error(node.issue("camera must be a mapping", fix: "write camera: { sensor: super35, focalLength: 50mm, stop: 2.8 }"))
            return nil
        }
        log.checkKeys(node, allowed: cameraKeys)
        var sensor: Sensor?
        if let sNode = node["sensor"] {
            if sNode.isMapping {
                log.checkKeys(sNode, allowed: ["width", "height", "coc"])
                let w = log.required(sNode, "width", "sensor width", example: "24.89mm") { t throws(ValueError) in try Length.millimeters(parsing: t) }
                let h = log.required(sNode, "height", "sensor height", example: "18.66mm") { t throws(ValueError) in try Length.millimeters(parsing: t) }
                if let w, let h {
                    if w <= 0 || h <= 0 || w > 100 || h > 100 {
                        log.error(sNode.issue("sensor \(w) × \(h) mm is not a real sensor size", fix: "give width and height in mm, e.g. 24.89mm × 18.66mm"))
                    } else { sensor = .custom(widthMM: w, heightMM: h) }
                }
            } else {
                sensor = log.value(sNode, "sensor name") { t throws(ValueError) in try Sensor.preset(named: t) }
            }
        } else {
            log.error(PlanIssue(path: "camera.sensor", line: node.line, message: "missing sensor",
                                fix: "add sensor: with one of \(Sensor.presetNames.joined(separator: ", "))"))
        }
        let focal = log.required(node, "focalLength", "focal length", example: "50mm") { t throws(ValueError) in try Length.millimeters(parsing: t) }
        if let f = focal, !(1...2000).contains(f) {
            log.error(node["focalLength"]!.issue("focal length \(f) mm is outside 1-2000 mm", fix: "write e.g. 50mm"))
        }
        let stop = log.required(node, "stop", "stop", example: "2.8") { t throws(ValueError) in try Stop(parsing: t) }
        var resolution = Resolution(width: 1920, height: 1080)
        if let r = log.value(node["resolution"], "resolution", parse: { t throws(ValueError) in try Resolution(parsing: t) }) { resolution = r }
        guard let sensor, let focal, let stop, (1...2000).contains(focal) else { return nil }

        var coc: Double?
        if let cNode = node["coc"] {
            coc = log.value(cNode, "circle of confusion") { t throws(ValueError) in
                try CircleOfConfusion.millimeters(parsing: t, sensorWidthMM: sensor.widthMM, delivery: resolution)
            }
        }
        let minFocus: Distance? = log.value(node["minFocus"], "minimum focus") { t throws(ValueError) in try Distance(parsing: t) }
        if let m = minFocus, m.meters <= focal / 1000 {
            log.error(node["minFocus"]!.issue("minimum focus \(m) is not beyond the focal length", fix: "write the close-focus distance from the lens's spec sheet"))
        }
        var breathing = 0.0
        if let b = log.value(node["breathing"], "breathing coefficient", parse: { t throws(ValueError) in try number(t, "breathing coefficient", fix: "write a number such as 0.3 (0 = none, 1 = thin lens)") }) {
            if abs(b) > 5 { log.error(node["breathing"]!.issue("breathing \(b) is outside -5…5", fix: "0 = none, 1 = thin-lens breathing")) }
            else { breathing = b }
        }
        var squeeze = 1.0
        if let s = log.value(node["squeeze"], "anamorphic squeeze", parse: { t throws(ValueError) in try number(t.replacingOccurrences(of: "x", with: ""), "squeeze", fix: "write 1.33, 1.5, 1.8 or 2") }) {
            if s < 1 || s > 3 { log.error(node["squeeze"]!.issue("squeeze \(s) is outside 1-3", fix: "write 1 for spherical, 1.33, 1.5, 1.8 or 2 for anamorphic")) }
            else { squeeze = s }
        }
        var aperture = ApertureShape.circle
        if let aNode = node["aperture"] {
            log.checkKeys(aNode, allowed: ["blades", "rotation", "curvature"])
            if let b = log.value(aNode["blades"], "blade count", parse: { t throws(ValueError) in
                guard let n = Int(t), n == 0 || (3...32).contains(n) else { throw ValueError("\"\(t)\" is not a blade count", fix: "write 0 (circular) or 3-32") }
                return n
            }) { aperture.blades = b }
            if let r = log.value(aNode["rotation"], "rotation", parse: { t throws(ValueError) in try number(t.replacingOccurrences(of: "deg", with: "").replacingOccurrences(of: "°", with: ""), "rotation", fix: "write degrees, e.g. 15deg") }) { aperture.rotationDegrees = r }
            if let c = log.value(aNode["curvature"], "curvature", parse: { t throws(ValueError) in try number(t, "curvature", fix: "write 0 (straight) to 1 (round)") }) {
                if (0...1).contains(c) { aperture.curvature = c } else { log.error(aNode["curvature"]!.issue("curvature \(c) is outside 0-1", fix: "write 0 (straight blades) to 1 (round)")) }
            }
        }
        return Camera(sensor: sensor, focalLengthMM: focal, stop: stop, cocMM: coc, resolution: resolution,
                      squeeze: squeeze, breathing: breathing, minFocus: minFocus, aperture: aperture)
    }

    static func buildScale(_ node: PlanNode, camera: Camera, log: inout IssueLog) -> FocusScale {
        var throwDegrees = FocusScale.defaultThrowDegrees
        if let t = log.value(node["ringThrow"], "ring throw", parse: { t throws(ValueError) in try number(t.replacingOccurrences(of: "deg", with: "").replacingOccurrences(of: "°", with: ""), "ring throw", fix: "write degrees, e.g. 300deg") }) {
            if t > 0 && t <= 720 { throwDegrees = t } else { log.error(node["ringThrow"]!.issue("ring throw \(t)° is outside 0-720°", fix: "write e.g. 300deg")) }
        }
        guard let mapNode = node["lensMap"] ?? node["lens"] else {
            return .generic(closeFocus: camera.minFocus, throwDegrees: throwDegrees)
        }
        guard mapNode.isSequence else {
            log.error(mapNode.issue("a lens map is a list of marks", fix: "write lensMap: [ {distance: 0.45m, angle: 300}, {distance: inf, angle: 0} ]"))
            return .generic(closeFocus: camera.minFocus, throwDegrees: throwDegrees)
        }
        var points: [LensMap.Point] = []
        for item in mapNode.items {
            log.checkKeys(item, allowed: ["distance", "angle"])
            let d = log.required(item, "distance", "distance", example: "1.2m") { t throws(ValueError) in try Distance(parsing: t) }
            let a = log.required(item, "angle", "ring angle", example: "120") { t throws(ValueError) in try number(t.replacingOccurrences(of: "deg", with: "").replacingOccurrences(of: "°", with: ""), "angle", fix: "write degrees, e.g. 120") }
            if let d, let a { points.append(LensMap.Point(distance: d, angleDegrees: a)) }
        }
        do { return .calibrated(try LensMap(points: points)) } catch {
            log.error(mapNode.issue(error))
            return .generic(closeFocus: camera.minFocus, throwDegrees: throwDegrees)
        }
    }

    // MARK: subjects

    static func buildSubjects(_ node: PlanNode?, camera: Camera?, fps: FrameRate?, log: inout IssueLog, file: String? = nil) -> [Subject] {
        guard let node else {
            log.error(PlanIssue(path: "subjects", message: "missing subjects", fix: "add subjects: { hero: { distance: 2m } }"))
            return []
        }
        guard node.isMapping else {
            log.error(node.issue("subjects must be a mapping of names", fix: "write subjects: { hero: { distance: 2m } }"))
            return []
        }
        var result: [Subject] = []
        for (name, sNode) in node.entries {
            var distance: Distance?, point: ImagePoint?, box: ImageBox?, track: [TrackKey]?
            if let text = sNode.scalar {
                // Shorthand: `hero: 2m`.
                do { distance = try Distance(parsing: text) } catch { log.error(sNode.issue(error)) }
            } else if sNode.isMapping {
                log.checkKeys(sNode, allowed: subjectKeys)
                distance = log.value(sNode["distance"], "distance") { t throws(ValueError) in try Distance(parsing: t) }
                if let p = sNode["point"] {
                    if let v = normalisedNumbers(p, count: 2, log: &log) { point = ImagePoint(x: v[0], y: v[1]) }
                }
                if let b = sNode["box"] { box = imageBox(b, log: &log) }
                if let t = sNode["track"] {
                    track = t.scalar == nil ? buildTrack(t, fps: fps, log: &log) : trackFile(t, plan: file, log: &log)
                }
                if [point != nil, box != nil, track != nil].filter({ $0 }).count > 1 {
                    log.error(sNode.issue("subject \(name) has more than one of point, box and track", fix: "keep one: a track for a subject that moves, otherwise a point or a box"))
                }
                if distance == nil && point == nil && box == nil && track == nil && sNode["distance"] == nil
                    && sNode["point"] == nil && sNode["box"] == nil && sNode["track"] == nil {
                    log.error(sNode.issue("subject \(name) has no distance, point, box or track", fix: "add distance: 2m, or point: [x, y] to read it from a depth map"))
                }
            } else {
                log.error(sNode.issue("subject \(name) must be a distance or a mapping", fix: "write \(name): { distance: 2m }"))
            }
            if let d = distance, let dNode = sNode["distance"] ?? (sNode.scalar != nil ? sNode : nil) {
                if let issue = distanceProblem(d, camera: camera, node: dNode) {
                    if issue.isError { log.error(issue.issue) } else { log.warn(issue.issue) }
                }
            }
            result.append(Subject(name: name, distance: distance, point: point, box: box, track: track))
        }
        if result.isEmpty { log.error(node.issue("no subjects", fix: "add at least one, e.g. hero: { distance: 2m }")) }
        return result
    }

    static func imageBox(_ node: PlanNode, log: inout IssueLog) -> ImageBox? {
        guard let v = normalisedNumbers(node, count: 4, log: &log) else { return nil }
        if v[0] + v[2] > 1.0001 || v[1] + v[3] > 1.0001 || v[2] <= 0 || v[3] <= 0 {
            log.error(node.issue("box [\(v.map { String($0) }.joined(separator: ", "))] leaves the image", fix: "x + w and y + h must stay within 1"))
            return nil
        }
        return ImageBox(x: v[0], y: v[1], width: v[2], height: v[3])
    }

    /// `track: [ { at: 0s, box: [x, y, w, h] }, { at: 2s, box: [...] }, ... ]`, keys in time order
    /// (times in any form a cue takes, resolved at the plan's rate).
    static func buildTrack(_ node: PlanNode, fps: FrameRate?, log: inout IssueLog, extraKeys: [String] = []) -> [TrackKey]? {
        let fix = "write track: [ { at: 0s, box: [0.4, 0.3, 0.2, 0.5] }, { at: 2s, box: [0.5, 0.3, 0.2, 0.5] } ]"
        guard node.isSequence, !node.items.isEmpty else { log.error(node.issue("a track is a list of keys", fix: fix)); return nil }
        var keys: [TrackKey] = []
        var ok = true
        for item in node.items {
            guard item.isMapping else { log.error(item.issue("a track key is a mapping", fix: fix)); ok = false; continue }
            log.checkKeys(item, allowed: ["at", "point", "box"] + extraKeys)
            let text = item["at"]?.scalar
            var time: Double?
            if let text {
                do { time = try fps.map { r throws(ValueError) in try TimeSpec(parsing: text).seconds(at: r) } } catch { log.error(item["at"]!.issue(error)) }
                if let t = time, t < 0 { log.error(item["at"]!.issue("time \(fmt(t))s is before the shot starts", fix: "times count from 0s")); time = nil }
            } else { log.error(item.issue("a track key needs at:", fix: fix)) }
            var region: ImageBox?
            if let p = item["point"], let v = normalisedNumbers(p, count: 2, log: &log) { region = ImageBox(x: v[0], y: v[1], width: 0, height: 0) }
            if let b = item["box"] { region = imageBox(b, log: &log) }
            if item["point"] != nil && item["box"] != nil { log.error(item.issue("a track key has a point or a box, not both", fix: fix)) }
            if item["point"] == nil && item["box"] == nil { log.error(item.issue("a track key needs a point or a box", fix: fix)) }
            guard let time, let region else { ok = false; continue }
            if let last = keys.last, time <= last.time {
                log.error(item["at"]!.issue("track keys must be in time order: \(fmt(time))s comes after \(fmt(last.time))s", fix: "sort the keys by at:"))
                ok = false
            }
            keys.append(TrackKey(time: time, region: region))
        }
        if keys.contains(where: { $0.region.isPoint }) && keys.contains(where: { !$0.region.isPoint }) {
            log.error(node.issue("a track mixes points and boxes", fix: "use boxes throughout, or points throughout"))
            ok = false
        }
        return ok ? keys : nil
    }

    /// `track: hero.track.yaml`: the keys of a file `rackfocus track` wrote (YAML or JSON), named
    /// relative to the plan. Its times are read at the file's own `fps`.
    static func trackFile(_ node: PlanNode, plan: String?, log: inout IssueLog) -> [TrackKey]? {
        let name = node.scalar!
        let base = plan.map { ($0 as NSString).deletingLastPathComponent } ?? ""
        let path = name.hasPrefix("/") || base.isEmpty ? name : (base as NSString).appendingPathComponent(name)
        let text: String
        do { text = try ShotPlan.text(contentsOf: path) } catch {
            log.error(node.issue("cannot read the track file \(path) (\(error.issues.first?.message ?? "unreadable"))",
                                 fix: "write it with rackfocus track CLIP --box x,y,w,h --at TIME -o \(name); paths are relative to the plan"))
            return nil
        }
        guard let root = (try? Yams.compose(yaml: text)).flatMap({ $0 }).map({ PlanNode(node: $0, path: "") }),
              let keys = root["track"] else {
            log.error(node.issue("\(path) is not a track file (no track: list)", fix: "give a file written by rackfocus track"))
            return nil
        }
        var inner = IssueLog()
        let fps = inner.value(root["fps"], "frame rate") { t throws(ValueError) in try FrameRate(parsing: t) }
        if root["fps"] == nil { inner.error(root.issue("missing fps", fix: "add fps: 24 (the clip's rate)")) }
        let track = fps.flatMap { buildTrack(keys, fps: $0, log: &inner, extraKeys: ["confidence", "frame", "state"]) }
        for e in inner.errors {
            log.error(node.issue("\(path)\(e.line.map { ":\($0)" } ?? ""): \(e.description)", fix: ""))
        }
        return inner.errors.isEmpty ? track : nil
    }

    /// Negative, zero, or inside close focus.
    static func distanceProblem(_ d: Distance, camera: Camera?, node: PlanNode) -> (issue: PlanIssue, isError: Bool)? {
        if d.meters <= 0 {
            return (node.issue("distance \(d) is not in front of the lens", fix: "distances are measured from the lens and must be positive"), true)
        }
        guard let camera, !d.isInfinite, d.meters < camera.minFocus.meters else { return nil }
        if camera.minFocusIsStated {
            return (node.issue("\(d) is closer than the lens's minimum focus \(camera.minFocus.printed(in: d.system))",
                               fix: "move the subject back, use a diopter, or correct camera.minFocus"), true)
        }
        return (node.issue("\(d) is closer than a typical \(Int(camera.focalLengthMM)) mm lens focuses (\(camera.minFocus.printed(in: d.system)))",
                           fix: "set camera.minFocus from the lens's spec sheet to silence this"), false)
    }

    static func normalisedNumbers(_ node: PlanNode, count: Int, log: inout IssueLog) -> [Double]? {
        let items = node.items
        let values = items.compactMap { $0.scalar.flatMap(Double.init) }
        guard items.count == count, values.count == count else {
            log.error(node.issue("expected \(count) numbers", fix: count == 2 ? "write point: [0.5, 0.4] (x, y from the top-left, 0-1)" : "write box: [x, y, w, h] normalised 0-1"))
            return nil
        }
        guard values.allSatisfy({ (0...1).contains($0) }) else {
            log.error(node.issue("coordinates must be normalised 0-1", fix: "divide pixel positions by the image width and height"))
            return nil
        }
        return values
    }

    static func number(_ text: String, _ what: String, fix: String) throws(ValueError) -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw ValueError("\"\(text)\" is not a \(what)", fix: fix)
        }
        return v
    }

    // MARK: focus

    /// A node as one line of flow YAML, as `plan --expand` prints entries it did not generate.
    static func flowText(_ n: PlanNode) -> String {
        if n.isMapping { return "{ " + n.entries.map { "\($0.key): \(flowText($0.value))" }.joined(separator: ", ") + " }" }
        if n.isSequence { return "[" + n.items.map(flowText).joined(separator: ", ") + "]" }
        return PresetExpander.Entry.quoted(n.scalar ?? "~")
    }

    /// The focus timeline from focus entries (presets already expanded). Moves keep the index of
    /// the entry they came from in the file, so messages name it.
    static func buildCurve(_ items: [FocusItem], fps: FrameRate, camera: Camera, subjects: [Subject], duration: Double?,
                           log: inout IssueLog) -> FocusCurve? {
        let errorsBefore = log.errors.count
        var initial: (FocusTarget, Distance)?
        var current: (FocusTarget, Distance)?
        var moves: [FocusCurve.Move] = []
        var lastEnd = 0.0
        var lastEndPath = ""
        func time(_ n: PlanNode?) -> Double? {
            log.value(n, "time") { t throws(ValueError) in try TimeSpec(parsing: t).seconds(at: fps) }
        }
        func target(_ n: PlanNode?) -> (FocusTarget, Distance)? {
            guard let n else { return nil }
            guard let text = n.scalar else { log.error(n.issue("expected a subject name or a distance")); return nil }
            if let s = subjects.first(where: { $0.name == text }) {
                guard let d = s.distance else {
                    guard s.hasImagePosition else { return nil }  // reported with the subject
                    log.needsDepth.append(n.issue("subject \(text) is placed in the image but has no measured distance",
                                                  fix: "give a depth map (--depth) to read it, or add distance: to subjects.\(text)"))
                    return (.subject(text), Distance(meters: .nan))
                }
                return (.subject(text), d)
            }
            if let d = try? Distance(parsing: text) {
                if let p = distanceProblem(d, camera: camera, node: n) {
                    if p.isError { log.error(p.issue); return nil } else { log.warn(p.issue) }
                }
                return (.distance(d), d)
            }
            let known = subjects.map(\.name)
            let hint = closestName(to: text, in: known).map { "did you mean \($0)? " } ?? ""
            log.error(n.issue("unknown subject \"\(text)\"", fix: "\(hint)subjects are: \(known.joined(separator: ", ")); or write a distance such as 3m"))
            return nil
        }

        /// Whether a mark among the first `n` entries failed: with no start for focus, that
        /// mark's own error (or its subject's) is the news, not its absence.
        func markFailed(before n: Int) -> Bool { initial == nil && items[..<n].contains { $0.node["on"] != nil } }

        for (index, focusItem) in items.enumerated() {
            let item = focusItem.node, entry = focusItem.source
            guard item.isMapping else { log.error(item.issue("a focus entry is a mapping", fix: "write { at: 0s, on: SUBJECT } or { rack: SUBJECT, start: 2s, duration: 1s }")); continue }
            if item["on"] != nil || item["at"] != nil, item["rack"] == nil {
                log.checkKeys(item, allowed: markKeys)
                guard let on = item["on"] else { log.error(item.issue("a mark needs on:", fix: "write { at: 0s, on: SUBJECT }")); continue }
                let at = item["at"] == nil ? (index == 0 ? 0 : nil) : time(item["at"])
                if item["at"] == nil && index > 0 { log.error(item.issue("a mark after the first needs at:", fix: "write { at: 4s, on: SUBJECT }")) }
                guard let t = target(on), let at else { continue }
                if at < 0 { log.error(item["at"]!.issue("time \(at)s is before the shot starts", fix: "times count from 0s")); continue }
                if let duration, at > duration { log.error(item["at"]!.issue("mark at \(fmt(at))s is past the end of the shot (\(fmt(duration))s)", fix: "move it earlier or lengthen duration")) }
                if let cur = current {
                    if at < lastEnd {
                        log.error(item["at"]!.issue("mark at \(fmt(at))s falls before \(lastEndPath) ends at \(fmt(lastEnd))s", fix: "list focus entries in time order, after the rack lands"))
                        continue
                    }
                    if cur.1.meters.isNaN || t.1.meters.isNaN ? cur.0 != t.0 : cur.1 != t.1 {
                        log.warn(item.issue("focus jumps from \(cur.0) to \(t.0) at \(fmt(at))s with no rack", fix: "use { rack: \(t.0), start: …, duration: … } for a visible move"))
                    }
                    moves.append(.init(entry: entry, kind: .cut, start: at, end: at, from: cur.0, to: t.0, fromDistance: cur.1,
                                       toDistance: t.1, easing: .linear))
                    lastEnd = at
                    lastEndPath = item.path
                } else {
                    if at > 0 { log.warn(item.issue("the first mark is at \(fmt(at))s; focus holds on \(t.0) from 0s")) }
                    initial = t
                }
                current = t
                continue
            }
            guard let rackNode = item["rack"] else {
                log.error(item.issue("a focus entry is a mark { at, on } or a rack { rack, start|land, duration }",
                                     fix: "add on: SUBJECT or rack: SUBJECT"))
                continue
            }
            log.checkKeys(item, allowed: rackKeys)
            let to = target(rackNode)
            var from = current
            if let fNode = item["from"] {
                from = target(fNode)
                if from == nil { continue }
            }
            guard let to else { continue }
            guard let fromMark = from else {
                if !markFailed(before: index) {
                    log.error(item.issue("focus has nowhere to start from", fix: "begin focus with { at: 0s, on: SUBJECT } or give this rack from: SUBJECT"))
                }
                continue
            }
            let startT = item["start"].flatMap { time($0) }
            let landT = item["land"].flatMap { time($0) }
            var dur = item["duration"].flatMap { time($0) }
            if item["start"] != nil && startT == nil || item["land"] != nil && landT == nil || item["duration"] != nil && dur == nil { continue }
            if let d = dur, d <= 0 { log.error(item["duration"]!.issue("duration \(fmt(d))s is not positive", fix: "write e.g. 1.5s or 36f")); continue }
            let start: Double, end: Double
            switch (startT, landT, dur) {
            case let (s?, l?, nil):
                guard l > s else { log.error(item.issue("lands at \(fmt(l))s, before it starts at \(fmt(s))s", fix: "swap start and land")); continue }
                start = s; end = l; dur = l - s
            case let (s?, nil, d?): start = s; end = s + d
            case let (nil, l?, d?): start = l - d; end = l
            case (.some, .some, .some):
                log.error(item.issue("start, land and duration are all given", fix: "time a rack by start or by land, with a duration")); continue
            case (nil, nil, _):
                log.error(item.issue("a rack needs a cue", fix: "add start: 00:00:04:12 (when the move begins) or land: 5s (when it arrives)")); continue
            default:
                log.error(item.issue("a rack needs a duration", fix: "add duration: 1.5s or 36f")); continue
            }
            let curveName = item["curve"]?.scalar ?? "ease-in-out"
            var easing = Easing.easeInOut
            if let e = Easing(name: curveName) { easing = e } else {
                log.error((item["curve"] ?? item).issue("unknown curve \"\(curveName)\"", fix: "use one of \(Easing.allCases.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            let cue = item["start"] ?? item["land"]!
            if start < 0 {
                log.error(cue.issue("this rack would start at \(fmt(start))s, before the shot begins", fix: "land it later or shorten it"))
                continue
            }
            if initial == nil {
                // A rack with `from:` may open the plan: focus holds on `from` until it starts.
                initial = fromMark
            } else if start < lastEnd {
                log.error(cue.issue("this rack starts at \(fmt(start))s, before \(lastEndPath) ends at \(fmt(lastEnd))s (overlapping moves)",
                                    fix: "start it at \(fmt(lastEnd))s or later, or shorten the earlier move"))
                continue
            }
            if let duration, end > duration + 1e-9 {
                log.error(cue.issue("this rack lands at \(fmt(end))s, past the end of the shot (\(fmt(duration))s)",
                                    fix: "land it by \(fmt(duration))s or lengthen duration"))
                continue
            }
            if let cur = current, item["from"] != nil, cur.0 != fromMark.0, cur.1 != fromMark.1 {
                log.warn(item["from"]!.issue("focus is on \(cur.0), but this rack starts from \(fromMark.0): it will jump at \(fmt(start))s"))
            }
            if fromMark.0 == to.0 || fromMark.1 == to.1 {
                log.warn(item.issue("rack to \(to.0) does not move focus: it is already there"))
            }
            moves.append(.init(entry: entry, kind: .rack, start: start, end: end, from: fromMark.0, to: to.0,
                               fromDistance: fromMark.1, toDistance: to.1, easing: easing))
            current = to
            lastEnd = end
            lastEndPath = item.path
        }
        guard log.errors.count == errorsBefore, let initial else {
            if log.errors.count == errorsBefore && !markFailed(before: items.count) {
                log.error(PlanIssue(path: "focus", message: "focus never says where to start", fix: "begin with { at: 0s, on: SUBJECT }"))
            }
            return nil
        }
        return FocusCurve(initialTarget: initial.0, initial: initial.1, moves: moves)
    }

    static func fmt(_ t: Double) -> String {
        let s = String(format: "%.3f", t)
        var out = s
        while out.hasSuffix("0") { out.removeLast() }
        if out.hasSuffix(".") { out.removeLast() }
        return out
    }
}
