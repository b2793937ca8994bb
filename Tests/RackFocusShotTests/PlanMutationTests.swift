import Foundation
import RackFocusCharts
import RackFocusOptics
import RackFocusPlan
import Testing

@testable import RackFocusShot

/// Seeded mutations of the example plans, as a fuzzer makes them: extreme numbers and units,
/// repeated, dropped and swapped lines. Whatever the loader accepts must go through everything
/// `plan`, `program` and `prompt` print without a trap (which would end the test run), in bounded
/// time, with no `nan` or `inf` in the text or JSON; what it refuses, it refuses in a few lines.
@Suite("Mutated plans")
struct PlanMutationTests {
    static let numbers = [
        "0", "-1", "1e308", "1e-320", "9223372036854775808", "nan", "inf", "0x3", "1e20", "0.001", "999999999", "-0",
        "86401", "1000.5", "1e-9",
    ]
    static let units = ["m", "mm", "ft", "in", "f", "s", "ms", "deg", "px", "%", ""]

    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static func mutate(_ text: String, rng: inout Rng) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return text }
        for _ in 0...rng.below(3) {
            let i = rng.below(lines.count)
            switch rng.below(5) {
            case 0, 1:
                // A number (with its unit) becomes an extreme one, in some unit.
                let line = lines[i]
                let digits = line.indices.filter { line[$0].isNumber }
                guard let at = digits.isEmpty ? nil : digits[rng.below(digits.count)] else { continue }
                var start = at, end = at
                while start > line.startIndex, "0123456789.".contains(line[line.index(before: start)]) {
                    start = line.index(before: start)
                }
                while end < line.endIndex, "0123456789.".contains(line[end]) { end = line.index(after: end) }
                while end < line.endIndex, line[end].isLetter { end = line.index(after: end) }
                let replacement = numbers[rng.below(numbers.count)] + units[rng.below(units.count)]
                lines[i] = String(line[..<start]) + replacement + String(line[end...])
            case 2: lines.insert(contentsOf: Array(repeating: lines[i], count: 1 + rng.below(3)), at: i)
            case 3: lines.remove(at: i)
            default: lines.swapAt(i, rng.below(lines.count))
            }
            if lines.isEmpty { break }
        }
        return lines.joined(separator: "\n")
    }

    static let examples: [(name: String, text: String)] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted().compactMap { n in
            (try? String(contentsOf: folder.appendingPathComponent(n), encoding: .utf8)).map { (n, $0) }
        }
    }()

    /// `nan` or `inf` as a printed number (not inside a word such as "info").
    static func printsNonNumber(_ s: String) -> Bool {
        let lower = s.lowercased()
        for word in ["nan", "inf"] {
            var range = lower.startIndex..<lower.endIndex
            while let r = lower.range(of: word, range: range) {
                let before = r.lowerBound == lower.startIndex ? " " : lower[lower.index(before: r.lowerBound)]
                let after = r.upperBound == lower.endIndex ? " " : lower[r.upperBound]
                if !before.isLetter && !after.isLetter { return true }
                range = r.upperBound..<lower.endIndex
            }
        }
        return false
    }

    @Test func mutatedExamplePlansNeverTrapOrPrintNaN() throws {
        #expect(Self.examples.count >= 8)
        var rng = Rng(
            state: ProcessInfo.processInfo.environment["RACKFOCUS_MUTATION_SEED"].flatMap(UInt64.init) ?? 2026)
        var accepted = 0, refused = 0, worstSeconds = 0.0, longestError = 0
        // 40 rounds in the suite; RACKFOCUS_MUTATION_ROUNDS runs a longer campaign.
        let rounds = ProcessInfo.processInfo.environment["RACKFOCUS_MUTATION_ROUNDS"].flatMap(Int.init) ?? 40
        for round in 0..<rounds {
            for (name, text) in Self.examples {
                let mutated = Self.mutate(text, rng: &rng)
                // A trap ends the process: RACKFOCUS_MUTATION_LOG keeps the plan that caused it.
                if let log = ProcessInfo.processInfo.environment["RACKFOCUS_MUTATION_LOG"] {
                    try? Data("\(name) round \(round)\n\(mutated)".utf8).write(to: URL(fileURLWithPath: log))
                }
                let started = Date()
                do {
                    let plan = try ShotPlan.parse(mutated, file: name)
                    accepted += 1
                    // Subjects placed only in the image need a depth map: the commands refuse them without.
                    guard plan.depthOnlyTargets.isEmpty else { continue }
                    let report = PlanReport(plan: plan)
                    var outputs = [PlanText.render(report)]
                    for style in RackPrompt.Style.allCases { outputs.append(RackPrompt.text(for: plan, style: style)) }
                    // The charts `plan --svg` and `marks` draw.
                    outputs += [FocusPlot.svg(plan: plan), MarksChart.svg(plan: plan)]
                    // The plan's own JSON, as `plan --json` prints it.
                    do {
                        outputs.append(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
                    } catch {
                        Issue.record("round \(round), \(name): the report does not encode (\(error)):\n\(mutated)")
                    }
                    if plan.duration <= 600 {
                        let program = MotorProgram(plan: plan, rate: 25)
                        outputs += [program.csv, program.json(planFile: name), program.openTrackIO]
                    }
                    for o in outputs where Self.printsNonNumber(o) {
                        Issue.record("round \(round), \(name): nan or inf printed:\n\(mutated)")
                        break
                    }
                } catch {
                    refused += 1
                    longestError = max(longestError, "\(error)".split(separator: "\n").count)
                }
                worstSeconds = max(worstSeconds, Date().timeIntervalSince(started))
            }
        }
        print(
            "mutated plans: \(accepted) accepted, \(refused) refused; longest error \(longestError) lines, slowest \(String(format: "%.2f", worstSeconds)) s"
        )
        #expect(accepted > 0 && refused > 0)
        #expect(longestError <= PlanError.shownIssues + 1)
        #expect(worstSeconds < 5)
    }
}
