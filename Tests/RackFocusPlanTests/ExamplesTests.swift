import Foundation
import Testing

@testable import RackFocusPlan

@Suite("Every example plan loads and plans")
struct ExamplesTests {
    @Test func thereAreAtLeastThreeExamples() {
        #expect(exampleFiles.count >= 3)
    }

    @Test(arguments: exampleFiles)
    func examplePlans(file: URL) throws {
        var plan = try ShotPlan.load(contentsOf: file.path)
        if !plan.depthOnlyTargets.isEmpty {
            // Subjects placed only in the image: unplannable without depth (the CLI test resolves
            // this example against the demo's depth); here each stands at a distance of its own.
            #expect(throws: PlanError.self) { try plan.requireMeasuredDistances() }
            let names = plan.subjects.map(\.name)
            plan = plan.resolved { name, _ in .meters(1.5 * Double(1 + names.firstIndex(of: name)!)) }
        }
        let report = PlanReport(plan: plan)
        #expect(!report.marks.isEmpty)
        #expect(!report.racks.isEmpty)
        for rack in report.racks {
            #expect(rack.landSeconds > rack.startSeconds)
            #expect(rack.visibilityPx >= 0)
        }
    }

    @Test func theWideFastRackDoesNotReadAndSaysWhy() throws {
        let plan = try ShotPlan.load(contentsOf: examplesFolder.appendingPathComponent("wide-fast-rack.yaml").path)
        let rack = try #require(PlanReport(plan: plan).racks.first)
        #expect(rack.verdict == .invisible)
        #expect(rack.advice.contains { $0.contains("lens") })
        #expect(rack.warnings.contains { $0.contains("snap") })
    }

    @Test func theDialogueRackReads() throws {
        let plan = try ShotPlan.load(contentsOf: examplesFolder.appendingPathComponent("dialogue-85mm.yaml").path)
        let report = PlanReport(plan: plan)
        #expect(report.racks.count == 2)
        #expect(report.racks.allSatisfy { $0.verdict == .reads })
        #expect(report.camera.notes.contains(where: { $0.contains("T-stop") }))
        // Land on 00:00:03:12 at 23.976: frame 84, so the 20-frame rack starts on frame 64.
        #expect(report.racks[0].landTimecode == "00:00:03:12")
        #expect(report.racks[0].startTimecode == "00:00:02:16")
    }

    @Test func jsonAndYamlDescribeTheSamePlan() throws {
        let yaml = """
            fps: 25
            camera: { sensor: fullframe, focalLength: 50mm, stop: 2 }
            subjects: { a: { distance: 1m }, b: { distance: 3m } }
            focus:
              - { at: 0s, on: a }
              - { rack: b, start: 1s, duration: 12f, curve: landing }
            """
        let json = """
            {"fps": 25, "camera": {"sensor": "fullframe", "focalLength": "50mm", "stop": 2},
             "subjects": {"a": {"distance": "1m"}, "b": {"distance": "3m"}},
             "focus": [{"at": "0s", "on": "a"}, {"rack": "b", "start": "1s", "duration": "12f", "curve": "landing"}]}
            """
        let p1 = try ShotPlan.parse(yaml), p2 = try ShotPlan.parse(json)
        for t in stride(from: 0.0, through: 3, by: 0.04) {
            #expect(p1.curve.focus(at: t) == p2.curve.focus(at: t))
        }
        #expect(p1.subjects.map(\.name) == p2.subjects.map(\.name))
    }
}
