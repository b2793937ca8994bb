import Foundation
import RackFocusOptics
import Yams

extension PlanBuilder {
    // MARK: subjects

    static func buildSubjects(
        _ node: PlanNode?, camera: Camera?, fps: FrameRate?, log: inout IssueLog, file: String? = nil
    ) -> [Subject] {
        guard let node else {
            log.error(
                PlanIssue(
                    path: "subjects", message: "missing subjects", fix: "add subjects: { hero: { distance: 2m } }"))
            return []
        }
        guard node.isMapping else {
            log.error(
                node.issue("subjects must be a mapping of names", fix: "write subjects: { hero: { distance: 2m } }"))
            return []
        }
        guard node.entries.count <= Limits.maxSubjects else {
            log.error(
                node.issue(
                    "\(node.entries.count) subjects; a plan holds at most \(Limits.maxSubjects)",
                    fix: "keep the subjects the focus moves between; split a long scene into several plans"))
            return []
        }
        var result: [Subject] = []
        for (name, sNode) in node.entries {
            var distance: Distance?, point: ImagePoint?, box: ImageBox?, track: [TrackKey]?, note: String?
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
                if let n = sNode["note"] {
                    if let text = n.scalar {
                        note = text
                    } else {
                        log.error(n.issue("note must be text", fix: "write note: \"foreground shoulder, camera left\""))
                    }
                }
                if let t = sNode["track"] {
                    track = t.scalar == nil ? buildTrack(t, fps: fps, log: &log) : trackFile(t, plan: file, log: &log)
                }
                if [point != nil, box != nil, track != nil].filter({ $0 }).count > 1 {
                    log.error(
                        sNode.issue(
                            "subject \(name) has more than one of point, box and track",
                            fix: "keep one: a track for a subject that moves, otherwise a point or a box"))
                }
                if distance == nil && point == nil && box == nil && track == nil && sNode["distance"] == nil
                    && sNode["point"] == nil && sNode["box"] == nil && sNode["track"] == nil
                {
                    log.error(
                        sNode.issue(
                            "subject \(name) has no distance, point, box or track",
                            fix: "add distance: 2m, or point: [x, y] to read it from a depth map"))
                }
            } else {
                log.error(
                    sNode.issue(
                        "subject \(name) must be a distance or a mapping", fix: "write \(name): { distance: 2m }"))
            }
            if let d = distance, let dNode = sNode["distance"] ?? (sNode.scalar != nil ? sNode : nil) {
                if let issue = distanceProblem(d, camera: camera, place: Place(dNode)) {
                    if issue.isError { log.error(issue.issue) } else { log.warn(issue.issue) }
                }
            }
            result.append(Subject(name: name, distance: distance, point: point, box: box, track: track, note: note))
        }
        if result.isEmpty { log.error(node.issue("no subjects", fix: "add at least one, e.g. hero: { distance: 2m }")) }
        return result
    }

    static func imageBox(_ node: PlanNode, log: inout IssueLog) -> ImageBox? {
        guard let v = normalisedNumbers(node, count: 4, log: &log) else { return nil }
        if v[0] + v[2] > 1.0001 || v[1] + v[3] > 1.0001 || v[2] <= 0 || v[3] <= 0 {
            log.error(
                node.issue(
                    "box [\(v.map { String($0) }.joined(separator: ", "))] leaves the image",
                    fix: "x + w and y + h must stay within 1"))
            return nil
        }
        return ImageBox(x: v[0], y: v[1], width: v[2], height: v[3])
    }

    /// `track: [ { at: 0s, box: [x, y, w, h] }, { at: 2s, box: [...] }, ... ]`, keys in time order
    /// (times in any form a cue takes, resolved at the plan's rate).
    static func buildTrack(_ node: PlanNode, fps: FrameRate?, log: inout IssueLog, extraKeys: [String] = [])
        -> [TrackKey]?
    {
        let fix = "write track: [ { at: 0s, box: [0.4, 0.3, 0.2, 0.5] }, { at: 2s, box: [0.5, 0.3, 0.2, 0.5] } ]"
        guard node.isSequence, !node.items.isEmpty else {
            log.error(node.issue("a track is a list of keys", fix: fix)); return nil
        }
        var keys: [TrackKey] = []
        var ok = true
        for item in node.items {
            guard item.isMapping else {
                log.error(item.issue("a track key is a mapping", fix: fix)); ok = false; continue
            }
            log.checkKeys(item, allowed: ["at", "point", "box"] + extraKeys)
            let text = item["at"]?.scalar
            var time: Double?
            if let text {
                do { time = try fps.map { r throws(ValueError) in try TimeSpec(parsing: text).seconds(at: r) } } catch {
                    log.error(item["at"]!.issue(error))
                }
                if let t = time, t < 0 {
                    log.error(
                        item["at"]!.issue("time \(fmt(t))s is before the shot starts", fix: "times count from 0s"));
                    time = nil
                }
            } else {
                log.error(item.issue("a track key needs at:", fix: fix))
            }
            var region: ImageBox?
            if let p = item["point"], let v = normalisedNumbers(p, count: 2, log: &log) {
                region = ImageBox(x: v[0], y: v[1], width: 0, height: 0)
            }
            if let b = item["box"] { region = imageBox(b, log: &log) }
            if item["point"] != nil && item["box"] != nil {
                log.error(item.issue("a track key has a point or a box, not both", fix: fix))
            }
            if item["point"] == nil && item["box"] == nil {
                log.error(item.issue("a track key needs a point or a box", fix: fix))
            }
            guard let time, let region else { ok = false; continue }
            if let last = keys.last, time <= last.time {
                log.error(
                    item["at"]!.issue(
                        "track keys must be in time order: \(fmt(time))s comes after \(fmt(last.time))s",
                        fix: "sort the keys by at:"))
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
            log.error(
                node.issue(
                    "cannot read the track file \(path) (\(error.issues.first?.message ?? "unreadable"))",
                    fix:
                        "write it with rackfocus track CLIP --box x,y,w,h --at TIME -o \(name); paths are relative to the plan"
                ))
            return nil
        }
        guard let root = (try? Yams.compose(yaml: text)).flatMap({ $0 }).map({ PlanNode(node: $0, path: "") }),
            let keys = root["track"]
        else {
            log.error(
                node.issue(
                    "\(path) is not a track file (no track: list)", fix: "give a file written by rackfocus track"))
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
}
