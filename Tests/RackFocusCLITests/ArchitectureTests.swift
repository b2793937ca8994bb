import Foundation
import Testing

/// docs/architecture.md's table of modules and their dependencies is the package's, and no
/// source file outgrows the house limit.
@Suite("Architecture")
struct ArchitectureTests {
    /// Each `RackFocus*` target of Package.swift with the `RackFocus*` targets it depends on.
    func packageTargets() throws -> [String: Set<String>] {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        var out: [String: Set<String>] = [:]
        // Each `.target(` up to the next target declaration.
        let chunks = text.components(separatedBy: ".target(").dropFirst()
        for chunk in chunks {
            let body = chunk.components(separatedBy: ".testTarget(")[0].components(separatedBy: ".executableTarget(")[0]
            let names = body.matches(of: /"(RackFocus\w+)"/).map { String($0.1) }
            guard let name = names.first else { continue }
            out[name] = Set(names.dropFirst())
        }
        return out
    }

    /// The rows of the doc's module table: `RackFocusX` → the short names it lists.
    func documentedTargets() throws -> [String: Set<String>] {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        var out: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `RackFocus") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let deps =
                cells[1] == "—"
                ? [] : cells[1].split(separator: ",").map { "RackFocus" + $0.trimmingCharacters(in: .whitespaces) }
            out[name] = Set(deps)
        }
        return out
    }

    @Test func theModuleTableMatchesThePackage() throws {
        let package = try packageTargets(), documented = try documentedTargets()
        #expect(package.count >= 9, "\(package)")
        #expect(
            Set(package.keys) == Set(documented.keys),
            "modules: package \(package.keys.sorted()), doc \(documented.keys.sorted())")
        for (name, deps) in package {
            #expect(
                documented[name] == deps,
                "\(name): Package.swift \(deps.sorted()), docs/architecture.md \(documented[name]?.sorted() ?? [])")
        }
    }

    @Test func noSourceFileIsOver400Lines() throws {
        let sources = repoRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!.compactMap {
            $0 as? URL
        }
        .filter { $0.pathExtension == "swift" }
        #expect(files.count > 50)
        for f in files {
            let lines =
                try String(contentsOf: f, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                .count - 1
            #expect(lines <= 400, "\(f.lastPathComponent): \(lines) lines")
        }
    }
}
