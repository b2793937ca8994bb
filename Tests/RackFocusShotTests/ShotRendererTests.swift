import Foundation
import RackFocusImage
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import Testing

@testable import RackFocusShot

@Suite("The shot renderer")
struct ShotRendererTests {
    /// Frames in memory through the one per-frame loop: each output is the engine's render of its
    /// frame at the focus the plan gives at that frame's time, and the sink is finished.
    @Test func eachFrameIsRenderedAtThePlansFocusForItsTime() throws {
        let scene = DemoScene.make(width: 64, height: 36)
        let plan = try ShotPlan.parse(
            """
            fps: 24
            duration: 8f
            camera: { sensor: fullframe, focalLength: 85mm, stop: 1.8, resolution: 64x36 }
            subjects: { ball: 1.5m, figure: 6m }
            focus: [ { at: 0s, on: ball }, { rack: figure, start: 2f, land: 6f, curve: linear } ]
            """, file: "test plan")
        let sink = FrameCollector()
        let summary = try ShotRenderer(plan: plan, threads: 1)
            .render(
                MemoryFrames([scene.image], repeatsLast: true), depth: FixedDepth(scene.depth), range: 0..<8,
                rate: plan.fps, to: sink)
        #expect(summary.frames == 0..<8)
        #expect(sink.finished && sink.frames.count == 8)
        for n in [0, 3, 4, 7] {
            let settings = LensBlurSettings(
                camera: plan.camera, focus: plan.curve.focus(frame: n, fps: plan.fps), threads: 1)
            let expected = try LensBlur.render(image: scene.image, depth: scene.depth, settings: settings)
            #expect(sink.frames[n] == expected, "frame \(n)")
        }
        // The rack moves focus: the first and last frames differ.
        #expect(ImageQuality.psnr(sink.frames[0], sink.frames[7]) < 40)
    }

    /// An input that ends before its container's frame count is an error naming the frame, and
    /// the sink is cancelled (nothing half-written).
    @Test func aShortInputIsAnErrorAndCancelsTheOutput() throws {
        let scene = DemoScene.make(width: 32, height: 18)
        let plan = try ShotPlan.parse(
            """
            fps: 24
            camera: { sensor: fullframe, focalLength: 50mm, stop: 2, resolution: 32x18 }
            subjects: { a: 2m }
            focus: [ { at: 0s, on: a } ]
            """, file: "test plan")
        let sink = FrameCollector()
        let e = #expect(throws: ShotError.self) {
            try ShotRenderer(plan: plan, threads: 1).render(
                MemoryFrames([scene.image, scene.image, scene.image]), depth: FixedDepth(scene.depth),
                range: 0..<5, rate: plan.fps, to: sink, expected: 5, names: ("clip.mp4", nil))
        }
        #expect(e?.code == .truncated && e?.frame == 3 && e?.file == "clip.mp4")
        #expect(!sink.finished && sink.frames.isEmpty)
    }

    /// Bad depth in the middle of a clip names the depth file and the frame.
    @Test func badDepthNamesItsFileAndFrame() throws {
        let scene = DemoScene.make(width: 32, height: 18)
        var bad = scene.depth
        bad[0, 3, 4] = 0
        let plan = try ShotPlan.parse(
            """
            fps: 24
            camera: { sensor: fullframe, focalLength: 50mm, stop: 2, resolution: 32x18 }
            subjects: { a: 2m }
            focus: [ { at: 0s, on: a } ]
            """, file: "test plan")
        final class TwoMaps: DepthMaps {
            var maps: [PlanarImage]
            init(_ maps: [PlanarImage]) { self.maps = maps }
            func require() throws -> PlanarImage { maps.removeFirst() }
            func close() {}
        }
        let e = #expect(throws: RenderError.self) {
            try ShotRenderer(plan: plan, threads: 1).render(
                MemoryFrames([scene.image], repeatsLast: true), depth: TwoMaps([scene.depth, bad]),
                range: 0..<2, rate: plan.fps, to: FrameCollector(), names: ("clip.mp4", "depth_%04d.exr"))
        }
        #expect(e?.code == .badDepth && e?.frame == 1 && e?.file == "depth_%04d.exr")
        #expect(e?.description.hasPrefix("depth_%04d.exr: frame 1: depth at pixel (3, 4) is zero") == true)
    }
}
