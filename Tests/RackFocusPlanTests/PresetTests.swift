import Foundation
import RackFocusOptics
import Testing

@testable import RackFocusPlan

@Suite("Rack-type presets")
struct PresetTests {
    static let docs = examplesFolder.deletingLastPathComponent().appendingPathComponent("docs/plan-format.md")

    /// The focus entries a plan's presets expand to, without their comments.
    static func entries(_ text: String) throws -> [String] {
        let plan = try ShotPlan.parse(text)
        return try #require(plan.expandedFocus).map(\.entry)
    }

    /// The moves of a plan, as comparable tuples.
    static func moves(_ plan: ShotPlan) -> [String] {
        plan.curve.moves.map { m in
            String(
                format: "%@ %.4f-%.4f %.4f->%.4f %@", m.kind == .cut ? "cut" : "rack", m.start, m.end,
                m.fromDistance.meters, m.toDistance.meters, m.easing.rawValue)
        }
    }

    @Test(arguments: ["presets.yaml", "dual-plane.yaml"])
    func examplesExpandToTheEntriesTheDocsShow(file: String) throws {
        let path = examplesFolder.appendingPathComponent(file).path
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let plan = try ShotPlan.parse(source, file: path)
        let expanded = try #require(plan.expandedText(source: source))
        // The docs quote the focus list `plan --expand` prints, verbatim.
        let focusBlock = expanded.components(separatedBy: "\nfocus:\n")[1]
        let docs = try String(contentsOf: Self.docs, encoding: .utf8)
        #expect(docs.contains("focus:\n" + focusBlock), "docs/plan-format.md must show the expansion of \(file)")
        // Everything outside the focus list is kept, comments included.
        #expect(expanded.hasPrefix(source.components(separatedBy: "\nfocus:\n")[0]))
        // The expanded plan is an ordinary plan with the same timeline.
        let reloaded = try ShotPlan.parse(expanded)
        #expect(reloaded.expandedFocus == nil)
        #expect(Self.moves(reloaded) == Self.moves(plan))
        #expect(Self.moves(plan).count >= 1)
    }

    @Test func paceSetsDurationFromDioptreTravel() throws {
        // 0.5 D at neutral pace: the 1.25 s base, 30 frames at 24 fps.
        #expect(Pace.neutral.frames(dioptres: 0.5, fps: FrameRate(numerator: 24)) == 30)
        // Four times the travel doubles it; a sixteenth halves it; the clamp holds beyond.
        #expect(abs(Pace.neutral.seconds(dioptres: 2) - 2.5) < 1e-12)
        #expect(abs(Pace.neutral.seconds(dioptres: 0.125) - 0.625) < 1e-12)
        #expect(Pace.neutral.seconds(dioptres: 8) == Pace.neutral.seconds(dioptres: 2))
        for d in [0.1, 0.5, 1.0, 3.0] {
            #expect(Pace.calm.seconds(dioptres: d) > Pace.neutral.seconds(dioptres: d))
            #expect(Pace.neutral.seconds(dioptres: d) > Pace.urgent.seconds(dioptres: d))
        }
        // Through a plan: 1.5 m → 6 m is 0.5 D; the plan-wide pace and a per-entry pace.
        let calm = try Self.entries(
            plan(
                focus: "  - { preset: foreground-to-background, start: 1s }", extra: "pace: calm",
                subjects: "  a: 1.5m\n  b: 6m"))
        #expect(calm == ["{ at: 0s, on: a }", "{ rack: b, start: 1s, duration: 48f, curve: ease-in-out }"])
        let urgent = try Self.entries(
            plan(
                focus: "  - { preset: foreground-to-background, land: 3s, pace: urgent }", extra: "pace: calm",
                subjects: "  a: 1.5m\n  b: 6m"))
        #expect(urgent == ["{ at: 0s, on: a }", "{ rack: b, land: 3s, duration: 14f, curve: landing }"])
        // Written duration and curve win.
        let own = try Self.entries(
            plan(
                focus: "  - { preset: foreground-to-background, start: 1s, duration: 2s, curve: linear }",
                subjects: "  a: 1.5m\n  b: 6m"))
        #expect(own[1] == "{ rack: b, start: 1s, duration: 2s, curve: linear }")
    }

    @Test func foregroundAndBackgroundDefaultToTheNearestAndFarthest() throws {
        let subjects = "  mid: 3m\n  near: 1.2m\n  far: 12m"
        let ftb = try Self.entries(
            plan(focus: "  - { preset: foreground-to-background, start: 1s }", subjects: subjects))
        #expect(ftb[0] == "{ at: 0s, on: near }" && ftb[1].hasPrefix("{ rack: far, start: 1s"))
        let btf = try Self.entries(
            plan(focus: "  - { preset: background-to-foreground, start: 1s }", subjects: subjects))
        #expect(btf[0] == "{ at: 0s, on: far }" && btf[1].hasPrefix("{ rack: near, start: 1s"))
        // Later in a plan, a preset leaving from where focus is adds no mark and no from:.
        let later = try Self.entries(
            plan(
                focus: "  - { at: 0s, on: mid }\n  - { preset: foreground-to-background, from: mid, start: 2s }",
                subjects: subjects))
        #expect(later[1].hasPrefix("{ rack: far, start: 2s"))
        // The wrong direction is an error that names the other preset.
        let wrong = problems(
            plan(focus: "  - { preset: foreground-to-background, from: far, to: near, start: 1s }", subjects: subjects))
        #expect(wrong.count == 1 && wrong[0].contains("background-to-foreground"))
    }

    @Test func revealStartsWithTheSubjectUnidentifiablySoft() throws {
        // 85 mm T2, Super 35, 1920 wide: the default is 4% of the width, 76.8 px.
        let camera = "{ sensor: super35, focalLength: 85mm, stop: 2, minFocus: 0.9m }"
        let text = plan(
            focus: "  - { preset: reveal, subject: door, start: 1s }", subjects: "  door: 7m", camera: camera)
        let p = try ShotPlan.parse(text)
        #expect(p.warnings.isEmpty)
        let opening = p.curve.initial
        let blur = abs(p.camera.blurPixels(subject: .meters(7), focus: opening))
        #expect(blur >= 0.04 * 1920 - 0.05)
        #expect(blur < 0.04 * 1920 + 0.5, "the opening is as close to the subject as hides it, no farther")
        #expect(opening.meters < 7, "focus comes from in front, the usual reveal")
        #expect(p.curve.moves.count == 1 && p.curve.moves[0].toDistance.meters == 7)
        // soft: in pixels.
        let px = try ShotPlan.parse(
            plan(
                focus: "  - { preset: reveal, subject: door, start: 1s, soft: 150px }", subjects: "  door: 7m",
                camera: camera))
        #expect(abs(abs(px.camera.blurPixels(subject: .meters(7), focus: px.curve.initial)) - 150) < 0.5)
        // A wide lens stopped down cannot hide it: warned with advice, and focus opens at the
        // closest focus, where the blur is greatest.
        let wide = try ShotPlan.parse(
            plan(
                focus: "  - { preset: reveal, subject: door, start: 1s }", subjects: "  door: 7m",
                camera: "{ sensor: super35, focalLength: 24mm, stop: 8, minFocus: 0.3m }"))
        #expect(
            wide.warnings.contains { $0.message.contains("can be blurred only") && $0.fix.contains("open the stop") })
        #expect(abs(wide.curve.initial.meters - 0.3) < 0.001)
        // Starting from a subject that does not hide it: a warning.
        let weak = try ShotPlan.parse(
            plan(
                focus: "  - { preset: reveal, subject: door, from: chair, start: 1s }",
                subjects: "  chair: 5m\n  door: 7m", camera: camera))
        #expect(weak.warnings.contains { $0.message.contains("door is only") })
    }

    @Test func dualPlaneHoldsTheSplitThenCommits() throws {
        let camera = "{ sensor: super35, focalLength: 32mm, stop: 5.6 }"
        let p = try ShotPlan.parse(
            plan(
                focus: "  - { preset: dual-plane, planes: [a, b], commit: b, start: 4s }",
                subjects: "  a: 1.8m\n  b: 3.2m", camera: camera))
        // The split is the harmonic mean, where both planes blur equally and within the CoC.
        #expect(abs(p.curve.initial.meters - 2 * 1.8 * 3.2 / 5.0) < 0.0005)
        let blurA = abs(p.camera.blurPixels(subject: .meters(1.8), focus: p.curve.initial))
        let blurB = abs(p.camera.blurPixels(subject: .meters(3.2), focus: p.curve.initial))
        #expect(abs(blurA - blurB) < 0.01 && blurA <= p.camera.cocPixels)
        #expect(p.warnings.isEmpty)
        #expect(p.curve.moves.last?.toDistance.meters == 3.2 && p.curve.moves.last?.start == 4)
        // Too shallow to hold both: warned with the stop that would.
        let shallow = try ShotPlan.parse(
            plan(
                focus: "  - { preset: dual-plane, planes: [a, b], commit: b, start: 4s }",
                subjects: "  a: 1.8m\n  b: 3.2m", camera: "{ sensor: super35, focalLength: 85mm, stop: 2 }"))
        #expect(shallow.warnings.contains { $0.fix.contains("stop down to f/") })
        // commit must be one of the planes.
        let bad = problems(
            plan(
                focus: "  - { preset: dual-plane, planes: [a, b], commit: c, start: 4s }",
                subjects: "  a: 1.8m\n  b: 3.2m\n  c: 5m", camera: camera))
        #expect(bad.count == 1 && bad[0].contains("not one of the planes"))
    }

    @Test func dialoguePresetRacksLikeTheTranscriptPlanner() throws {
        let lines =
            "[ { at: 3s, speaker: anna }, { at: 5.6s, speaker: ben, until: 6.1s }, { at: 6.1s, speaker: anna }, { at: 9.2s, speaker: ben } ]"
        let p = try ShotPlan.parse(
            plan(focus: "  - { preset: dialogue, lines: \(lines) }", subjects: "  ben: 2.4m\n  anna: 1.2m"))
        // Same lines through the transcript planner, with the preset's rack length.
        var planner = DialogueRacks()
        planner.rackDuration =
            Double(Pace.neutral.frames(dioptres: 1 / 1.2 - 1 / 2.4, fps: FrameRate(numerator: 24))) / 24
        let expected = planner.schedule(
            [
                .init(start: 3, end: 5.6, subject: "anna", line: 1),
                .init(start: 5.6, end: 6.1, subject: "ben", line: 2),
                .init(start: 6.1, end: 9.2, subject: "anna", line: 3),
                .init(start: 9.2, end: 11.2, subject: "ben", line: 4),
            ],
            initial: "anna")
        #expect(expected.racks.count == 1 && expected.dropped.count == 1)
        #expect(p.curve.initialTarget == .subject("anna"))
        #expect(p.curve.moves.count == expected.racks.count)
        for (m, r) in zip(p.curve.moves, expected.racks) {
            #expect(m.to == .subject(r.subject))
            #expect(abs(m.end - (r.start + r.duration)) <= 0.5 / 24 + 1e-9)
            #expect(abs(m.end - (9.2 - planner.lead)) <= 0.5 / 24 + 1e-9, "lands the lead before Ben's line")
        }
        #expect(p.warnings.contains { $0.message.contains("interjection") })
    }

    @Test func mistakesAreNamed() {
        #expect(
            problems(plan(focus: "  - { preset: revael, subject: b, start: 1s }")).first?.contains(
                "did you mean reveal") == true)
        #expect(
            problems(plan(focus: "  - { preset: foreground-to-background }")).first?.contains("needs a cue") == true)
        #expect(
            problems(plan(focus: "  - { preset: foreground-to-background, start: 1s, pace: lazy }")).first?.contains(
                "calm, neutral or urgent") == true)
        #expect(
            problems(plan(focus: "  - { preset: reveal, start: 1s }")).first?.contains("reveal needs subject") == true)
        #expect(
            problems(plan(focus: "  - { preset: reveal, subject: b, start: 1s, sofft: 3% }")).first?.contains(
                "did you mean soft") == true)
        #expect(
            problems(plan(focus: "  - { preset: dialogue, lines: [ { at: 2s, speaker: b }, { at: 1s, speaker: a } ] }"))
                .contains { $0.contains("time order") })
        #expect(
            problems(plan(focus: "  - { at: 0s, on: a }", extra: "pace: brisk")).first?.contains("unknown pace") == true
        )
        // Errors inside a preset's racks name the preset entry.
        let late = problems(plan(focus: "  - { preset: foreground-to-background, start: 9s }", extra: "duration: 5s"))
        #expect(late.count == 1 && late[0].hasPrefix("focus[0]") && late[0].contains("past the end"))
    }
}
