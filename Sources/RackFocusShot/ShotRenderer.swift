import Dispatch
import RackFocusImage
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// Depth maps in metres, one per frame, already fitted to the frame.
package protocol DepthMaps: AnyObject {
    /// The next frame's map, or an error naming the frame when there is none.
    func require() throws -> PlanarImage
    func close()
}

extension DepthFrames: DepthMaps {}

/// One map for every frame: a built-in scene, or a locked-off shot held in memory.
package final class FixedDepth: DepthMaps {
    let map: PlanarImage
    package init(_ map: PlanarImage) { self.map = map }
    package func require() throws -> PlanarImage { map }
    package func close() {}
}

/// The one per-frame loop of a rendered rack (`render`, `demo`): each frame blurred with the
/// plan's lens at the focus the plan gives at its time, written to a sink that appears only
/// when complete.
package struct ShotRenderer {
    package var plan: ShotPlan
    package var quality: RenderQuality
    package var threads: Int
    package var highlights: HighlightBoost?

    package init(
        plan: ShotPlan, quality: RenderQuality = .final, threads: Int = defaultThreadCount,
        highlights: HighlightBoost? = nil
    ) {
        self.plan = plan
        self.quality = quality
        self.threads = threads
        self.highlights = highlights
    }

    /// What a render did.
    package struct Summary: Sendable {
        /// The frames written.
        package var frames: Range<Int>
        /// Wall time of the loop, decoding and encoding included.
        package var seconds: Double
        package var framesPerSecond: Double { seconds > 0 ? Double(frames.count) / seconds : 0 }
    }

    /// Renders frames `range` of `input` (which starts at `range.lowerBound`) into `sink`.
    ///
    /// - Parameters:
    ///   - distances: subjects read from depth, per frame (empty: the plan's distances).
    ///   - expected: the frame count the input's container states; fewer decoded is an error.
    ///   - names: the input and depth files, for errors.
    ///   - onFrame: sees each rendered frame (the demo keeps its key frames).
    package func render(
        _ input: any FrameSource, depth: any DepthMaps, range: Range<Int>, rate: FrameRate,
        distances: SubjectDistances = SubjectDistances(frames: [:]), to sink: any FrameSink,
        expected: Int? = nil, names: (input: String, depth: String?) = ("input", nil),
        feedback: Feedback = .silent, onFrame: ((Int, PlanarImage) -> Void)? = nil
    ) throws -> Summary {
        let renderer = LayeredRenderer(threads: threads)
        let framing = plan.camera.breathing != 0 ? distances.focus(plan, frame: 0, rate: rate) : nil
        let total =
            expected.map { min(range.upperBound, $0) - range.lowerBound }
            ?? (range.upperBound == .max ? nil : range.count)
        let t0 = DispatchTime.now().uptimeNanoseconds
        var frame: PlanarImage?
        var n = range.lowerBound
        do {
            while n < range.upperBound {
                guard try input.next(into: &frame) else { break }
                let d = try depth.require()
                let settings = LensBlurSettings(
                    camera: plan.camera, focus: distances.focus(plan, frame: n, rate: rate), quality: quality,
                    highlights: highlights, breathingReference: framing, threads: threads)
                let result: PlanarImage
                do {
                    result = try LensBlur.render(image: frame!, depth: d, settings: settings, renderer: renderer)
                } catch {
                    throw error.located(file: names.depth, frame: n)
                }
                try sink.write(result)
                onFrame?(n, result)
                n += 1
                feedback.progress("render", n - range.lowerBound, total)
            }
            try ShotError.requireComplete(names.input, decoded: n, expected: expected.map { min(range.upperBound, $0) })
            try sink.finish()
        } catch {
            sink.cancel()
            input.close()
            depth.close()
            throw error
        }
        feedback.progress("render", -1, total)
        return Summary(frames: range.lowerBound..<n, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
}

extension ShotError {
    /// A clip that decodes fewer frames than its container states is truncated or damaged.
    package static func requireComplete(_ input: String, decoded n: Int, expected: Int?) throws(ShotError) {
        if let expected, n < expected {
            throw ShotError(
                .truncated, file: input, frame: n,
                "the clip ended at frame \(n) but should have \(expected) frames; the file is truncated or damaged (ffmpeg decoded no more)"
            )
        }
    }
}
