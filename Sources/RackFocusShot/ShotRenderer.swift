import Dispatch
import Foundation
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
    /// When set, each frame's depth is pulled onto its edges (`DepthRefinement.refineDepth`) within
    /// windows of this radius (px).
    package var refineRadius: Int?

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
        // Three stages with a frame in flight in each: the next frames are decoded (and their depth
        // read) on one thread and the finished ones encoded on another while the cores render.
        let decoded = Handoff<(Int, PlanarImage, PlanarImage)>(capacity: 2)
        let rendered = Handoff<(Int, PlanarImage)>(capacity: 2)
        let failure = FirstFailure<any Error>()
        let box = Shared((input, depth, sink))
        let refineRadius = self.refineRadius
        let observer = FrameObserver(onFrame)
        // Decoded frames' buffers come back once rendered, so decoding allocates none after the first few.
        let spare = Handoff<PlanarImage>(capacity: 4)
        let readerDone = DispatchSemaphore(value: 0), writerDone = DispatchSemaphore(value: 0)
        let progress = WrittenCount(range.lowerBound)
        let reader = Thread {
            let (input, depth, _) = box.value
            var n = range.lowerBound
            do {
                while n < range.upperBound {
                    var frame: PlanarImage? = spare.takeIfAny()
                    guard try input.next(into: &frame) else { break }
                    var d = try depth.require()
                    if let radius = refineRadius { DepthRefinement.refineDepth(&d, frame: frame!, radius: radius) }
                    guard decoded.put((n, frame!, d)) else { break }
                    n += 1
                }
                try ShotError.requireComplete(
                    names.input, decoded: n, expected: expected.map { min(range.upperBound, $0) })
            } catch {
                failure.record(error)
                rendered.abandon()
            }
            decoded.close()
            readerDone.signal()
        }
        let first = range.lowerBound
        let writer = Thread {
            Self.writeAll(
                rendered, to: box.value.2, observer: observer, progress: progress, failure: failure, upstream: decoded
            ) { n in feedback.progress("render", n + 1 - first, total) }
            writerDone.signal()
        }
        reader.start()
        writer.start()
        while failure.value == nil, let (n, frame, d) = decoded.take() {
            let settings = LensBlurSettings(
                camera: plan.camera, focus: distances.focus(plan, frame: n, rate: rate), quality: quality,
                highlights: highlights,
                breathingReference: framing, threads: threads)
            do {
                let result = try LensBlur.render(image: frame, depth: d, settings: settings, renderer: renderer)
                spare.offer(frame)
                guard rendered.put((n, result)) else { break }
            } catch {
                failure.record(error.located(file: names.depth, frame: n))
                decoded.abandon()
            }
        }
        rendered.close()
        writerDone.wait()
        // The reader may still be waiting to hand over a frame: release it and wait for its end.
        decoded.abandon()
        spare.abandon()
        readerDone.wait()
        if let error = failure.value {
            sink.cancel()
            input.close()
            depth.close()
            throw error
        }
        do { try sink.finish() } catch {
            sink.cancel()
            throw error
        }
        feedback.progress("render", -1, total)
        return Summary(
            frames: range.lowerBound..<progress.value, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
}

extension ShotRenderer {
    /// The writer thread's work: every rendered frame into the sink, in order, until the queue
    /// ends; on an error the frames upstream stop.
    static func writeAll(
        _ rendered: Handoff<(Int, PlanarImage)>, to sink: any FrameSink, observer: FrameObserver,
        progress: WrittenCount, failure: FirstFailure<any Error>, upstream: Handoff<(Int, PlanarImage, PlanarImage)>,
        report: (Int) -> Void
    ) {
        while let item = rendered.take() {
            do {
                try sink.write(item.1)
                observer.see(item.0, item.1)
                progress.value = item.0 + 1
                report(item.0)
            } catch {
                failure.record(error)
                upstream.abandon()
                return
            }
        }
    }
}

/// Whoever wants to see each frame as it is written (the demo keeps its key frames); called on
/// the writer thread, one frame at a time.
final class FrameObserver: @unchecked Sendable {
    private let body: ((Int, PlanarImage) -> Void)?
    init(_ body: ((Int, PlanarImage) -> Void)?) { self.body = body }
    func see(_ n: Int, _ frame: PlanarImage) { body?(n, frame) }
}

/// The frames written so far, set by the writer thread and read once it has ended.
final class WrittenCount: @unchecked Sendable {
    var value: Int
    init(_ value: Int) { self.value = value }
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
