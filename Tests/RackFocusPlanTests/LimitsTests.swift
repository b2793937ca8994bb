import Foundation
import Testing

@testable import RackFocusOptics
@testable import RackFocusPlan

/// The fuzzing findings of issue 15, each a plan that trapped, hung or printed nonsense before the
/// limits: now one error line naming the key, the value and the limit.
@Suite("Plan limits")
struct LimitsTests {
    static let rack = "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, duration: 1s }"

    @Test(arguments: [
        ("duration: 9223372036854775808f", "duration: 9.223372036854776e+18f is longer than 24 hours"),
        ("duration: 1e20f", "duration: 1e+20f is longer than 24 hours"),
        ("duration: 1e308s", "duration: \"1e308s\" is longer than 24 hours"),
        ("duration: 1e9s", "duration: \"1e9s\" is longer than 24 hours"),
    ])
    func durationsBeyondADayAreRefused(extra: String, message: String) {
        let p = problems(plan(focus: Self.rack, extra: extra))
        #expect(p.first?.hasPrefix(message) == true, "\(p)")
    }

    @Test func aTinyFrameRateIsRefused() {
        let p = problems(plan(focus: Self.rack).replacingOccurrences(of: "fps: 24", with: "fps: 0.001"))
        #expect(p.first?.hasPrefix("fps: \"0.001\" is not a frame rate from 1 to 1000 fps") == true, "\(p)")
        #expect(throws: ValueError.self) { try FrameRate(parsing: "1/1000") }
        #expect(throws: ValueError.self) { try FrameRate(parsing: "0x18") }
    }

    @Test(arguments: [
        ("1e308m", "is beyond 1,000 km"), ("1e-320m", "is closer than 1 mm"), ("0x3m", "is not a distance"),
        ("12'-6\"", "is not a distance"), ("nanm", "is not a distance"), ("infm", "is not a distance"),
    ])
    func distancesOutsideTheirRangeAreRefused(distance: String, message: String) {
        let p = problems(
            plan(
                focus: Self.rack,
                subjects: "  a: { distance: \"\(distance.replacingOccurrences(of: "\"", with: "\\\""))\" }\n  b: 4m"))
        #expect(p.first?.contains(message) == true, "\(p)")
    }

    /// A subject at the focal length made `prompt` trap and `plan` print "nan px" and a 3000° ring.
    @Test(arguments: ["50mm", "51mm", "100mm"])
    func aSubjectWithinTwiceTheFocalLengthIsRefused(distance: String) {
        let p = problems(
            plan(
                focus: Self.rack, subjects: "  a: \(distance)\n  b: 4m",
                camera: "{ sensor: super35, focalLength: 50mm, stop: 2 }"))
        #expect(p.first?.contains("is within twice the 50 mm focal length") == true, "\(p)")
    }

    @Test func aMinimumFocusInFeetBeyondIntIsRefused() {
        let p = problems(
            plan(focus: Self.rack, camera: "{ sensor: super35, focalLength: 50mm, stop: 2, minFocus: 1e20ft }"))
        #expect(p.first?.contains("camera.minFocus: \"1e20ft\" is beyond 1,000 km") == true, "\(p)")
    }

    @Test func timecodeHoursStopAt23() {
        #expect(throws: ValueError.self) {
            try Timecode.frame(parsing: "99999999999:00:00:00", rate: FrameRate(numerator: 24))
        }
        #expect((try? Timecode.frame(parsing: "23:59:59:23", rate: FrameRate(numerator: 24))) == 86400 * 24 - 1)
    }

    @Test func anAliasBombIsRefusedAtOnce() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1..<8 {
            lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let p = problems(lines.joined(separator: "\n") + "\n" + plan(focus: Self.rack))
        #expect(p.count == 1 && p[0].contains("expands to more than 200000 values"), "\(p)")
    }

    @Test func aMegabyteValueIsRefusedInOneShortLine() {
        let p = problems(plan(focus: Self.rack, extra: "name: \"" + String(repeating: "x", count: 1_000_000) + "\""))
        #expect(p.count == 1 && p[0].count < 200 && p[0].contains("1000000 characters"), "\(p.map(\.count))")
    }

    @Test func aDeviceIsNotReadToTheEnd() {
        #expect {
            _ = try ShotPlan.text(contentsOf: "/dev/zero")
        } throws: { "\($0)".contains("is larger than 4 MiB") }
    }

    /// Thousands of racks: assessed in time linear in their number (the report used to look each
    /// sample up from the first rack, quadratic: 10,000 racks took 32 s). Checked by counting, not timing.
    @Test func focusIsFoundByBinarySearch() throws {
        var entries = [Self.rack.split(separator: "\n")[0].description]
        for i in 0..<3000 {
            entries.append("  - { rack: \(i % 2 == 0 ? "b" : "a"), start: \(2 * i + 1)s, duration: 1s }")
        }
        let plan = try ShotPlan.parse(plan(focus: entries.joined(separator: "\n")))
        #expect(plan.curve.moves.count == 3000)
        #expect(plan.curve.movesStarted(by: 0.5) == 0 && plan.curve.movesStarted(by: 1) == 1)
        #expect(plan.curve.movesStarted(by: 5999.5) == 3000)
        // Mid-rack and held values agree with the curve's definition.
        #expect(plan.curve.focus(at: 2.5).meters == 4 && plan.curve.focus(at: 4).meters == 1.5)
        let m = plan.curve.moves[1]
        let expected =
            m.fromDistance.dioptres + (m.toDistance.dioptres - m.fromDistance.dioptres) * m.easing.progress(0.5)
        #expect(abs(plan.curve.focus(at: 3.5).dioptres - expected) < 1e-12)
        #expect(plan.curve.move(at: 3.5)?.entry == m.entry && plan.curve.move(at: 4.5) == nil)
    }

    /// 30,000 marks made `plan --json` run for 9 s; the counts have limits, each one error line.
    @Test func countsOfSubjectsAndFocusEntriesHaveLimits() throws {
        let marks = (0...Limits.maxFocusEntries).map { "  - { at: \($0)s, on: \($0 % 2 == 0 ? "a" : "b") }" }
        var p = problems(plan(focus: marks.joined(separator: "\n")))
        #expect(p.count == 1 && p[0].contains("10001 entries under focus; a plan holds at most 10000"), "\(p)")
        let at = (0..<Limits.maxFocusEntries).map { "  - { at: \($0)s, on: a }" }
        #expect(problems(plan(focus: at.joined(separator: "\n"))).isEmpty)
        let many = (0...Limits.maxSubjects).map { "  s\($0): 2m" }.joined(separator: "\n")
        p = problems(plan(focus: Self.rack, subjects: many))
        #expect(p.contains { $0.contains("1001 subjects; a plan holds at most 1000") }, "\(p)")
    }

    /// A duplicated key was reported at the mapping's first line with the whole plan as context.
    @Test func aDuplicateKeyIsOneLineAtItsSecondAppearance() {
        let text = plan(focus: Self.rack, subjects: "  a: { distance: 1.5m }\n  b: 4m\n  a: 3m")
        let p = problems(text)
        #expect(p == ["key 'a' appears twice in one mapping (first at line 5); keep one of them"], "\(p)")
        do {
            _ = try ShotPlan.parse(text, file: "dup.yaml")
        } catch {
            #expect(error.description.hasPrefix("dup.yaml:7: key 'a'") && !error.description.contains("\n"))
        }
    }

    /// Inputs the fuzzer found (scripts/fuzz-plan.sh) load or are refused, without a trap: the
    /// first was a duplicate key in a file whose lines end in carriage returns (its line number
    /// was past the lines split at \n only).
    @Test func fuzzerFindingsAreRefusedNotTrapped() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!files.isEmpty)
        for f in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(f))
            let p = problems(String(decoding: data, as: UTF8.self))
            #expect(!p.isEmpty, "\(f) loads")
        }
    }

    @Test func aFloodOfErrorsIsCutToAScreenful() {
        let bad = (0..<60).map { "  - { rack: nobody\($0), start: \($0)s, duration: 1s }" }.joined(separator: "\n")
        let text = plan(focus: "  - { at: 0s, on: a }\n" + bad)
        do {
            _ = try ShotPlan.parse(text, file: "flood.yaml")
            Issue.record("a plan with 60 unknown subjects loaded")
        } catch {
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == PlanError.shownIssues + 1 && lines.last!.hasPrefix("… and "), "\(lines.count)")
        }
    }
}
