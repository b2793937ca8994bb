import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import RackFocusShot

/// The studio's clip and its depth (metres), decoded once and held in memory so that any frame
/// can be rendered at once: every frame at half size for previews, and at full size while the
/// memory budget lasts (frames past it are decoded again when a final render asks for them).
final class StudioFootage: @unchecked Sendable {
    let clip: String
    let info: ClipInfo
    let rate: FrameRate
    let frameCount: Int
    var width: Int { info.width }
    var height: Int { info.height }
    /// The depth input as resolved: for a depth model, the clip of its estimates (cached).
    let resolvedDepth: DepthSettings
    /// Display-referred footage gets the same highlight recovery as `render`.
    let highlights: HighlightBoost?
    private let preview: [LogPlanes]
    private let full: [LogPlanes?]
    /// One entry for a still depth (without per-frame refinement), else one per frame.
    private let depthPreview: [LogPlanes]
    private let depthFull: [LogPlanes]

    /// - Parameters:
    ///   - budget: bytes for full-size frames (colour and depth); half-size ones are always kept.
    ///   - scratch: where an estimated depth clip is cached (`DepthEstimation`).
    init(
        clip: String, depth given: DepthSettings, plan: ShotPlan?, highlights: Highlights, budget: Int,
        scratch: String, threads: Int, feedback: Feedback
    ) throws {
        self.clip = clip
        info = try FFmpeg.probeClip(clip)
        rate = info.frameRate ?? plan?.fps ?? FrameRate(numerator: 24)
        let settings = try DepthEstimation.resolve(
            given, input: clip, output: scratch, threads: threads, feedback: feedback)
        resolvedDepth = settings
        let source = try DepthSource(settings, feedback: feedback)
        try source.checkSize(width: info.width, height: info.height)
        try source.checkCount(clip: clip, frames: info.frameCount)
        let maps = try source.frames(mapping: try source.mapping(plan: plan), size: (info.width, info.height))
        defer { maps.close() }
        let refine = source.refineRadius(frameWidth: info.width)
        let oneDepth = settings.still && refine == nil
        self.highlights = highlights.boost(sceneReferred: info.isFloat)

        let reader = try FrameReader(path: clip)
        defer { reader.close() }
        var preview: [LogPlanes] = [], full: [LogPlanes?] = []
        var depthPreview: [LogPlanes] = [], depthFull: [LogPlanes] = []
        var frame: PlanarImage?
        var used = 0
        let total = info.frameCount
        while try reader.next(into: &frame), let f = frame {
            if depthFull.isEmpty || !oneDepth {
                var d = try maps.require()
                if let refine { DepthRefinement.refineDepth(&d, frame: f, radius: refine) }
                depthFull.append(LogPlanes(d))
                depthPreview.append(LogPlanes(Resample.halve(d, nearest: true)))
                used += depthFull.last!.bytes
            }
            preview.append(LogPlanes(Resample.halve(f)))
            let kept = used + f.data.count * 2 <= budget
            full.append(kept ? LogPlanes(f) : nil)
            if kept { used += f.data.count * 2 }
            feedback.progress("decode", preview.count, total)
        }
        feedback.progress("decode", -1, total)
        try ShotError.requireComplete(clip, decoded: preview.count, expected: total)
        guard !preview.isEmpty else {
            throw ShotError(.truncated, file: clip, "holds no frame; check the path or the sequence pattern")
        }
        frameCount = preview.count
        self.preview = preview
        self.full = full
        self.depthPreview = depthPreview
        self.depthFull = depthFull
    }

    /// Frame n in linear light: half size for previews, else full size.
    func color(_ n: Int, preview half: Bool) throws -> PlanarImage {
        if half { return preview[n].decoded() }
        if let f = full[n] { return f.decoded() }
        let reader = try FrameReader(path: clip, startFrame: n)
        defer { reader.close() }
        var frame: PlanarImage?
        guard try reader.next(into: &frame), let frame else {
            throw ShotError(.truncated, file: clip, frame: n, "frame \(n) could not be decoded again")
        }
        return frame
    }

    /// Frame n's depth in metres, at the size `color` gives.
    func depth(_ n: Int, preview half: Bool) -> PlanarImage {
        let i = min(n, depthFull.count - 1)
        return (half ? depthPreview[i] : depthFull[i]).decoded()
    }

    /// Seconds at the start of frame n.
    func seconds(_ n: Int) -> Double { Double(n) / rate.fps }
}
