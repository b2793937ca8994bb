import Foundation
import Testing

@testable import RackFocusOptics
@testable import RackFocusPlan

/// What the project writes in plan form is read back by the plan loader to the same values.
@Suite("Plan and track writers read back")
struct WriterRoundTripTests {
    @Test func aWrittenPlanLoadsToWhatWasWritten() throws {
        var camera = Camera(sensor: try Sensor.preset(named: "fullframe"), focalLengthMM: 85, stop: Stop(1.8))
        camera.breathing = 0
        camera.catEye = 0.35
        var writer = PlanWriter(
            comments: ["written by a test"], name: "Round \"trip\"", fps: FrameRate(numerator: 25), frames: 100,
            camera: camera,
            resolution: Resolution(width: 1280, height: 720),
            subjects: [("near", .meters(1.5)), ("far", .meters(6)), ("sky", .infinity)], initial: "near",
            racks: [
                .init(to: "far", startFrame: 20, frames: 30, curve: .landing, comment: "first"),
                .init(to: "sky", startFrame: 60, frames: 12, curve: .easeInOut),
            ])
        writer.notes["near"] = "the \"hero\", camera left\\right\nsecond line"
        let plan = try ShotPlan.parse(writer.yaml, file: "written.yaml")
        #expect(plan.subject(named: "near")?.note == writer.notes["near"])
        #expect(plan.subject(named: "far")?.note == nil)
        #expect(plan.name == "Round 'trip'")
        #expect(plan.fps == FrameRate(numerator: 25) && plan.frameCount == 100)
        #expect(plan.camera.focalLengthMM == 85 && plan.camera.stop.number == 1.8)
        #expect(plan.camera.catEye == 0.35)
        #expect(abs(plan.camera.sensor.widthMM - camera.sensor.widthMM) < 1e-9)
        // A preset sensor is written by its name, not turned into millimetres.
        #expect(writer.yaml.contains("  sensor: fullframe\n") && plan.camera.sensor.name == "fullframe")
        #expect(plan.camera.resolution == Resolution(width: 1280, height: 720))
        #expect(plan.subjects.map(\.name) == ["near", "far", "sky"])
        #expect(plan.subject(named: "far")?.distance == .meters(6))
        #expect(plan.subject(named: "sky")?.distance?.isInfinite == true)
        #expect(plan.curve.initialTarget == .subject("near"))
        #expect(plan.curve.moves.map { plan.frame(at: $0.start) } == [20, 60])
        #expect(plan.curve.moves.map { plan.frame(at: $0.end) } == [50, 72])
        #expect(plan.curve.moves.map(\.easing) == [.landing, .easeInOut])
    }

    @Test(arguments: ["yaml", "json"])
    func aWrittenTrackLoadsAsTheSubjectsKeys(format: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-track-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Five frames at 30000/1001, lost at frames 2-3.
        let keys: [TrackFileWriter.Key] = [
            .init(frame: 0, box: [0.1, 0.2, 0.3, 0.4], confidence: 1, state: "start"),
            .init(frame: 1, box: [0.12345, 0.2, 0.3, 0.4], confidence: 0.9876, state: "tracked"),
            .init(frame: 2, box: nil, confidence: 0.2, state: "lost"),
            .init(frame: 3, box: nil, confidence: 0.1, state: "lost"),
            .init(frame: 4, box: [0.5, 0.5, 0.25, 0.5], confidence: 0.8, state: "reacquired"),
        ]
        let writer = TrackFileWriter(
            clip: "clip \"a\".mp4", rate: FrameRate(numerator: 30000, denominator: 1001), width: 640, height: 360,
            keys: keys)
        #expect(writer.lostSpans == [2...3])
        let file = dir.appendingPathComponent("hero.track.\(format)")
        try Data((format == "yaml" ? writer.yaml(command: "rackfocus track clip.mp4") : writer.json).utf8).write(
            to: file)
        let planFile = dir.appendingPathComponent("shot.yaml")
        try Data(
            """
            fps: 24
            camera: { sensor: fullframe, focalLength: 50mm, stop: 2 }
            subjects: { hero: { track: hero.track.\(format) }, wall: 10m }
            focus: [ { at: 0s, on: wall } ]
            """.utf8
        ).write(to: planFile)
        let track = try #require(try ShotPlan.load(contentsOf: planFile.path).subject(named: "hero")?.track)
        // Lost frames are left out; times are read at the file's own rate; boxes to 4 decimals.
        #expect(track.count == 3)
        #expect(zip(track.map(\.time), [0.0, 1, 4].map { $0 * 1001 / 30000 }).allSatisfy { abs($0 - $1) < 1e-9 })
        let written = keys.compactMap(\.box)
        for (k, box) in zip(track, written) {
            let read = [k.region.x, k.region.y, k.region.width, k.region.height]
            #expect(zip(read, box).allSatisfy { abs($0 - $1) <= 0.00005 + 1e-12 }, "\(read) vs \(box)")
        }
    }
}
