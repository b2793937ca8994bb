import Foundation
import RackFocusOptics

/// Expands `preset:` focus entries. Ordinary entries pass through untouched.
struct PresetExpander {
    let fps: FrameRate
    let camera: Camera
    let subjects: [Subject]
    let pace: Pace
    let units: UnitSystem

    func expand(_ items: [PlanNode], log: inout IssueLog) -> [FocusItem] {
        var out: [FocusItem] = []
        /// The target focus sits on after the entries so far (a subject name or a distance text).
        var current: String?
        for (index, item) in items.enumerated() {
            guard item.isMapping, let presetNode = item["preset"] else {
                guard let entry = FocusEntry.read(item, log: &log) else { continue }
                out.append(FocusItem(entry: entry, source: index, text: PlanBuilder.flowText(item)))
                if let t = entry.target { current = t }
                continue
            }
            guard let name = presetNode.scalar, let preset = RackPreset(rawValue: name.lowercased()) else {
                let names = RackPreset.allCases.map(\.rawValue)
                let hint =
                    presetNode.scalar.flatMap { closestName(to: $0, in: names) }.map { "did you mean \($0)? " } ?? ""
                log.error(
                    presetNode.issue(
                        "unknown preset \"\(presetNode.scalar ?? "")\"",
                        fix: "\(hint)presets are: \(names.joined(separator: ", "))"))
                continue
            }
            log.checkKeys(item, allowed: preset.keys)
            let pace = item["pace"].map { Pace.parse($0, log: &log) } ?? self.pace
            let context = Context(
                item: item, preset: preset, pace: pace, first: out.isEmpty, current: current, expander: self)
            let entries: [Entry]?
            switch preset {
            case .foregroundToBackground, .backgroundToForeground: entries = context.foreBack(log: &log)
            case .reveal: entries = context.reveal(log: &log)
            case .dualPlane: entries = context.dualPlane(log: &log)
            case .dialogue: entries = context.dialogue(log: &log)
            }
            guard let entries else { continue }
            for e in entries {
                out.append(
                    FocusItem(
                        entry: e.focus, source: index, text: e.focus.flowText,
                        comment: "\(preset.rawValue) (focus[\(index)])" + (e.note.map { ": \($0)" } ?? "")))
                if let t = e.focus.target { current = t }
            }
        }
        return out
    }

    /// One generated entry, and a note for its comment.
    struct Entry {
        var focus: FocusEntry
        var note: String?

        init(_ focus: FocusEntry, note: String?) {
            self.focus = focus
            self.note = note
        }
    }

    /// Distances printed the way the plan reads them back.
    func text(_ d: Distance) -> String {
        if d.isInfinite { return "inf" }
        switch units {
        case .metric: return String(format: "%.3fm", d.meters)
        case .imperial:
            let inches = (d.meters / 0.0254 * 2).rounded() / 2
            let feet = Int(inches / 12)
            let rest = inches - Double(feet) * 12
            let restText = rest == rest.rounded() ? String(Int(rest)) : String(format: "%.1f", rest)
            return feet == 0 ? "\(restText)in" : rest == 0 ? "\(feet)ft" : "\(feet)ft \(restText)in"
        }
    }

    /// What one preset entry knows while it expands.
    struct Context {
        let item: PlanNode
        let preset: RackPreset
        /// The entry's pace, or the plan's.
        let pace: Pace
        let first: Bool
        let current: String?
        let expander: PresetExpander

        var fps: FrameRate { expander.fps }
        var camera: Camera { expander.camera }

        /// A subject named by `node`, with a distance (presets choose durations from distances).
        func subject(_ node: PlanNode?, _ role: String, log: inout IssueLog) -> (name: String, distance: Distance)? {
            guard let node else { return nil }
            guard let name = node.scalar else { log.error(node.issue("\(role) must be a subject name")); return nil }
            let names = expander.subjects.map(\.name)
            guard let s = expander.subjects.first(where: { $0.name == name }) else {
                let hint = closestName(to: name, in: names).map { "did you mean \($0)? " } ?? ""
                log.error(
                    node.issue(
                        "unknown subject \"\(name)\"", fix: "\(hint)subjects are: \(names.joined(separator: ", "))"))
                return nil
            }
            guard let d = s.distance else {
                log.error(
                    node.issue(
                        "\(preset.rawValue) needs \(name)'s distance to choose the rack",
                        fix: "add distance: to subjects.\(name), or write the marks and racks yourself"))
                return nil
            }
            return (name, d)
        }

        /// A mark this preset makes, placed at the preset's entry.
        func mark(at: String, on: String) -> FocusEntry {
            let place = Place(item)
            return .mark(
                FocusMark(at: Written(at, at: place.child("at")), on: Written(on, at: place.child("on")), place: place))
        }

        /// A rack this preset makes, placed at the preset's entry.
        func rack(
            to: String, from: String? = nil, start: String? = nil, land: String? = nil, duration: String, curve: String
        ) -> FocusEntry {
            let place = Place(item)
            func w(_ key: String, _ v: String?) -> Written? { v.map { Written($0, at: place.child(key)) } }
            return .rack(
                FocusRack(
                    to: w("rack", to)!, from: w("from", from), start: w("start", start), land: w("land", land),
                    duration: w("duration", duration), curve: w("curve", curve), place: place))
        }

        /// The rack a preset makes toward `to`: its cue from the preset's start or land, its
        /// duration and curve from the preset or from the pace and the travel in dioptres.
        func rack(to: String, from: String?, dioptres: Double, log: inout IssueLog) -> FocusEntry? {
            let start = item["start"]?.scalar, land = item["land"]?.scalar
            switch (start, land) {
            case (.some, nil), (nil, .some): break
            case (.some, .some):
                log.error(item.issue("a preset is timed by start or by land, not both", fix: "keep one cue"));
                return nil
            default:
                log.error(
                    item.issue(
                        "\(preset.rawValue) needs a cue",
                        fix: "add start: 2s (when the rack begins) or land: 3s (when it arrives)"));
                return nil
            }
            return rack(
                to: to, from: from, start: start, land: land,
                duration: item["duration"]?.scalar ?? "\(pace.frames(dioptres: dioptres, fps: fps))f",
                curve: item["curve"]?.scalar ?? pace.curve.rawValue)
        }

        /// The opening mark when the preset opens the plan, or a `from:` on the rack when focus
        /// sits elsewhere: whatever makes focus leave `start`.
        func leave(_ start: String) -> (mark: Entry?, from: String?) {
            if first { return (Entry(mark(at: "0s", on: start), note: nil), nil) }
            return (nil, current == start ? nil : start)
        }
    }
}
