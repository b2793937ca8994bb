import Foundation
import RackFocusOptics
import Yams

extension ShotPlan {
    /// Loads a plan from a YAML or JSON file (JSON is read as the YAML subset it is).
    /// `-` reads the plan from standard input.
    public static func load(contentsOf path: String) throws(PlanError) -> ShotPlan {
        try parse(try text(contentsOf: path), file: path == "-" ? "stdin" : path)
    }

    /// The text of a plan (or track) file as UTF-8; `-` reads standard input. A missing file, a
    /// folder or text that is not UTF-8 is an error naming the path.
    public static func text(contentsOf path: String) throws(PlanError) -> String {
        /// The whole file is wrong: one issue naming the path.
        func refused(_ message: String, fix: String) -> PlanError {
            PlanError(file: path, issues: [PlanIssue(path: "", message: message, fix: fix)])
        }
        let handle: FileHandle?
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw refused("no such file", fix: "check the path")
            }
            if isDir.boolValue { throw refused("is a folder", fix: "give the plan file itself") }
            handle = FileHandle(forReadingAtPath: path)
        }
        // Read at most one byte past the limit: a device or a huge file is refused, not swallowed.
        guard let handle, let data = try? handle.read(upToCount: Limits.planBytes + 1) ?? Data() else {
            throw refused("cannot read the file", fix: "check that it is a plan file")
        }
        if data.count > Limits.planBytes {
            throw refused(
                "is larger than \(Limits.planBytes >> 20) MiB",
                fix: "give a plan or track file (YAML or JSON); a plan is a page of text")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw refused("cannot read the file as UTF-8 text", fix: "save the plan as UTF-8 YAML or JSON")
        }
        return text
    }

    /// Parses and validates plan text. `file` only labels errors.
    public static func parse(_ text: String, file: String? = nil) throws(PlanError) -> ShotPlan {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PlanError(
                    file: file,
                    issues: [
                        PlanIssue(
                            path: "", message: "the plan is empty",
                            fix: "start from one of the files in examples/")
                    ])
            }
            root = node
            if let issue = PlanLimits.check(node) { throw PlanError(file: file, issues: [issue]) }
        } catch let e as PlanError {
            throw e
        } catch let e as YamlError {
            throw PlanError(file: file, issues: [yamlIssue(e, text: text)])
        } catch {
            throw PlanError(file: file, issues: [PlanIssue(path: "", message: "not valid YAML or JSON: \(error)")])
        }
        var log = IssueLog()
        let plan = PlanBuilder.build(PlanNode(node: root, path: ""), log: &log, file: file)
        if !log.errors.isEmpty || plan == nil {
            throw PlanError(file: file, issues: log.errors)
        }
        var result = plan!
        result.warnings = log.warnings
        result.file = file
        result.depthOnlyTargets = log.needsDepth
        return result
    }

    private static func yamlIssue(_ e: YamlError, text: String) -> PlanIssue {
        switch e {
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the mapping; point at the key's second appearance in it.
            let key = duplicates.sorted().first ?? ""
            // YAML breaks lines at \n, \r\n and a lone \r alike.
            let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .split(separator: "\n", omittingEmptySubsequences: false)
            var seen: [Int] = []
            for n in min(max(0, context.mark.line - 1), lines.count)..<lines.count where seen.count < 2 {
                let l = lines[n]
                for prefix in ["", " ", "{", ",", "- "] {
                    if l.range(of: "\(prefix)\(key):") != nil || l.range(of: "\(prefix)\(key) :") != nil,
                        l.trimmingCharacters(in: .whitespaces).hasPrefix(key) || prefix != ""
                    {
                        seen.append(n + 1)
                        break
                    }
                }
            }
            let line = seen.count == 2 ? seen[1] : context.mark.line
            return PlanIssue(
                path: "", line: line, column: nil,
                message: "key '\(key)' appears twice in one mapping"
                    + (seen.count == 2
                        ? " (first at line \(seen[0]))" : " (the mapping starts at line \(context.mark.line))"),
                fix: "keep one of them")
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let where_ = context.map { " (\($0.text))" } ?? ""
            return PlanIssue(
                path: "", line: mark.line, column: mark.column, message: "not valid YAML or JSON: \(problem)\(where_)",
                fix: "check indentation, colons and brackets at this line")
        default:
            return PlanIssue(path: "", message: "not valid YAML or JSON: \(e)")
        }
    }
}
