import Foundation
import RackFocusOptics

/// Walks the node tree into a `ShotPlan`, recording every problem it meets.
enum PlanBuilder {
    static let topKeys = ["name", "fps", "duration", "camera", "subjects", "focus", "notes", "pace"]
    static let cameraKeys = [
        "sensor", "focalLength", "stop", "resolution", "coc", "minFocus", "breathing", "squeeze",
        "catEye", "aperture", "ringThrow", "lensMap", "lens",
    ]
    static let subjectKeys = ["distance", "point", "box", "track", "note"]

    /// `file` (the plan's path, when it has one) places track files named relative to it.
    static func build(_ root: PlanNode, log: inout IssueLog, file: String? = nil) -> ShotPlan? {
        guard root.isMapping else {
            log.error(
                root.issue(
                    "a plan is a mapping of fps, camera, subjects and focus",
                    fix: "start from one of the files in examples/"))
            return nil
        }
        log.checkKeys(root, allowed: topKeys)
        let name = root["name"]?.scalar
        let fps = log.required(root, "fps", "frame rate", example: "24") { t throws(ValueError) in
            try FrameRate(parsing: t)
        }
        let camera = root["camera"].flatMap { buildCamera($0, log: &log) }
        if root["camera"] == nil {
            log.error(
                PlanIssue(
                    path: "camera", message: "missing camera",
                    fix: "add camera: { sensor: super35, focalLength: 50mm, stop: 2.8 }"))
        }
        let subjects = buildSubjects(root["subjects"], camera: camera, fps: fps, log: &log, file: file)

        guard let fps, let camera else { return nil }
        var durationStated: Double?
        if let dNode = root["duration"] {
            durationStated = log.value(dNode, "duration") { t throws(ValueError) in
                try TimeSpec(parsing: t).seconds(at: fps)
            }
            if let d = durationStated, d <= 0 {
                log.error(dNode.issue("duration \(d)s is not positive", fix: "write e.g. 12s"))
            }
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
            log.error(
                focusNode.issue(
                    "focus must be a list of marks and racks",
                    fix: "write focus: [ { at: 0s, on: SUBJECT }, { rack: OTHER, start: 2s, duration: 1s } ]"))
            return nil
        }
        func tooMany(_ count: Int, _ what: String) -> Bool {
            guard count > Limits.maxFocusEntries else { return false }
            log.error(
                focusNode.issue(
                    "\(count) \(what); a plan holds at most \(Limits.maxFocusEntries) marks and racks",
                    fix: "split the shot into several plans"))
            return true
        }
        if tooMany(focusNode.items.count, "entries under focus") { return nil }
        let errorsBeforePresets = log.errors.count
        let items = PresetExpander(fps: fps, camera: camera, subjects: subjects, pace: pace, units: units).expand(
            focusNode.items, log: &log)
        if tooMany(items.count, "marks and racks once the presets are expanded") { return nil }
        // A preset that failed leaves no entries: focus then has no start, which is no news.
        if items.isEmpty && log.errors.count > errorsBeforePresets { return nil }
        guard
            let curve = FocusTimeline.build(
                items, fps: fps, camera: camera, subjects: subjects, duration: durationStated, log: &log)
        else {
            return nil
        }
        let lastEnd = curve.moves.map(\.end).max() ?? 0
        let duration = durationStated ?? (lastEnd + 1)
        let scale = buildScale(root["camera"]!, camera: camera, log: &log)
        var plan = ShotPlan(
            name: name, fps: fps, dropFrame: dropFrame && fps.supportsDropFrame, duration: duration,
            durationIsStated: durationStated != nil, camera: camera, focusScale: scale, subjects: subjects,
            curve: curve, warnings: [], units: units)
        if items.contains(where: \.generated) {
            plan.expandedFocus = items.map { ($0.text, $0.comment) }
        }
        return plan
    }

    static func usesDropFrame(_ node: PlanNode) -> Bool {
        if let s = node.scalar { return s.contains(";") && s.contains(":") }
        return node.entries.contains { usesDropFrame($0.value) } || node.items.contains { usesDropFrame($0) }
    }

    /// Negative, zero, or inside close focus.
    static func distanceProblem(_ d: Distance, camera: Camera?, place node: Place) -> (issue: PlanIssue, isError: Bool)?
    {
        if d.meters <= 0 {
            return (
                node.issue(
                    "distance \(d) is not in front of the lens",
                    fix: "distances are measured from the lens and must be positive"), true
            )
        }
        // Within twice the focal length the image would be larger than life (beyond 1:1 macro),
        // and at the focal length the thin-lens blur is infinite: no plan focuses there.
        if let camera, !d.isInfinite, d.meters <= 2 * camera.focalLengthMM / 1000 {
            return (
                node.issue(
                    "\(d) is within twice the \(Length.format(millimeters: camera.focalLengthMM)) focal length, closer than life-size macro",
                    fix: "distances are from the lens to the subject; check the unit (m, not mm)"), true
            )
        }
        guard let camera, !d.isInfinite, d.meters < camera.minFocus.meters else { return nil }
        if camera.minFocusIsStated {
            return (
                node.issue(
                    "\(d) is closer than the lens's minimum focus \(camera.minFocus.printed(in: d.system))",
                    fix: "move the subject back, use a diopter, or correct camera.minFocus"), true
            )
        }
        return (
            node.issue(
                "\(d) is closer than a typical \(Int(camera.focalLengthMM)) mm lens focuses (\(camera.minFocus.printed(in: d.system)))",
                fix: "set camera.minFocus from the lens's spec sheet to silence this"), false
        )
    }

    static func normalisedNumbers(_ node: PlanNode, count: Int, log: inout IssueLog) -> [Double]? {
        let items = node.items
        let values = items.compactMap { $0.scalar.flatMap(Double.init) }
        guard items.count == count, values.count == count else {
            log.error(
                node.issue(
                    "expected \(count) numbers",
                    fix: count == 2
                        ? "write point: [0.5, 0.4] (x, y from the top-left, 0-1)"
                        : "write box: [x, y, w, h] normalised 0-1"))
            return nil
        }
        guard values.allSatisfy({ (0...1).contains($0) }) else {
            log.error(
                node.issue(
                    "coordinates must be normalised 0-1", fix: "divide pixel positions by the image width and height"))
            return nil
        }
        return values
    }

    static func number(_ text: String, _ what: String, fix: String) throws(ValueError) -> Double {
        guard let v = Limits.decimal(text) else {
            throw ValueError("\"\(text)\" is not a \(what)", fix: fix)
        }
        return v
    }

    /// A node as one line of flow YAML, as `plan --expand` prints entries it did not generate.
    static func flowText(_ n: PlanNode) -> String {
        if n.isMapping {
            return "{ " + n.entries.map { "\($0.key): \(flowText($0.value))" }.joined(separator: ", ") + " }"
        }
        if n.isSequence { return "[" + n.items.map(flowText).joined(separator: ", ") + "]" }
        return FocusEntry.quoted(n.scalar ?? "~")
    }

    static func fmt(_ t: Double) -> String {
        let s = String(format: "%.3f", t)
        var out = s
        while out.hasSuffix("0") { out.removeLast() }
        if out.hasSuffix(".") { out.removeLast() }
        return out
    }
}
