import RackFocusOptics
import Yams

/// Size limits on a plan's text and tree, checked before anything is built from it: a plan is a
/// page of YAML, and what is far beyond that (an alias bomb, a megabyte value) is refused in one
/// line instead of taking the machine's memory or minutes (docs/plan-format.md, "Limits").
enum PlanLimits {
    /// Nodes after aliases are expanded.
    static let maxNodes = 200_000
    /// Characters in one value.
    static let maxScalarCharacters = 10_000

    /// The first limit the tree breaks, as an issue; nil when it keeps them all.
    static func check(_ root: Node) -> PlanIssue? {
        var count = 0
        var stack: [Node] = [root]
        while let node = stack.popLast() {
            count += 1
            if count > maxNodes {
                return PlanIssue(
                    path: "", message: "the plan expands to more than \(maxNodes) values (aliases included)",
                    fix: "a plan lists its subjects and focus entries; remove repeated aliases (*name)")
            }
            switch node {
            case .scalar(let s):
                if s.string.count > maxScalarCharacters {
                    return PlanIssue(
                        path: "", line: node.mark?.line, column: node.mark?.column,
                        message: "a value of \(s.string.count) characters (the limit is \(maxScalarCharacters))",
                        fix: "check this line: a plan's values are names, distances and times")
                }
            case .mapping(let m):
                for (k, v) in m {
                    stack.append(k)
                    stack.append(v)
                }
            case .sequence(let s):
                stack.append(contentsOf: s)
            case .alias:
                break
            }
        }
        return nil
    }
}
