import Foundation
import RackFocusOptics

/// `dual-plane`: a split-focus hold on two planes, then a commit to one.
extension PresetExpander.Context {
    func dualPlane(log: inout IssueLog) -> [Entry]? {
        let fix = "write planes: [anna, ben], commit: ben"
        guard let planesNode = item["planes"], planesNode.isSequence, planesNode.items.count == 2 else {
            log.error((item["planes"] ?? item).issue("dual-plane needs planes: two subjects", fix: fix)); return nil
        }
        let planes = planesNode.items.compactMap { subject($0, "a plane", log: &log) }
        guard planes.count == 2 else { return nil }
        guard let commitNode = item["commit"] else {
            log.error(item.issue("dual-plane needs commit:", fix: fix)); return nil
        }
        guard let commit = subject(commitNode, "commit", log: &log) else { return nil }
        guard let other = planes.first(where: { $0.name != commit.name }),
            planes.contains(where: { $0.name == commit.name })
        else {
            log.error(
                commitNode.issue(
                    "commit: \(commit.name) is not one of the planes \(planes.map(\.name).joined(separator: " and "))",
                    fix: fix));
            return nil
        }
        let split = Distance(
            meters: camera.splitFocus(planes[0].distance, planes[1].distance).meters, system: expander.units)
        let splitText = expander.text(split)
        let needed = camera.stopToHold(planes[0].distance, planes[1].distance)
        let blurs = planes.map { abs(camera.blurPixels(subject: $0.distance, focus: split)) }
        var note = String(
            format: "split focus %@: %@ %.1f px, %@ %.1f px", splitText, planes[0].name, blurs[0], planes[1].name,
            blurs[1])
        if needed > camera.stop.number * 1.0001 {
            note += String(format: " (f/%.1f holds both)", needed)
            log.warn(
                item.issue(
                    String(
                        format:
                            "at %@ the split focus leaves %@ and %@ %.1f px soft, beyond the %.1f px circle of confusion",
                        camera.stop.description, planes[0].name, planes[1].name, blurs.max()!, camera.cocPixels),
                    fix: String(
                        format: "stop down to f/%.1f, use a wider lens, or bring the planes closer together", needed)))
        }
        var entries: [Entry] = []
        if first {
            if let at = item["at"]?.scalar, (try? TimeSpec(parsing: at).seconds(at: fps)) != 0 {
                log.error(
                    item["at"]!.issue(
                        "dual-plane opens the plan, so it holds the split from 0s",
                        fix: "remove at:, or begin focus with another entry"))
                return nil
            }
            entries.append(Entry(mark(at: "0s", on: splitText), note: note))
        } else {
            guard let at = item["at"]?.scalar else {
                log.error(
                    item.issue(
                        "dual-plane after other entries needs at: (when the split hold begins)", fix: "add at: 4s"))
                return nil
            }
            let travel = (currentDistance(current ?? "")?.dioptres).map { abs($0 - split.dioptres) } ?? 0.5
            entries.append(
                Entry(
                    rack(
                        to: splitText, land: at, duration: "\(pace.frames(dioptres: travel, fps: fps))f",
                        curve: pace.curve.rawValue), note: note))
        }
        guard
            let rack = rack(to: commit.name, from: nil, dioptres: split.dioptres - commit.distance.dioptres, log: &log)
        else { return nil }
        entries.append(Entry(rack, note: "commits to \(commit.name); \(other.name) falls away"))
        return entries
    }
}
