import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Hummingbird
@testable import RackFocusOptics
@testable import RackFocusPlan
@testable import RackFocusShot
@testable import RackFocusStudio

/// The page's edits on a plan's YAML: what the page does not touch stays as written, the layout
/// stays readable, and the result loads on its own.
@Suite struct StudioPlanTests {
    static let written = """
        name: Kitchen
        fps: 25
        camera: { sensor: super35, focalLength: 85mm, stop: T2, resolution: 1920x1080, minFocus: 0.9m,
                  aperture: { blades: 11, rotation: 0deg, curvature: 0.6 } }
        subjects:
          anna: { distance: 1.2m, note: "foreground shoulder" }
          ben:  { distance: 2.4m }
        focus:
          - { at: 0s, on: ben }
          - { rack: anna, land: "00:00:03:12", duration: 20f, curve: landing }
        """

    @Test func aRackLandsWhereClickedAndTheRestStaysAsWritten() throws {
        var plan = try StudioPlan(text: Self.written, file: "kitchen.yaml")
        try plan.addMark(
            subject: "cup", x: 0.4, y: 0.55, distance: 0.95, frame: 150, rate: FrameRate(numerator: 25),
            duration: nil, curve: nil)
        let p = plan.plan
        #expect(p.subject(named: "anna")?.note == "foreground shoulder")
        #expect(p.camera.aperture.blades == 11 && p.camera.stop.isTStop)
        #expect(p.subject(named: "cup")?.point == ImagePoint(x: 0.4, y: 0.55))
        #expect(p.subject(named: "cup")?.distance?.meters == 0.95)
        let last = try #require(p.curve.moves.last)
        #expect(last.to == .subject("cup") && abs(last.end - 6) < 1e-9 && abs(last.duration - 1) < 1e-9)
        // A second click before the first rack's landing is refused by the loader when it overlaps
        // that rack, and the plan is unchanged.
        let before = plan.text
        #expect(throws: PlanError.self) {
            try plan.addMark(
                subject: "ben", x: 0.6, y: 0.4, distance: 2.4, frame: 80, rate: FrameRate(numerator: 25),
                duration: 2, curve: nil)
        }
        #expect(plan.text == before)
        // One line per subject and per focus entry, the camera on one line.
        let lines = plan.text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("camera: {") })
        #expect(lines.filter { $0.hasPrefix("- {") || $0.hasPrefix("  - {") }.count == 3)
        #expect(try ShotPlan.parse(plan.text, file: "again.yaml").curve.moves.count == 2)
    }

    @Test func aClickAtTheFirstFrameMovesTheOpeningMark() throws {
        var plan = try StudioPlan(text: Self.written, file: "kitchen.yaml")
        try plan.addMark(
            subject: "anna", x: 0.2, y: 0.7, distance: 1.25, frame: 0, rate: FrameRate(numerator: 25), duration: nil,
            curve: nil)
        #expect(plan.plan.curve.initialTarget == .subject("anna"))
        #expect(plan.plan.curve.moves.count == 1)
        #expect(plan.plan.subject(named: "anna")?.distance?.meters == 1.25)
    }

    @Test func retimingSnapsToFrames() throws {
        var plan = try StudioPlan(text: Self.written, file: "kitchen.yaml")
        try plan.retime(entry: 1, start: 1.01, end: 2.49, rate: FrameRate(numerator: 25), curve: "linear")
        let move = try #require(plan.plan.curve.moves.first)
        #expect(abs(move.start - 1.0) < 1e-9 && abs(move.end - 2.48) < 1e-9)
        #expect(plan.text.contains("start: 25f") && plan.text.contains("duration: 37f"))
    }

    /// The studio over a real socket on loopback (HummingbirdTesting's live client), started as the
    /// issue does, with one depth map and no --depth-still: the map serves every frame.
    @Test func theServerAnswersOverLoopback() async throws {
        let session = try studioSession(still: false)
        #expect(session.options.depth.still)
        let app = Application(
            router: StudioServer.router(session), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let info = try await client.execute(uri: "/api/info", method: .get)
            #expect(info.status == .ok)
            #expect(try info.json()["frameCount"] as? Int == 24)
            let frame = try await client.execute(uri: "/api/frame/2.jpg?quality=preview", method: .get)
            #expect(jpegSize(Array(buffer: frame.body))! == (64, 36))
        }
    }
}

/// The studio on a clip without depth: a depth network estimates it once (the tiny test model of
/// Tests/Fixtures/depth-models, calibrated with --near/--far), and every route works on it.
@Suite struct StudioDepthModelTests {
    @Test func aDepthModelServesTheStudio() async throws {
        let f = try studioFootage()
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/depth-models/linear-dynamic.onnx").path
        var depth = DepthSettings(path: "", kind: .metric, near: .meters(1), far: .meters(8), stabilize: true)
        depth.model = DepthModelSettings(path: model)
        var options = StudioOptions(clip: f.clip, depth: depth, planFile: nil, outputFolder: f.folder)
        options.threads = 2
        let session = try StudioSession(options)
        try await withStudio(session) { client in
            let info = try await client.execute(uri: "/api/info", method: .get).json()
            #expect(info["depth"] as? String == model)
            let probe = try await client.execute(uri: "/api/depth/3?x=0.5&y=0.5", method: .get).json()
            let metres = try #require(probe["meters"] as? Double)
            #expect(metres >= 1 - 1e-6 && metres <= 8 + 1e-6, "\(metres)")
            let frame = try await client.execute(uri: "/api/frame/3.jpg?quality=preview", method: .get)
            #expect(frame.status == .ok)
            let mark = try await client.execute(
                uri: "/api/marks", method: .post, body: jsonBody(["frame": 12, "x": 0.27, "y": 0.64]))
            #expect(mark.status == .ok)
        }
        // The estimates were cached in the output folder, once.
        let cached = try FileManager.default.contentsOfDirectory(
            atPath: (f.folder as NSString).appendingPathComponent(".rackfocus-depth"))
        #expect(cached.count == 1)
    }
}

@Suite struct StudioStartTests {
    /// A new plan's lens is checked before the clip is decoded, and the error names the option.
    @Test func aBadLensIsRefusedWithItsOption() throws {
        let f = try studioFootage()
        var depth = DepthSettings(path: f.depth)
        depth.still = true
        var options = StudioOptions(clip: f.clip, depth: depth, planFile: nil, outputFolder: f.folder)
        options.stop = "fast"
        do {
            _ = try StudioSession(options)
            Issue.record("a stop of \"fast\" was accepted")
        } catch let e as StudioError {
            #expect(e.status == 422)
            #expect(e.message.contains("--focal/--stop/--sensor") && e.message.contains("stop"), "\(e.message)")
        }
    }
}
