import Testing

@testable import RackFocusPlan

@Suite("Plan validation names the key, the value and the fix")
struct ValidationTests {
    @Test func durationWithoutUnit() {
        let p = problems(plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, duration: \"1.5\" }"))
        #expect(p == ["focus[1].duration: \"1.5\" has no unit; write 1.5s, 500ms, 36f or timecode 00:00:04:12"])
    }

    @Test func aSubjectWithAnErrorIsReportedOnceNotAgainByTheRackAfterIt() {
        let p = problems(
            plan(
                focus: "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, duration: 1s }",
                subjects: "  a: { track: no-such.track.yaml }\n  b: 4m"))
        #expect(p.count == 1)
        #expect(p.first?.contains("cannot read the track file no-such.track.yaml (no such file)") == true)
        // With no mark at all, the rack still says focus has nowhere to start.
        #expect(
            problems(plan(focus: "  - { rack: b, start: 1s, duration: 1s }")).first?.contains("nowhere to start from")
                == true)
    }

    @Test func overlappingRacks() {
        let p = problems(
            plan(
                focus:
                    "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, duration: 2s }\n  - { rack: a, start: 2s, duration: 1s }"
            ))
        #expect(p.count == 1)
        #expect(
            p.first?.hasPrefix("focus[2].start: this rack starts at 2s, before focus[1] ends at 3s (overlapping moves)")
                == true)
    }

    @Test func unknownSubjectSuggestsTheNearestName() {
        let p = problems(plan(focus: "  - { at: 0s, on: a }\n  - { rack: bb, start: 1s, duration: 1s }"))
        #expect(
            p == [
                "focus[1].rack: unknown subject \"bb\"; did you mean b? subjects are: a, b; or write a distance such as 3m"
            ])
    }

    @Test func rackPastTheEnd() {
        let p = problems(
            plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, land: 9s, duration: 1s }", extra: "duration: 8s"))
        #expect(
            p == [
                "focus[1].land: this rack lands at 9s, past the end of the shot (8s); land it by 8s or lengthen duration"
            ])
    }

    @Test func negativeDistance() {
        let p = problems(plan(focus: "  - { at: 0s, on: a }", subjects: "  a: { distance: -2m }"))
        #expect(p.first?.hasPrefix("subjects.a.distance: distance -2.00 m is not in front of the lens") == true)
    }

    @Test func focusInsideTheStatedMinimumFocusIsAnError() {
        let p = problems(plan(focus: "  - { at: 0s, on: a }", subjects: "  a: { distance: 0.3m }"))
        #expect(p.first?.hasPrefix("subjects.a.distance: 30 cm is closer than the lens's minimum focus 50 cm") == true)
    }

    @Test func focusInsideTheGenericMinimumFocusIsOnlyAWarning() throws {
        let text = plan(
            focus: "  - { at: 0s, on: a }", subjects: "  a: { distance: 0.3m }",
            camera: "{ sensor: super35, focalLength: 85mm, stop: 2 }")
        let loaded = try ShotPlan.parse(text)
        #expect(loaded.warnings.contains { $0.description.contains("closer than a typical 85 mm lens focuses") })
    }

    @Test func catEyeIsReadAndCheckedForRange() throws {
        func camera(_ catEye: String) -> String {
            "{ sensor: super35, focalLength: 50mm, stop: 2, minFocus: 0.5m, catEye: \(catEye) }"
        }
        let loaded = try ShotPlan.parse(plan(focus: "  - { at: 0s, on: a }", camera: camera("0.4")))
        #expect(loaded.camera.catEye == 0.4)
        #expect(try ShotPlan.parse(plan(focus: "  - { at: 0s, on: a }")).camera.catEye == 0)
        let tooMuch = problems(plan(focus: "  - { at: 0s, on: a }", camera: camera("0.95")))
        #expect(tooMuch.count == 1)
        #expect(tooMuch.first?.hasPrefix("camera.catEye: cat's eye 0.95 is outside 0-0.9") == true)
        #expect(problems(plan(focus: "  - { at: 0s, on: a }", camera: camera("-0.1"))).count == 1)
        #expect(
            problems(plan(focus: "  - { at: 0s, on: a }", camera: camera("lots"))).first?.contains("catEye") == true)
    }

    @Test func misspeltKeyGetsASuggestion() {
        let p = problems(plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, durration: 1s }"))
        #expect(p.contains("focus[1].durration: unknown key \"durration\"; did you mean duration?"))
    }

    @Test func missingCueAndMissingDuration() {
        #expect(
            problems(plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, duration: 1s }")).first?.contains(
                "a rack needs a cue") == true)
        #expect(
            problems(plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, start: 1s }")).first?.contains(
                "a rack needs a duration") == true)
    }

    @Test func badYamlReportsTheLine() throws {
        do {
            _ = try ShotPlan.parse("fps: 24\ncamera: { sensor: super35\nsubjects: {}", file: "shot.yaml")
            Issue.record("bad YAML was accepted")
        } catch {
            #expect(error.description.hasPrefix("shot.yaml:3:"))
            #expect(error.description.contains("not valid YAML or JSON"))
        }
    }

    @Test func everyProblemIsReportedAtOnce() {
        let text = """
            fps: 24
            camera: { sensor: imax, focalLength: 50mm, stop: 2 }
            subjects: { a: { distance: 3 } }
            focus: [ { at: 0s, on: a } ]
            """
        let p = problems(text)
        #expect(p.contains { $0.hasPrefix("camera.sensor: unknown sensor \"imax\"") })
        #expect(p.contains { $0.hasPrefix("subjects.a.distance: \"3\" has no unit") })
    }

    @Test func missingFileAndEmptyFile() {
        #expect(throws: PlanError.self) { try ShotPlan.load(contentsOf: "/nonexistent/shot.yaml") }
        #expect(problems("") == ["the plan is empty; start from one of the files in examples/"])
    }

    @Test func dropFrameTimecodeNeedsA2997Rate() {
        let p = problems(plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, start: \"00:00:04;12\", duration: 1s }"))
        #expect(p.first?.contains("drop-frame timecode, which exists only at 29.97 and 59.94 fps") == true)
    }

    @Test func racksMayTakeABareDistanceAndARackCanOpenThePlanWithFrom() throws {
        let text = plan(focus: "  - { rack: 3m, from: a, start: 1s, duration: 1s }")
        let p = try ShotPlan.parse(text)
        #expect(p.curve.focus(at: 0) == .meters(1.5))
        #expect(p.curve.focus(at: 5) == .meters(3))
    }
}
