import RackFocusOptics
import Yams

/// Where a value of a plan was written: its key path and position, so every error names it.
struct Place {
    var path: String
    var line: Int?
    var column: Int?

    init(path: String, line: Int?, column: Int?) {
        self.path = path
        self.line = line
        self.column = column
    }

    init(_ node: PlanNode) { self.init(path: node.path, line: node.line, column: node.column) }

    func issue(_ message: String, fix: String = "") -> PlanIssue {
        PlanIssue(path: path, line: line, column: column, message: message, fix: fix)
    }

    func issue(_ error: ValueError) -> PlanIssue { issue(error.message, fix: error.fix) }

    /// The place of key `key` inside this one (a preset's generated values sit at the preset).
    func child(_ key: String) -> Place {
        Place(path: path.isEmpty ? key : "\(path).\(key)", line: line, column: column)
    }
}

/// One value of a focus entry as written: its text (nil when it is not a scalar) and where.
struct Written {
    var text: String?
    var place: Place
    /// What stands there instead of text, for messages: "a mapping", "a list" or "nothing".
    var found: String

    init(_ node: PlanNode) {
        text = node.scalar
        place = Place(node)
        found = node.isMapping ? "a mapping" : node.isSequence ? "a list" : "nothing"
    }

    /// A value a preset wrote, placed at the preset.
    init(_ text: String, at place: Place) {
        self.text = text
        self.place = place
        found = "nothing"
    }

    func issue(_ message: String, fix: String = "") -> PlanIssue { place.issue(message, fix: fix) }
}

extension IssueLog {
    /// Parses a written value with `parse`; records the failure and returns nil on error.
    mutating func value<T>(_ w: Written?, _ what: String, parse: (String) throws(ValueError) -> T) -> T? {
        guard let w else { return nil }
        guard let text = w.text else { error(w.issue("expected \(what), found \(w.found)")); return nil }
        do { return try parse(text) } catch { self.error(w.place.issue(error)); return nil }
    }
}

/// A mark: focus on a target from a time (`{ at: 4s, on: anna }`).
struct FocusMark {
    var at: Written?
    var on: Written
    var place: Place
}

/// A rack: focus moves to a target over a duration, cued by its start or its landing.
struct FocusRack {
    var to: Written
    var from: Written?
    var start: Written?
    var land: Written?
    var duration: Written?
    var curve: Written?
    var place: Place
}

/// One focus entry, typed: what the file says or what a preset stands for. The focus timeline
/// (`FocusTimeline`) is built from these; presets make them directly, never as text.
enum FocusEntry {
    case mark(FocusMark)
    case rack(FocusRack)

    static let markKeys = ["at", "on"]
    static let rackKeys = ["rack", "from", "start", "land", "duration", "curve"]

    /// Reads an entry of the focus list; nil (with the problem logged) when it is neither a
    /// mark nor a rack.
    static func read(_ item: PlanNode, log: inout IssueLog) -> FocusEntry? {
        guard item.isMapping else {
            log.error(
                item.issue(
                    "a focus entry is a mapping",
                    fix: "write { at: 0s, on: SUBJECT } or { rack: SUBJECT, start: 2s, duration: 1s }"))
            return nil
        }
        func w(_ key: String) -> Written? { item[key].map(Written.init) }
        if item["on"] != nil || item["at"] != nil, item["rack"] == nil {
            log.checkKeys(item, allowed: markKeys)
            guard let on = w("on") else {
                log.error(item.issue("a mark needs on:", fix: "write { at: 0s, on: SUBJECT }")); return nil
            }
            return .mark(FocusMark(at: w("at"), on: on, place: Place(item)))
        }
        guard let to = w("rack") else {
            log.error(
                item.issue(
                    "a focus entry is a mark { at, on } or a rack { rack, start|land, duration }",
                    fix: "add on: SUBJECT or rack: SUBJECT"))
            return nil
        }
        log.checkKeys(item, allowed: rackKeys)
        return .rack(
            FocusRack(
                to: to, from: w("from"), start: w("start"), land: w("land"), duration: w("duration"), curve: w("curve"),
                place: Place(item)))
    }

    /// The target focus sits on after this entry, as written.
    var target: String? {
        switch self {
        case .mark(let m): return m.on.text
        case .rack(let r): return r.to.text
        }
    }

    var isMark: Bool { if case .mark = self { return true } else { return false } }

    /// One line of flow YAML, as `plan --expand` prints an entry a preset made.
    var flowText: String {
        let pairs: [(String, Written?)]
        switch self {
        case .mark(let m): pairs = [("at", m.at), ("on", m.on)]
        case .rack(let r):
            pairs = [
                ("rack", r.to), ("from", r.from), ("start", r.start), ("land", r.land), ("duration", r.duration),
                ("curve", r.curve),
            ]
        }
        return "{ "
            + pairs.compactMap { k, v in v.map { "\(k): \(Self.quoted($0.text ?? "~"))" } }.joined(separator: ", ")
            + " }"
    }

    /// A scalar as flow YAML reads it back: quoted when it holds YAML punctuation.
    static func quoted(_ v: String) -> String {
        let special = Set(":,[]{}#&*!|>'\"%@`")
        return v.contains(where: special.contains) ? "\"" + v.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : v
    }
}

/// A focus entry after preset expansion: the entry, the index of the entry it came from in the
/// file, and its text for `plan --expand` (with a comment naming the preset that made it).
struct FocusItem {
    var entry: FocusEntry
    var source: Int
    var text: String
    var comment: String?
    var generated: Bool { comment != nil }
}
