import Foundation
import Testing

@testable import RackFocusOptics
@testable import RackFocusPlan

@Suite("Subjects placed in the image")
struct ImageSubjectTests {
    static let text = """
        fps: 24
        camera: { sensor: super35, focalLength: 50mm, stop: 2, minFocus: 0.5m }
        subjects:
          anna: { point: [0.3, 0.5] }
          ben:
            track:
              - { at: 0s, box: [0.6, 0.2, 0.2, 0.4] }
              - { at: 48f, box: [0.4, 0.3, 0.1, 0.2] }
          wall: { distance: 8m, box: [0, 0, 0.1, 0.1] }
        focus:
          - { at: 0s, on: anna }
          - { rack: ben, start: 1s, duration: 1s }
        """

    @Test func aTrackInterpolatesBetweenKeysAndHoldsAtTheEnds() throws {
        let plan = try ShotPlan.parse(Self.text)
        let ben = try #require(plan.subject(named: "ben"))
        #expect(ben.track?.count == 2)
        #expect(ben.region(at: -1) == ImageBox(x: 0.6, y: 0.2, width: 0.2, height: 0.4))
        let mid = try #require(ben.region(at: 1))
        #expect(
            abs(mid.x - 0.5) < 1e-12 && abs(mid.y - 0.25) < 1e-12 && abs(mid.width - 0.15) < 1e-12
                && abs(mid.height - 0.3) < 1e-12)
        #expect(ben.region(at: 5) == ImageBox(x: 0.4, y: 0.3, width: 0.1, height: 0.2))
        #expect(plan.subject(named: "anna")?.region(at: 3)?.isPoint == true)
        // Depth subjects: the unmeasured point and the moving track; the measured, still wall is an anchor.
        #expect(plan.depthSubjects.map(\.name) == ["anna", "ben"])
    }

    @Test func withoutDepthAnUnmeasuredTargetIsAnErrorThatNamesTheEntry() throws {
        let plan = try ShotPlan.parse(Self.text, file: "shot.yaml")
        do {
            try plan.requireMeasuredDistances()
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.count == 2)
            #expect(error.description.contains("shot.yaml:11:"))
            #expect(
                error.description.contains(
                    "focus[0].on: subject anna is placed in the image but has no measured distance"))
            #expect(error.description.contains("--depth"))
        }
    }

    @Test func focusFollowsMovingSubjectsAndRacksBetweenWhereTheyAre() throws {
        let plan = try ShotPlan.parse(Self.text)
        // anna walks from 2 m to 1 m over 2 s; ben stands at 4 m.
        func live(_ t: Double) -> (String) -> Distance? {
            { name in name == "anna" ? .meters(2 - 0.5 * t) : name == "ben" ? .meters(4) : nil }
        }
        // Holding on anna follows her.
        #expect(abs(plan.focus(at: 0.5, live: live(0.5)).meters - 1.75) < 1e-12)
        // Mid-rack (ease-in-out at u = 0.5): halfway in dioptres between where both are now.
        let mid = plan.focus(at: 1.5, live: live(1.5))
        #expect(abs(mid.dioptres - (1 / 1.25 + 1 / 4.0) / 2) < 1e-12)
        // Landed: on ben.
        #expect(plan.focus(at: 3, live: live(3)).meters == 4)

        // Resolved at the cues: the rack leaves anna where she is at 1 s and lands on ben at 2 s.
        let fixed = plan.resolved { name, t in live(t)(name) }
        #expect(fixed.curve.moves[0].fromDistance.meters == 1.5)
        #expect(fixed.curve.moves[0].toDistance.meters == 4)
        #expect(fixed.curve.initial.meters == 2)
        #expect(fixed.subject(named: "anna")?.distance?.meters == 2)
        #expect(throws: Never.self) { try fixed.requireMeasuredDistances() }
    }

    @Test(arguments: [
        (
            "ben: { track: [ { at: 2s, point: [0.1, 0.1] }, { at: 1s, point: [0.2, 0.2] } ] }",
            "track keys must be in time order"
        ),
        (
            "ben: { track: [ { at: 0s, point: [0.1, 0.1] }, { at: 1s, box: [0.2, 0.2, 0.1, 0.1] } ] }",
            "a track mixes points and boxes"
        ),
        ("ben: { track: [ { at: 0s } ] }", "a track key needs a point or a box"),
        ("ben: { track: [ { point: [0.1, 0.1] } ] }", "a track key needs at:"),
        ("ben: { track: [ { at: 1, point: [0.1, 0.1] } ] }", "has no unit"),
        ("ben: { point: [0.1, 0.1], box: [0.2, 0.2, 0.1, 0.1] }", "more than one of point, box and track"),
        ("ben: { track: [ { at: 0s, box: [0.8, 0.2, 0.3, 0.1] } ] }", "leaves the image"),
    ])
    func badTracksAreNamed(subject: String, message: String) {
        let text = plan(focus: "  - { at: 0s, on: a }", subjects: "  a: { distance: 1.5m }\n  \(subject)")
        let found = problems(text)
        #expect(found.contains { $0.contains(message) }, "\(found)")
    }
}
