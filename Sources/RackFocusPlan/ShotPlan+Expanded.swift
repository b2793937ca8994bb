import Yams

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
