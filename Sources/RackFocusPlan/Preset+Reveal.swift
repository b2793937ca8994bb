import Foundation
import RackFocusOptics

/// `reveal`: the revealed subject opens soft enough to hide it, then focus racks to it.
extension PresetExpander.Context {
    typealias Entry = PresetExpander.Entry

    /// The blur in delivery pixels a revealed subject must have at the start.
    func softPixels(log: inout IssueLog) -> Double? {
        let width = Double(camera.resolution.width)
        guard let node = item["soft"] else { return RackPreset.defaultSoftFraction * width }
        let text = node.scalar?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        if text.hasSuffix("%"), let v = Double(text.dropLast()), v > 0, v < 50 { return v / 100 * width }
        if text.hasSuffix("px"), let v = Double(text.dropLast(2)), v > 0, v < width { return v }
        log.error(node.issue("\"\(text)\" is not a blur", fix: "write soft: 4% (of the frame width) or soft: 60px"))
        return nil
    }

    func reveal(log: inout IssueLog) -> [Entry]? {
        guard item["subject"] != nil else {
            log.error(item.issue("reveal needs subject:", fix: "name the subject revealed, e.g. subject: figure"));
            return nil
        }
        guard let target = subject(item["subject"], "subject", log: &log), let soft = softPixels(log: &log) else {
            return nil
        }
        func blur(at focus: Distance) -> Double { abs(camera.blurPixels(subject: target.distance, focus: focus)) }
        let startText: String, startDistance: Distance
        var note: String
        let needed = String(format: "%.0f px", soft)
        if let fromNode = item["from"] {
            guard let from = subject(fromNode, "from", log: &log) else { return nil }
            startText = from.name; startDistance = from.distance
            note = String(format: "%@ %.0f px soft on %@", target.name, blur(at: from.distance), from.name)
            if blur(at: from.distance) < soft {
                log.warn(
                    fromNode.issue(
                        String(
                            format: "%@ is only %.0f px soft with focus on %@, short of the %@ that hides it",
                            target.name, blur(at: from.distance), from.name, needed),
                        fix:
                            "open the stop, use a longer lens, start from a nearer subject, or omit from: to start on the distance that hides it"
                    ))
            }
        } else if !first, let current, let cur = currentDistance(current), blur(at: cur) >= soft {
            // Focus already hides the subject: rack from where it is.
            startText = current; startDistance = cur
            note = String(format: "%@ %.0f px soft on %@", target.name, blur(at: cur), current)
        } else {
            let (distance, reached) = hidingFocus(target: target.distance, soft: soft)
            startText = expander.text(distance); startDistance = distance
            note = String(format: "%@ %.0f px soft at %@", target.name, reached, expander.text(distance))
            if reached < soft - 0.5 {
                log.warn(
                    item.issue(
                        String(
                            format: "%@ can be blurred only %.0f px (at %@), short of the %@ that hides it",
                            target.name, reached, distance.description, needed),
                        fix: "open the stop, use a longer lens, or ask for less with soft:"))
            }
        }
        let (mark, rackFrom) = leave(startText)
        guard
            let rack = rack(
                to: target.name, from: rackFrom, dioptres: startDistance.dioptres - target.distance.dioptres, log: &log)
        else { return nil }
        return (mark.map { [$0] } ?? []) + [Entry(rack, note: note)]
    }

    func currentDistance(_ current: String) -> Distance? {
        if let s = expander.subjects.first(where: { $0.name == current }) { return s.distance }
        return try? Distance(parsing: current)
    }

    /// The focus distance nearest the subject (in dioptres) at which its blur reaches `soft`:
    /// in front of it when the lens focuses close enough, else behind it; where neither side
    /// reaches, the side that blurs it most. Returns the distance and the blur there.
    func hidingFocus(target: Distance, soft: Double) -> (Distance, Double) {
        let d = target.dioptres
        // Blur is linear in focus dioptres on each side of the subject: find pixels per dioptre.
        func blur(_ dioptres: Double) -> Double {
            abs(camera.blurPixels(subject: target, focus: dioptres <= 0 ? .infinity : Distance(meters: 1 / dioptres)))
        }
        let nearLimit = camera.minFocus.dioptres
        /// Blur grows monotonically from the subject toward a limit: bisect for blur = soft.
        func bisect(toward limit: Double) -> Double {
            var a = d, b = limit
            for _ in 0..<60 { let m = (a + b) / 2; if blur(m) < soft { a = m } else { b = m } }
            return b
        }
        let best: Double
        if nearLimit > d, blur(nearLimit) >= soft {
            best = bisect(toward: nearLimit)
        } else if blur(0) >= soft {
            best = bisect(toward: 0)
        } else {
            best = blur(nearLimit) >= blur(0) ? nearLimit : 0
        }
        // The distance as the plan prints it (millimetres, or half inches).
        let distance = best <= 0 ? Distance.infinity : Distance(meters: 1 / best, system: expander.units)
        let printed = (try? Distance(parsing: expander.text(distance))) ?? distance
        return (printed, blur(printed.dioptres))
    }
}
