import RackFocusOptics
import Yams

/// A node of a parsed plan with the key path that reached it, so every error can say where it is.
struct PlanNode {
    let node: Node
    let path: String

    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    /// The scalar text, or nil for mappings, sequences and null.
    var scalar: String? {
        guard case .scalar(let s) = node else { return nil }
        if s.style == .plain && ["~", "null", "Null", "NULL", ""].contains(s.string) { return nil }
        return s.string
    }

    var isMapping: Bool { node.mapping != nil }
    var isSequence: Bool { node.sequence != nil }

    /// Children of a mapping, in file order.
    var entries: [(key: String, value: PlanNode)] {
        guard let mapping = node.mapping else { return [] }
        return mapping.map { (k, v) in
            let key = k.string ?? "\(k)"
            return (key, PlanNode(node: v, path: path.isEmpty ? key : "\(path).\(key)"))
        }
    }

    /// Items of a sequence.
    var items: [PlanNode] {
        guard let seq = node.sequence else { return [] }
        return seq.enumerated().map { PlanNode(node: $0.element, path: "\(path)[\($0.offset)]") }
    }

    subscript(key: String) -> PlanNode? { entries.first { $0.key == key }?.value }

    func issue(_ message: String, fix: String = "") -> PlanIssue {
        PlanIssue(path: path, line: line, column: column, message: message, fix: fix)
    }

    func issue(_ error: ValueError) -> PlanIssue { issue(error.message, fix: error.fix) }
}

/// Collects issues while walking a plan, so a user sees every problem at once.
struct IssueLog {
    var errors: [PlanIssue] = []
    var warnings: [PlanIssue] = []
    /// Focus entries that name a subject only a depth map can place.
    var needsDepth: [PlanIssue] = []

    mutating func error(_ i: PlanIssue) { errors.append(i) }
    mutating func warn(_ i: PlanIssue) { warnings.append(i) }

    /// Parses a scalar with `parse`; records the failure and returns nil on error.
    mutating func value<T>(_ node: PlanNode?, _ what: String, parse: (String) throws(ValueError) -> T) -> T? {
        guard let node else { return nil }
        guard let text = node.scalar else {
            error(
                node.issue(
                    "expected \(what), found \(node.isMapping ? "a mapping" : node.isSequence ? "a list" : "nothing")"))
            return nil
        }
        do { return try parse(text) } catch { self.error(node.issue(error)); return nil }
    }

    /// Like `value`, but records "missing" when the key is absent.
    mutating func required<T>(
        _ parent: PlanNode, _ key: String, _ what: String, example: String,
        parse: (String) throws(ValueError) -> T
    ) -> T? {
        guard let node = parent[key] else {
            error(
                PlanIssue(
                    path: parent.path.isEmpty ? key : "\(parent.path).\(key)", line: parent.line,
                    message: "missing \(what)", fix: "add \(key): \(example)"))
            return nil
        }
        return value(node, what, parse: parse)
    }

    /// Reports keys that are not in `allowed`, suggesting the closest one.
    mutating func checkKeys(_ node: PlanNode, allowed: [String]) {
        for (key, child) in node.entries where !allowed.contains(key) {
            let fix = closestName(to: key, in: allowed).map { "did you mean \($0)?" } ?? ""
            error(
                child.issue(
                    "unknown key \"\(key)\"",
                    fix: fix.isEmpty ? "allowed keys here: \(allowed.joined(separator: ", "))" : fix))
        }
    }
}

/// The candidate a misspelling most likely meant: at most 3 edits, and fewer edits than the
/// word has letters (so "c" does not suggest "a").
func closestName(to word: String, in candidates: [String]) -> String? {
    guard let best = candidates.min(by: { editDistance(word, $0) < editDistance(word, $1) }) else { return nil }
    let d = editDistance(word, best)
    return d <= 3 && d < word.count ? best : nil
}

/// Levenshtein distance, for "did you mean" hints on misspelt keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}
