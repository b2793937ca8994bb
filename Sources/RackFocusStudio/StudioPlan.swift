import Foundation
import RackFocusOptics
import RackFocusPlan
import Yams

/// The studio's plan: its YAML text, the plan the loader makes of it, and the page's edits made on
/// the YAML tree, so that every key the page does not touch stays as written (comments do not
/// survive a rewrite). Every edit goes through the plan loader; one it refuses changes nothing.
struct StudioPlan: Sendable {
    private(set) var text: String
    private(set) var plan: ShotPlan
    /// Named in the loader's errors.
    let file: String

    init(text: String, file: String) throws(PlanError) {
        self.text = text
        self.file = file
        plan = try ShotPlan.parse(text, file: file)
    }

    /// A plan for a clip that has none: its rate, length and size, the lens asked for, and focus on
    /// the centre of the frame (`centre` metres away).
    static func starting(
        name: String, rate: FrameRate, frames: Int, width: Int, height: Int, sensor: String, focal: String,
        stop: String, centre: Double
    ) -> String {
        """
        # Written by rackfocus studio for \(name).
        name: \(quoted(name))
        fps: \(rate)
        duration: \(seconds(Double(frames) / rate.fps))
        camera: { sensor: \(sensor), focalLength: \(focal), stop: \(stop), resolution: \(width)x\(height) }
        subjects:
          centre: { distance: \(meters(centre)), point: [0.5, 0.5] }
        focus:
          - { at: 0s, on: centre }

        """
    }

    /// Replaces the whole text (the page's YAML or JSON editor).
    mutating func replace(with text: String) throws(PlanError) {
        plan = try ShotPlan.parse(text, file: file)
        self.text = text
    }

    /// Places `subject` at (x, y) at `distance` (added, or moved when it exists) and puts focus on
    /// it at time `t`: the opening mark at the first frame (or when the plan has no focus yet), else
    /// a rack from the focus before that lands at `t` (`duration`, default 1 s, at most the time
    /// since the previous move ends; `curve`, default landing).
    mutating func addMark(
        subject: String, x: Double, y: Double, distance: Double, frame n: Int, rate: FrameRate,
        duration: Double?, curve: String?
    ) throws(PlanError) {
        let frameDuration = 1 / rate.fps, t = Double(n) / rate.fps
        var root = try tree()
        var subjects = root["subjects"]?.mapping ?? Node.Mapping([], .implicit, .block)
        subjects[subject] = Node(
            [
                (Node("distance"), Node(Self.meters(distance))),
                (Node("point"), Node([Node(Self.number(x)), Node(Self.number(y))], .implicit, .flow)),
            ], .implicit, .flow)
        root["subjects"] = .mapping(subjects)
        var focus = root["focus"]?.sequence ?? Node.Sequence([], .implicit, .block)
        func entry(_ pairs: [(String, String)]) -> Node {
            Node(pairs.map { (Node($0.0), Node($0.1)) }, .implicit, .flow)
        }
        if t < frameDuration / 2 || focus.isEmpty {
            let opening = entry([("at", "0s"), ("on", subject)])
            if let first = focus.first, first.mapping?["at"] != nil {
                focus[focus.startIndex] = opening
            } else {
                focus.insert(opening, at: focus.startIndex)
            }
        } else {
            // The rack goes after every move that ends by t.
            let before = plan.curve.moves.filter { $0.end <= t + 1e-9 }
            let free = t - (before.map(\.end).max() ?? 0)
            let wanted = duration ?? 1
            let frames = max(1, Int((min(wanted, free) * rate.fps).rounded(.down)))
            let position = (before.map(\.entry).max() ?? 0) + 1
            let rack = entry([
                ("rack", subject), ("land", "\(n)f"), ("duration", "\(frames)f"), ("curve", curve ?? "landing"),
            ])
            let index = focus.index(focus.startIndex, offsetBy: min(position, focus.count))
            focus.insert(rack, at: index)
        }
        root["focus"] = .sequence(focus)
        try rewrite(root)
    }

    /// Retimes the rack written at focus[entry]: `start` to `end` seconds (to the nearest frames,
    /// at least one apart), with `curve` when given.
    mutating func retime(entry: Int, start: Double, end: Double, rate: FrameRate, curve: String?) throws(PlanError) {
        var root = try tree()
        guard var focus = root["focus"]?.sequence, entry >= 0, entry < focus.count,
            var move = focus[focus.index(focus.startIndex, offsetBy: entry)].mapping, move["rack"] != nil
        else {
            throw PlanError(
                file: file,
                issues: [
                    PlanIssue(
                        path: "focus[\(entry)]", message: "is not a rack written in the plan",
                        fix: "retime racks written as { rack: ..., start/land: ..., duration: ... }")
                ])
        }
        move["land"] = nil
        let first = Int((start * rate.fps).rounded()), last = max(first + 1, Int((end * rate.fps).rounded()))
        move["start"] = Node("\(first)f")
        move["duration"] = Node("\(last - first)f")
        if let curve { move["curve"] = Node(curve) }
        focus[focus.index(focus.startIndex, offsetBy: entry)] = .mapping(move)
        root["focus"] = .sequence(focus)
        try rewrite(root)
    }

    /// Sets the camera's keys given (focalLength, stop, sensor: as a plan writes them).
    mutating func setLens(_ values: [(key: String, value: String)]) throws(PlanError) {
        var root = try tree()
        var camera = root["camera"]?.mapping ?? Node.Mapping([], .implicit, .flow)
        for (k, v) in values { camera[k] = Node(v) }
        root["camera"] = .mapping(camera)
        try rewrite(root)
    }

    private func tree() throws(PlanError) -> Node.Mapping {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw PlanError(file: file, issues: [PlanIssue(path: "", message: "\(error)")])
        }
        guard let mapping = node?.mapping else {
            throw PlanError(
                file: file,
                issues: [PlanIssue(path: "", message: "is not a YAML mapping", fix: "edit it as a whole first")])
        }
        return mapping
    }

    private mutating func rewrite(_ root: Node.Mapping) throws(PlanError) {
        let out: String
        do { out = try Yams.serialize(node: Self.compact(.mapping(root), depth: 0), width: -1, sortKeys: false) } catch
        {
            throw PlanError(file: file, issues: [PlanIssue(path: "", message: "could not be written: \(error)")])
        }
        try replace(with: out)
    }

    /// The layout plans are written in: the top level and the subjects and focus lists as blocks,
    /// the camera, each subject and each focus entry on one line.
    static func compact(_ node: Node, depth: Int, key: String? = nil) -> Node {
        let flow = depth >= 2 || (depth == 1 && key == "camera")
        switch node {
        case .mapping(var m):
            m = Node.Mapping(
                m.map { (k, v) in (k, compact(v, depth: depth + 1, key: k.string)) }, m.tag, flow ? .flow : .block)
            return .mapping(m)
        case .sequence(var s):
            s = Node.Sequence(s.map { compact($0, depth: depth + 1) }, s.tag, flow ? .flow : .block)
            return .sequence(s)
        default:
            return node
        }
    }

    static func seconds(_ s: Double) -> String {
        String(format: "%.3fs", s).replacingOccurrences(of: ".000s", with: "s")
    }
    static func meters(_ m: Double) -> String { String(format: m < 10 ? "%.2fm" : "%.1fm", m) }
    static func number(_ v: Double) -> String { String(format: "%.3f", v) }
    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
