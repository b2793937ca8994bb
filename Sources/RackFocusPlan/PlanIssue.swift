import RackFocusOptics

/// One problem in a shot plan: where it is (key path and line), what is wrong, how to fix it.
public struct PlanIssue: Sendable, Hashable, CustomStringConvertible {
    /// Key path such as `focus[2].duration` (empty for the whole file).
    public var path: String
    /// 1-based line and column in the file, when known.
    public var line: Int?
    public var column: Int?
    public var message: String
    public var fix: String

    public init(path: String, line: Int? = nil, column: Int? = nil, message: String, fix: String = "") {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
    }

    /// `focus[2].duration: "1.5" has no unit; write 1.5s or 36f`
    public var description: String {
        let head = path.isEmpty ? message : "\(path): \(message)"
        return fix.isEmpty ? head : "\(head); \(fix)"
    }

    /// With file and line in front, as compilers print it: `shot.yaml:7:12: focus[2]...`.
    public func located(in file: String?) -> String {
        var prefix = ""
        if let file { prefix = file + ":" }
        if let line { prefix += "\(line):" + (column.map { "\($0):" } ?? "") }
        return prefix.isEmpty ? description : "\(prefix) \(description)"
    }
}

/// A shot plan that could not be loaded: every problem found, not just the first.
public struct PlanError: Error, Sendable, CustomStringConvertible {
    /// The file the plan came from, if any.
    public var file: String?
    public var issues: [PlanIssue]

    public init(file: String?, issues: [PlanIssue]) {
        self.file = file
        self.issues = issues
    }

    /// Issues shown before the rest are counted: a mangled file gets a screenful, not a flood.
    public static let shownIssues = 20

    /// One line per issue, the first `shownIssues` of them.
    public var description: String {
        var lines = issues.prefix(Self.shownIssues).map { $0.located(in: file) }
        if issues.count > Self.shownIssues {
            lines.append("… and \(issues.count - Self.shownIssues) more; fix these first")
        }
        return lines.joined(separator: "\n")
    }
}
