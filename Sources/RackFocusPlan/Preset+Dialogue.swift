import Foundation
import RackFocusOptics

/// `dialogue`: racks that land before each speaker's line.
extension PresetExpander.Context {
    func dialogue(log: inout IssueLog) -> [Entry]? {
        let fix = "write lines: [ { at: 1s, speaker: anna }, { at: 4s, speaker: ben } ]"
        guard let linesNode = item["lines"], linesNode.isSequence, !linesNode.items.isEmpty else {
            log.error((item["lines"] ?? item).issue("dialogue needs lines:", fix: fix)); return nil
        }
        func seconds(_ node: PlanNode?, _ what: String) -> Double? {
            log.value(node, what) { t throws(ValueError) in try TimeSpec(parsing: t).seconds(at: fps) }
        }
        var planner = DialogueRacks()
        if let l = item["lead"] { guard let v = seconds(l, "lead") else { return nil }; planner.lead = v }
        if let h = item["minHold"] { guard let v = seconds(h, "minimum hold") else { return nil }; planner.minHold = v }
        var starts: [(Double, String, PlanNode)] = []
        var ok = true
        for line in linesNode.items {
            log.checkKeys(line, allowed: ["at", "speaker", "until"])
            guard let at = line["at"] else { log.error(line.issue("a line needs at:", fix: fix)); ok = false; continue }
            guard let t = seconds(at, "time"), let who = subject(line["speaker"], "speaker", log: &log) else {
                if line["speaker"] == nil { log.error(line.issue("a line needs speaker:", fix: fix)) }
                ok = false; continue
            }
            if let last = starts.last, t <= last.0 {
                log.error(at.issue("lines must be in time order", fix: "sort the lines by at:")); ok = false
            }
            starts.append((t, who.name, line))
        }
        guard ok else { return nil }
        var lines: [DialogueRacks.Line] = []
        for (k, s) in starts.enumerated() {
            let next = k + 1 < starts.count ? starts[k + 1].0 : nil
            var end = next ?? (s.0 + 2)
            if let u = s.2["until"] {
                guard let e = seconds(u, "time") else { return nil }
                if e <= s.0 || next.map({ e > $0 + 1e-9 }) == true {
                    log.error(
                        u.issue(
                            "until: must fall after the line starts and by the next line",
                            fix: "dialogue racks follow one speaker at a time"));
                    return nil
                }
                end = e
            }
            lines.append(.init(start: s.0, end: end, subject: s.1, line: s.2.line ?? 0))
        }
        // Focus opens on the first speaker, or, after other entries, leaves where it is.
        let initial = first ? lines[0].subject : (current ?? lines[0].subject)
        let curveName = item["curve"]?.scalar ?? pace.curve.rawValue
        let result = planner.schedule(lines, initial: initial) { a, b in
            let travel = (currentDistance(a)?.dioptres ?? 0) - (currentDistance(b)?.dioptres ?? 0)
            return Double(pace.frames(dioptres: travel, fps: fps)) / fps.fps
        }
        var entries: [Entry] = []
        if first { entries.append(Entry(mark(at: "0s", on: result.initial), note: "\(result.initial) speaks first")) }
        for r in result.racks {
            let startFrame = Int((r.start * fps.fps).rounded())
            let frames = max(1, Int((r.duration * fps.fps).rounded()))
            entries.append(
                Entry(
                    rack(to: r.subject, start: "\(startFrame)f", duration: "\(frames)f", curve: curveName),
                    note: "lands before \(r.subject)'s line at line \(r.line) of the plan"))
        }
        for d in result.dropped { log.warn(linesNode.issue("plan " + d)) }
        return entries
    }
}
