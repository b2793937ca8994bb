import ArgumentParser
import Foundation
import RackFocusImage
import Testing

@testable import RackFocusCLI
@testable import RackFocusMedia
@testable import RackFocusOptics
@testable import RackFocusPlan
@testable import RackFocusRender
@testable import RackFocusShot

@Suite("Subjects read from depth", .serialized)
struct SubjectFromDepthTests {
    static let frames = 16
    /// The walker: a textured square that moves right and away, 2 m → 3 m (linear in dioptres),
    /// in front of a wall at 8 m. Returns its true distance per frame.
    static func truth(_ t: Int) -> Double { 1 / (0.5 + (1.0 / 3 - 0.5) * Double(t) / Double(frames - 1)) }
    static func walkerX(_ t: Int) -> Int { 10 + t }

    func shot(_ dir: URL) throws -> (clip: String, depth: String, plan: String) {
        let w = 64, h = 36
        let clip = dir.appendingPathComponent("plate.mkv").path
        let writer = try FrameWriter(path: clip, width: w, height: h, frameRate: FrameRate(numerator: 24))
        for t in 0..<Self.frames {
            var img = PlanarImage(width: w, height: h, channels: 3)
            var d = PlanarImage(width: w, height: h, channels: 1, fill: 8)
            for y in 0..<h {
                for x in 0..<w {
                    let onWalker = x >= Self.walkerX(t) && x < Self.walkerX(t) + 16 && y >= 10 && y < 26
                    img[0, x, y] = (x / 2 + y / 2) % 2 == 0 ? 0.9 : 0.1
                    img[1, x, y] = onWalker ? 0.8 : 0.3
                    img[2, x, y] = 0.4
                    if onWalker { d[0, x, y] = Float(Self.truth(t)) }
                }
            }
            try writer.write(img)
            try PFM.encode(d).write(to: dir.appendingPathComponent(String(format: "depth_%04d.pfm", t)))
        }
        try writer.finish()
        // The track is loose (it includes wall on both sides), as a hand-drawn box is.
        let plan = dir.appendingPathComponent("shot.yaml").path
        let x0 = Double(Self.walkerX(0) - 4) / 64, x1 = Double(Self.walkerX(Self.frames - 1) - 4) / 64
        try Data(
            """
            fps: 24
            camera: { sensor: fullframe, focalLength: 85mm, stop: 1.4, resolution: 64x36 }
            subjects:
              walker: { track: [ { at: 0f, box: [\(x0), 0.2, 0.375, 0.6] }, { at: \(Self.frames - 1)f, box: [\(x1), 0.2, 0.375, 0.6] } ] }
              wall: 8m
            focus: [ { at: 0s, on: walker } ]
            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        return (clip, dir.appendingPathComponent("depth_%04d.pfm").path, plan)
    }

    @Test func focusFollowsATrackedSubjectThroughTheDepthMap() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try shot(dir)
        let plan = try ShotPlan.load(contentsOf: shot.plan)
        let live = try SubjectDistances.read(
            plan: plan, depth: DepthSource(DepthSettings(path: shot.depth)), mapping: .metric(),
            frames: Self.frames, rate: plan.fps)
        for t in 0..<Self.frames {
            let d = try #require(live.distance("walker", frame: t)).meters
            #expect(abs(d - Self.truth(t)) < 0.01 * Self.truth(t), "frame \(t): read \(d) m, true \(Self.truth(t)) m")
        }
        // The render holds the walker sharp: each frame matches a still render at his true distance.
        let out = dir.appendingPathComponent("out_%04d.pfm").path
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", out])
        let reader = try FrameReader(path: shot.clip)
        var frame: PlanarImage?
        for t in 0..<Self.frames {
            _ = try reader.next(into: &frame)
            let depth = try StillImage.readDepth(String(format: shot.depth, t))
            let expected = try LensBlur.render(
                image: frame!, depth: depth,
                settings: LensBlurSettings(camera: plan.camera, focus: .meters(Self.truth(t))))
            let psnr = ImageQuality.psnr(try StillImage.readColor(String(format: out, t)), expected)
            #expect(psnr > 40, "frame \(t): \(psnr) dB")
        }
    }

    @Test func planWithDepthReportsTheSubjectAndWithoutItSaysWhatIsMissing() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try shot(dir)
        do {
            try run(["plan", shot.plan])
            Issue.record("planned a depth-only subject without depth")
        } catch let e as any CustomStringConvertible {
            #expect(
                e.description.contains(
                    "focus[0].on: subject walker is placed in the image but has no measured distance"))
        }
        try run(["plan", shot.plan, "--depth", shot.depth, "--json"])
        let report = try PlanWithDepth.resolve(
            ShotPlan.load(contentsOf: shot.plan), file: shot.plan, depth: DepthSettings(path: shot.depth)
        ).report
        let walker = try #require(report.subjectsFromDepth?.first)
        #expect(walker.subject == "walker" && walker.position == "track of 2 keys")
        #expect(walker.perFrameM.count == Self.frames)
        #expect(abs(walker.startM - 2) < 0.02 && abs(walker.farthestM - 3) < 0.03)
        #expect(abs(report.marks[0].distanceM! - 2) < 0.02)
    }

    @Test func aColourEXRDepthMapReadsItsValues() throws {
        // Renderers often write Z into an RGB EXR. ffmpeg turns float RGB into a constant grey, so
        // both readers take the red channel themselves.
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rgb = PlanarImage(width: 16, height: 8, channels: 3)
        for y in 0..<8 { for x in 0..<16 { for c in 0..<3 { rgb[c, x, y] = 1 + Float(x) * 0.5 + Float(y) } } }
        let path = dir.appendingPathComponent("depth.exr").path
        try StillImage.write(rgb, to: path)
        let still = try StillImage.readDepth(path)
        var streamed: PlanarImage?
        let reader = try FrameReader(path: path, depth: true)
        _ = try reader.next(into: &streamed)
        for y in 0..<8 {
            for x in 0..<16 {
                #expect(abs(still[0, x, y] - rgb[0, x, y]) < 1e-3)
                #expect(abs(streamed![0, x, y] - rgb[0, x, y]) < 1e-3)
            }
        }
    }

    @Test(arguments: ["image-subjects.yaml", "tracked-ball.yaml"])
    func theImageSubjectExamplesResolveOnTheDemosDepth(example: String) throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let depth = dir.appendingPathComponent("depth.pfm").path
        try PFM.encode(DemoScene.make(width: 640, height: 360).depth).write(to: URL(fileURLWithPath: depth))
        let file = repoRoot.appendingPathComponent("examples/\(example)").path
        let plan = try PlanWithDepth.resolve(
            ShotPlan.load(contentsOf: file), file: file, depth: DepthSettings(path: depth, still: true)
        ).plan
        // The ball's front is at 1.5 m and its rim at 1.65 m; the figure stands at 6 m.
        let ball = try #require(plan.subject(named: "ball")?.distance?.meters)
        #expect(ball > 1.49 && ball < 1.56, "\(ball)")
        #expect(abs(try #require(plan.subject(named: "figure")?.distance?.meters) - 6) < 0.01)
    }
}

@Suite("Every command that reads a plan takes depth")
struct PlanCommandsTakeDepthTests {
    /// `examples/image-subjects.yaml` places its subjects in the image only: `program`, `prompt`
    /// and `marks` read their distances from the demo's depth as `plan` and `render` do.
    @Test func imageSubjectsRunThroughProgramPromptAndMarks() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let depth = dir.appendingPathComponent("depth.pfm").path
        try PFM.encode(DemoScene.make(width: 640, height: 360).depth).write(to: URL(fileURLWithPath: depth))
        let plan = repoRoot.appendingPathComponent("examples/image-subjects.yaml").path
        let withDepth = ["--depth", depth, "--depth-still"]
        // Without depth each says which subject has no distance.
        for command in ["prompt", "marks"] {
            let e = #expect(throws: PlanError.self) { try run([command, plan]) }
            #expect(
                e?.description.contains("is placed in the image but has no measured distance") == true, "\(command)")
        }
        let csv = dir.appendingPathComponent("pull.csv").path
        try run(["program", plan, "-o", csv] + withDepth)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        // Focus opens on the ball (front at 1.5 m, its rim at 1.65 m) and lands on the figure at 6 m.
        let first = try #require(Double(rows[1].split(separator: ",")[1])),
            last = try #require(Double(rows.last!.split(separator: ",")[1]))
        #expect(first > 1.49 && first < 1.56, "\(first)")
        #expect(abs(last - 6) < 0.01, "\(last)")
        try run(["prompt", plan] + withDepth)
        let marks = MarksCommand.render(try loadPlan(plan, depth: DepthSettings(path: depth, still: true)).plan)
        #expect(marks.contains("ball") && marks.contains("figure") && marks.contains("6.00 m"), "\(marks)")
        try run(["marks", plan, "--svg", dir.appendingPathComponent("marks.svg").path] + withDepth)
    }
}

@Suite("rackfocus still --depth-kind")
struct StillDepthKindTests {
    /// An estimator's disparity map with the distances of its extremes renders the frame the
    /// metric map does.
    @Test func inverseDepthRendersAsItsMetres() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var img = PlanarImage(width: 32, height: 24, channels: 3, fill: 0.3)
        var metres = PlanarImage(width: 32, height: 24, channels: 1)
        for y in 0..<24 {
            for x in 0..<32 {
                if (x / 4 + y / 4) % 2 == 0 { img[0, x, y] = 0.9 }
                metres[0, x, y] = x < 16 ? 1 : 4
            }
        }
        var disparity = metres
        disparity.data = metres.data.map { 3 / $0 + 0.5 }
        let frame = dir.appendingPathComponent("f.pfm").path, m = dir.appendingPathComponent("m.pfm").path,
            d = dir.appendingPathComponent("d.pfm").path
        try StillImage.write(img, to: frame)
        try PFM.encode(metres).write(to: URL(fileURLWithPath: m))
        try PFM.encode(disparity).write(to: URL(fileURLWithPath: d))
        let a = dir.appendingPathComponent("a.pfm").path, b = dir.appendingPathComponent("b.pfm").path
        let lens = ["--focus", "1m", "--focal", "50mm", "--stop", "1.4", "--sensor", "6.4x4.8"]
        try run(["still", "--image", frame, "--depth", m, "-o", a] + lens)
        try run(
            [
                "still", "--image", frame, "--depth", d, "--depth-kind", "inverse", "--near", "1m", "--far", "4m", "-o",
                b,
            ] + lens)
        #expect(ImageQuality.psnr(try StillImage.readColor(a), try StillImage.readColor(b)) > 60)
        // Without the distances of its extremes (and no plan to calibrate it), it says what it needs.
        let e = #expect(throws: ShotError.self) {
            try run(
                [
                    "still", "--image", frame, "--depth", d, "--depth-kind", "inverse", "-o",
                    dir.appendingPathComponent("c.pfm").path,
                ] + lens)
        }
        #expect(e?.code == .depthOptions)
    }
}
