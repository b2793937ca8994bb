import Foundation
import RackFocusOptics

/// `foreground-to-background` and `background-to-foreground`.
extension PresetExpander.Context {
    func foreBack(log: inout IssueLog) -> [Entry]? {
        let forward = preset == .foregroundToBackground
        let measured = expander.subjects.compactMap { s in s.distance.map { (name: s.name, distance: $0) } }
        guard measured.count >= 2 || item["from"] != nil && item["to"] != nil else {
            log.error(
                item.issue(
                    "\(preset.rawValue) needs two subjects with distances",
                    fix: "add distances to subjects, or name from: and to:"))
            return nil
        }
        let nearest = measured.min { $0.distance < $1.distance }, farthest = measured.max { $0.distance < $1.distance }
        let from = item["from"] == nil ? (forward ? nearest : farthest) : subject(item["from"], "from", log: &log)
        let to = item["to"] == nil ? (forward ? farthest : nearest) : subject(item["to"], "to", log: &log)
        guard let from, let to else { return nil }
        if forward ? !(from.distance < to.distance) : !(to.distance < from.distance) {
            let other = forward ? "background-to-foreground" : "foreground-to-background"
            log.error(
                item.issue(
                    "\(from.name) (\(from.distance)) is \(forward ? "not in front of" : "not behind") \(to.name) (\(to.distance))",
                    fix: "swap from: and to:, or use \(other)"))
            return nil
        }
        let (mark, rackFrom) = leave(from.name)
        guard
            let rack = rack(
                to: to.name, from: rackFrom, dioptres: from.distance.dioptres - to.distance.dioptres, log: &log)
        else { return nil }
        return (mark.map { [$0] } ?? []) + [
            Entry(rack, note: String(format: "%.2f D of travel", abs(from.distance.dioptres - to.distance.dioptres)))
        ]
    }
}
