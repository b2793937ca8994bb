import Foundation
import RackFocusOptics
import Yams

/// How briskly a preset's racks move. A rack's length grows with the square root of the focus
/// travel in dioptres: `base · clamp(√(ΔD / 0.5 D), 0.5, 2)`, so a 0.5-dioptre rack (1.5 m to 6 m)
/// takes the base time, a 2-dioptre one (0.5 m to ∞) twice it, a tiny one half.
public enum Pace: String, Sendable, CaseIterable {
    case calm, neutral, urgent

    /// Seconds for a 0.5-dioptre rack.
    public var baseSeconds: Double {
        switch self {
        case .calm: return 2.0
        case .neutral: return 1.25
        case .urgent: return 0.6
        }
    }

    /// The curve a preset uses at this pace: calm racks ease in and out symmetrically; neutral and
    /// urgent ones leave briskly and decelerate onto the mark, as a focus puller lands.
    public var curve: Easing { self == .calm ? .easeInOut : .landing }

    /// Rack length in seconds for a move of `dioptres` (absolute).
    public func seconds(dioptres: Double) -> Double {
        baseSeconds * min(max((abs(dioptres) / 0.5).squareRoot(), 0.5), 2)
    }

    /// The pace a plan node names; an unknown one is logged, and neutral stands in for it so the
    /// rest of the plan is still checked.
    static func parse(_ node: PlanNode, log: inout IssueLog) -> Pace {
        if let p = node.scalar.flatMap({ Pace(rawValue: $0.lowercased()) }) { return p }
        log.error(node.issue("unknown pace \"\(node.scalar ?? "")\"", fix: "use calm, neutral or urgent"))
        return .neutral
    }

    /// Rack length in whole frames (at least 2).
    public func frames(dioptres: Double, fps: FrameRate) -> Int {
        max(2, Int((seconds(dioptres: dioptres) * fps.fps).rounded()))
    }
}

/// The rack types users name, written as one focus entry (`preset:`) that expands into ordinary
/// marks and racks before the focus timeline is built. `rackfocus plan --expand` prints the
/// result. See docs/plan-format.md, "Presets".
public enum RackPreset: String, Sendable, CaseIterable {
    case foregroundToBackground = "foreground-to-background"
    case backgroundToForeground = "background-to-foreground"
    case reveal
    case dialogue
    case dualPlane = "dual-plane"

    /// Default blur of a revealed subject at the start of a reveal: 4% of the frame width
    /// (77 px at 1920), a quarter to a half of a face in a medium close-up, beyond recognition.
    public static let defaultSoftFraction = 0.04

    static let commonKeys = ["preset", "start", "land", "duration", "curve", "pace"]
    var keys: [String] {
        switch self {
        case .foregroundToBackground, .backgroundToForeground: return Self.commonKeys + ["from", "to"]
        case .reveal: return Self.commonKeys + ["subject", "from", "soft"]
        case .dualPlane: return Self.commonKeys + ["planes", "commit", "at"]
        case .dialogue: return ["preset", "pace", "curve", "lines", "lead", "minHold"]
        }
    }
}

/// A focus entry after preset expansion: the node `buildCurve` reads, the index of the entry it
/// came from in the file, and, for entries a preset made, its flow-YAML text and a comment.
struct FocusItem {
    var node: PlanNode
    var source: Int
    var generated: (text: String, comment: String)?
}

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
                out.append(FocusItem(node: item, source: index))
                if let t = (item["rack"] ?? item["on"])?.scalar { current = t }
                continue
            }
            guard let name = presetNode.scalar, let preset = RackPreset(rawValue: name.lowercased()) else {
                let names = RackPreset.allCases.map(\.rawValue)
                let hint = presetNode.scalar.flatMap { closestName(to: $0, in: names) }.map { "did you mean \($0)? " } ?? ""
                log.error(presetNode.issue("unknown preset \"\(presetNode.scalar ?? "")\"", fix: "\(hint)presets are: \(names.joined(separator: ", "))"))
                continue
            }
            log.checkKeys(item, allowed: preset.keys)
            let pace = item["pace"].map { Pace.parse($0, log: &log) } ?? self.pace
            let context = Context(item: item, preset: preset, pace: pace, first: out.isEmpty, current: current, expander: self)
            let entries: [Entry]?
            switch preset {
            case .foregroundToBackground, .backgroundToForeground: entries = context.foreBack(log: &log)
            case .reveal: entries = context.reveal(log: &log)
            case .dualPlane: entries = context.dualPlane(log: &log)
            case .dialogue: entries = context.dialogue(log: &log)
            }
            guard let entries else { continue }
            for e in entries {
                out.append(FocusItem(node: e.node(path: item.path, mark: item.node.mark), source: index,
                                     generated: (e.text, "\(preset.rawValue) (focus[\(index)])" + (e.note.map { ": \($0)" } ?? ""))))
                if let t = e.pairs.first(where: { $0.0 == "rack" || $0.0 == "on" })?.1 { current = t }
            }
        }
        return out
    }

    /// One generated entry: key-value pairs in order, and a note for the comment.
    struct Entry {
        var pairs: [(String, String)]
        var note: String?

        var text: String {
            "{ " + pairs.map { "\($0.0): \(Self.quoted($0.1))" }.joined(separator: ", ") + " }"
        }

        static func quoted(_ v: String) -> String {
            let special = CharacterSet(charactersIn: ":,[]{}#&*!|>'\"%@`")
            return v.rangeOfCharacter(from: special) == nil ? v : "\"" + v.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }

        func node(path: String, mark: Mark?) -> PlanNode {
            let pairs = pairs.map { (Node.scalar(.init($0.0, .implicit, .plain, mark)), Node.scalar(.init($0.1, .implicit, .plain, mark))) }
            return PlanNode(node: .mapping(.init(pairs, .implicit, .flow, mark)), path: path)
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
                log.error(node.issue("unknown subject \"\(name)\"", fix: "\(hint)subjects are: \(names.joined(separator: ", "))"))
                return nil
            }
            guard let d = s.distance else {
                log.error(node.issue("\(preset.rawValue) needs \(name)'s distance to choose the rack", fix: "add distance: to subjects.\(name), or write the marks and racks yourself"))
                return nil
            }
            return (name, d)
        }

        /// The cue, duration and curve of the rack a preset makes, as plan pairs.
        func rackPairs(to: String, from: String?, dioptres: Double, log: inout IssueLog) -> [(String, String)]? {
            var pairs: [(String, String)] = [("rack", to)]
            if let from { pairs.append(("from", from)) }
            switch (item["start"]?.scalar, item["land"]?.scalar) {
            case let (s?, nil): pairs.append(("start", s))
            case let (nil, l?): pairs.append(("land", l))
            case (.some, .some):
                log.error(item.issue("a preset is timed by start or by land, not both", fix: "keep one cue")); return nil
            default:
                log.error(item.issue("\(preset.rawValue) needs a cue", fix: "add start: 2s (when the rack begins) or land: 3s (when it arrives)")); return nil
            }
            pairs.append(("duration", item["duration"]?.scalar ?? "\(pace.frames(dioptres: dioptres, fps: fps))f"))
            pairs.append(("curve", item["curve"]?.scalar ?? pace.curve.rawValue))
            return pairs
        }

        /// The opening mark when the preset opens the plan, or a `from:` on the rack when focus
        /// sits elsewhere: whatever makes focus leave `start`.
        func leave(_ start: String) -> (mark: Entry?, from: String?) {
            if first { return (Entry(pairs: [("at", "0s"), ("on", start)], note: nil), nil) }
            return (nil, current == start ? nil : start)
        }

        func foreBack(log: inout IssueLog) -> [Entry]? {
            let forward = preset == .foregroundToBackground
            let measured = expander.subjects.compactMap { s in s.distance.map { (name: s.name, distance: $0) } }
            guard measured.count >= 2 || item["from"] != nil && item["to"] != nil else {
                log.error(item.issue("\(preset.rawValue) needs two subjects with distances", fix: "add distances to subjects, or name from: and to:"))
                return nil
            }
            let nearest = measured.min { $0.distance < $1.distance }, farthest = measured.max { $0.distance < $1.distance }
            let from = item["from"] == nil ? (forward ? nearest : farthest) : subject(item["from"], "from", log: &log)
            let to = item["to"] == nil ? (forward ? farthest : nearest) : subject(item["to"], "to", log: &log)
            guard let from, let to else { return nil }
            if forward ? !(from.distance < to.distance) : !(to.distance < from.distance) {
                let other = forward ? "background-to-foreground" : "foreground-to-background"
                log.error(item.issue("\(from.name) (\(from.distance)) is \(forward ? "not in front of" : "not behind") \(to.name) (\(to.distance))",
                                     fix: "swap from: and to:, or use \(other)"))
                return nil
            }
            let (mark, rackFrom) = leave(from.name)
            guard let rack = rackPairs(to: to.name, from: rackFrom, dioptres: from.distance.dioptres - to.distance.dioptres, log: &log) else { return nil }
            return (mark.map { [$0] } ?? []) + [Entry(pairs: rack, note: String(format: "%.2f D of travel", abs(from.distance.dioptres - to.distance.dioptres)))]
        }

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
                log.error(item.issue("reveal needs subject:", fix: "name the subject revealed, e.g. subject: figure")); return nil
            }
            guard let target = subject(item["subject"], "subject", log: &log), let soft = softPixels(log: &log) else { return nil }
            func blur(at focus: Distance) -> Double { abs(camera.blurPixels(subject: target.distance, focus: focus)) }
            let startText: String, startDistance: Distance
            var note: String
            let needed = String(format: "%.0f px", soft)
            if let fromNode = item["from"] {
                guard let from = subject(fromNode, "from", log: &log) else { return nil }
                startText = from.name; startDistance = from.distance
                note = String(format: "%@ %.0f px soft on %@", target.name, blur(at: from.distance), from.name)
                if blur(at: from.distance) < soft {
                    log.warn(fromNode.issue(String(format: "%@ is only %.0f px soft with focus on %@, short of the %@ that hides it", target.name, blur(at: from.distance), from.name, needed),
                                            fix: "open the stop, use a longer lens, start from a nearer subject, or omit from: to start on the distance that hides it"))
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
                    log.warn(item.issue(String(format: "%@ can be blurred only %.0f px (at %@), short of the %@ that hides it", target.name, reached, distance.description, needed),
                                        fix: "open the stop, use a longer lens, or ask for less with soft:"))
                }
            }
            let (mark, rackFrom) = leave(startText)
            guard let rack = rackPairs(to: target.name, from: rackFrom, dioptres: startDistance.dioptres - target.distance.dioptres, log: &log) else { return nil }
            return (mark.map { [$0] } ?? []) + [Entry(pairs: rack, note: note)]
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
            if nearLimit > d, blur(nearLimit) >= soft { best = bisect(toward: nearLimit) }
            else if blur(0) >= soft { best = bisect(toward: 0) }
            else { best = blur(nearLimit) >= blur(0) ? nearLimit : 0 }
            // The distance as the plan prints it (millimetres, or half inches).
            let distance = best <= 0 ? Distance.infinity : Distance(meters: 1 / best, system: expander.units)
            let printed = (try? Distance(parsing: expander.text(distance))) ?? distance
            return (printed, blur(printed.dioptres))
        }

        func dualPlane(log: inout IssueLog) -> [Entry]? {
            let fix = "write planes: [anna, ben], commit: ben"
            guard let planesNode = item["planes"], planesNode.isSequence, planesNode.items.count == 2 else {
                log.error((item["planes"] ?? item).issue("dual-plane needs planes: two subjects", fix: fix)); return nil
            }
            let planes = planesNode.items.compactMap { subject($0, "a plane", log: &log) }
            guard planes.count == 2 else { return nil }
            guard let commitNode = item["commit"] else { log.error(item.issue("dual-plane needs commit:", fix: fix)); return nil }
            guard let commit = subject(commitNode, "commit", log: &log) else { return nil }
            guard let other = planes.first(where: { $0.name != commit.name }), planes.contains(where: { $0.name == commit.name }) else {
                log.error(commitNode.issue("commit: \(commit.name) is not one of the planes \(planes.map(\.name).joined(separator: " and "))", fix: fix)); return nil
            }
            let split = Distance(meters: camera.splitFocus(planes[0].distance, planes[1].distance).meters, system: expander.units)
            let splitText = expander.text(split)
            let needed = camera.stopToHold(planes[0].distance, planes[1].distance)
            let blurs = planes.map { abs(camera.blurPixels(subject: $0.distance, focus: split)) }
            var note = String(format: "split focus %@: %@ %.1f px, %@ %.1f px", splitText, planes[0].name, blurs[0], planes[1].name, blurs[1])
            if needed > camera.stop.number * 1.0001 {
                note += String(format: " (f/%.1f holds both)", needed)
                log.warn(item.issue(String(format: "at %@ the split focus leaves %@ and %@ %.1f px soft, beyond the %.1f px circle of confusion",
                                           camera.stop.description, planes[0].name, planes[1].name, blurs.max()!, camera.cocPixels),
                                    fix: String(format: "stop down to f/%.1f, use a wider lens, or bring the planes closer together", needed)))
            }
            var entries: [Entry] = []
            if first {
                if let at = item["at"]?.scalar, (try? TimeSpec(parsing: at).seconds(at: fps)) != 0 {
                    log.error(item["at"]!.issue("dual-plane opens the plan, so it holds the split from 0s", fix: "remove at:, or begin focus with another entry"))
                    return nil
                }
                entries.append(Entry(pairs: [("at", "0s"), ("on", splitText)], note: note))
            } else {
                guard let at = item["at"]?.scalar else {
                    log.error(item.issue("dual-plane after other entries needs at: (when the split hold begins)", fix: "add at: 4s"))
                    return nil
                }
                let travel = (currentDistance(current ?? "")?.dioptres).map { abs($0 - split.dioptres) } ?? 0.5
                entries.append(Entry(pairs: [("rack", splitText), ("land", at), ("duration", "\(pace.frames(dioptres: travel, fps: fps))f"),
                                             ("curve", pace.curve.rawValue)], note: note))
            }
            guard let rack = rackPairs(to: commit.name, from: nil, dioptres: split.dioptres - commit.distance.dioptres, log: &log) else { return nil }
            entries.append(Entry(pairs: rack, note: "commits to \(commit.name); \(other.name) falls away"))
            return entries
        }

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
                        log.error(u.issue("until: must fall after the line starts and by the next line", fix: "dialogue racks follow one speaker at a time")); return nil
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
            if first { entries.append(Entry(pairs: [("at", "0s"), ("on", result.initial)], note: "\(result.initial) speaks first")) }
            for r in result.racks {
                let startFrame = Int((r.start * fps.fps).rounded())
                let frames = max(1, Int((r.duration * fps.fps).rounded()))
                entries.append(Entry(pairs: [("rack", r.subject), ("start", "\(startFrame)f"), ("duration", "\(frames)f"), ("curve", curveName)],
                                     note: "lands before \(r.subject)'s line at line \(r.line) of the plan"))
            }
            for d in result.dropped { log.warn(linesNode.issue("plan " + d)) }
            return entries
        }
    }
}

extension ShotPlan {
    /// The plan text with its presets expanded: the focus list replaced by the ordinary entries
    /// the presets stand for, each generated entry commented with its preset. Everything outside
    /// the focus list keeps its text and comments when the plan is block YAML with `focus:` at
    /// the top level; a flow or JSON plan is printed again as YAML. Nil when the plan has no
    /// presets. `text` must be the text `self` was parsed from.
    public func expandedText(source text: String) -> String? {
        guard let expandedFocus else { return nil }
        let entries = expandedFocus.map { "  - \($0.entry)" + ($0.comment.map { "   # \($0)" } ?? "") }
        guard let root = try? Yams.compose(yaml: text), let mapping = root.mapping else { return nil }
        let keys = mapping.map { ($0.key.string ?? "", $0.key.mark, $0.value) }
        guard let focus = keys.first(where: { $0.0 == "focus" }) else { return nil }
        let lines = text.components(separatedBy: "\n")
        if let mark = focus.1, mark.column == 1, case .sequence(let seq) = focus.2, seq.style != .flow {
            let start = mark.line - 1
            var end = keys.compactMap { $0.1?.line }.filter { $0 > mark.line }.min().map { $0 - 1 } ?? lines.count
            // Comment lines just above the next key belong to it.
            while end > start + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") { end -= 1 }
            var tail = Array(lines[end...])
            while tail.last == "" { tail.removeLast() }
            return (Array(lines[..<start]) + ["focus:"] + entries + tail).joined(separator: "\n") + "\n"
        }
        let rest = Node.Mapping(mapping.filter { $0.key.string != "focus" })
        let head = (try? Yams.serialize(node: .mapping(rest))) ?? ""
        return head + "focus:\n" + entries.joined(separator: "\n") + "\n"
    }
}
