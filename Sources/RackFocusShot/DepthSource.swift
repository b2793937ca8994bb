import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// A shot's depth input opened once: its readers, its mapping to metres (calibrated to the
/// plan's subjects when it can be), and the size policy that fits its maps to the frame.
package final class DepthSource {
    package let settings: DepthSettings
    package let info: ClipInfo
    let feedback: Feedback
    private var first: PlanarImage?

    package init(_ settings: DepthSettings, feedback: Feedback = .silent) throws {
        self.settings = settings
        self.feedback = feedback
        info = try FFmpeg.probeClip(settings.path)
    }

    package var path: String { settings.path }

    /// A reader of the raw maps from frame `start` (from the first map for a still depth).
    package func reader(start: Int = 0) throws -> FrameReader {
        try FrameReader(
            path: settings.path, depth: true, depthScale: settings.scale, normalizeIntegers: settings.kind != .metric,
            depthChannel: settings.channel,
            startFrame: settings.still ? 0 : start)
    }

    /// The first map, raw (before any mapping to metres); read once.
    package func firstMap() throws -> PlanarImage {
        if let first { return first }
        let probe = try reader()
        defer { probe.close() }
        var map: PlanarImage?
        guard try probe.next(into: &map), let map else {
            throw ShotError(
                .depthCount, file: settings.path, "holds no depth map; check the path or the sequence pattern")
        }
        first = map
        return map
    }

    /// The mapping from map values to metres, fitted to the plan's subjects that have both an
    /// image position and a measured distance (sampled in the first map at their place at 0 s),
    /// otherwise from `near`/`far` (normalized, inverse) or as metres (metric). Says how it was
    /// fitted, and warns when the values look like another kind than the one given.
    package func mapping(plan: ShotPlan?) throws -> DepthMapping {
        try DepthCalibration(settings: settings, feedback: feedback).mapping(
            plan: plan, firstMap: { try self.firstMap() })
    }

    /// The window `--refine-depth` uses for frames `width` pixels wide (nil when not asked): one of
    /// the maps' pixels covers width / their width frame pixels.
    package func refineRadius(frameWidth width: Int) -> Int? {
        guard settings.refine else { return nil }
        return DepthRefinement.refineRadius(scale: max(1, Double(width) / Double(max(info.width, 1))))
    }

    /// Checks, before any frame is read, that a depth clip or sequence has one map for each of the
    /// `frames` of `clip` (a still depth serves them all).
    package func checkCount(clip: String, frames: Int?) throws {
        if !settings.still, let a = frames, let b = info.frameCount, a != b {
            throw ShotError(
                .depthCount, file: settings.path,
                "\(b) depth maps for the \(a) frames of \(clip); give one depth map per frame, or --depth-still for a locked-off shot"
            )
        }
    }

    /// Checks, before any frame is read, that the maps fit a frame of `width × height`.
    package func checkSize(width: Int, height: Int) throws {
        _ = try DepthFitting(fit: settings.fit, file: settings.path)
            .plan(from: (info.width, info.height), to: (width, height), feedback: feedback)
    }

    /// The maps in metres, one per frame from `start`, steadied when asked and fitted to
    /// `width × height` (nil: their own size).
    package func frames(mapping: DepthMapping, start: Int = 0, size: (width: Int, height: Int)? = nil) throws
        -> DepthFrames
    {
        let fitting = try size.map {
            try DepthFitting(fit: settings.fit, file: settings.path).plan(from: (info.width, info.height), to: $0)
        }
        // The first map, when calibration or a check has read it already, is not read again.
        let pending = start == 0 || settings.still ? first : nil
        let reader = pending == nil ? try reader(start: start) : settings.still ? nil : try reader(start: 1)
        let frames = DepthFrames(
            reader: reader, pending: pending, path: settings.path, mapping: mapping, still: settings.still,
            stabilizer: settings.stabilize ? DepthStabilizer() : nil, fitting: fitting, first: start)
        // An estimator's relative depth, once calibrated, can run past infinity where it saw sky.
        if settings.estimatedBy != nil { frames.farthest = DepthFrames.estimatedFarthest }
        return frames
    }
}

/// A depth input's maps in metres, frame by frame: read, mapped, steadied, fitted to the frame.
package final class DepthFrames {
    let reader: FrameReader?
    /// A raw map read before, served first.
    private var pending: PlanarImage?
    let path: String
    let mapping: DepthMapping
    let still: Bool
    let stabilizer: DepthStabilizer?
    let fitting: DepthFitting.Plan?
    /// When set, distances beyond it (or past infinity) are clamped to it.
    var farthest: Float?
    /// The far limit of estimated depth: 1 km is at infinity for every lens and stop RackFocus
    /// renders (its blur differs from infinity's by under 0.1% of the largest CoC at 10 m).
    static let estimatedFarthest: Float = 1000
    private var raw: PlanarImage?
    private var current: PlanarImage?
    private var frame: Int

    init(
        reader: FrameReader?, pending: PlanarImage?, path: String, mapping: DepthMapping, still: Bool,
        stabilizer: DepthStabilizer?, fitting: DepthFitting.Plan?, first: Int
    ) {
        self.reader = reader
        self.pending = pending
        self.path = path
        self.mapping = mapping
        self.still = still
        self.stabilizer = stabilizer
        self.fitting = fitting
        frame = first
    }

    /// The next frame's map; nil past the last map of a clip (a still depth never ends).
    package func next() throws -> PlanarImage? {
        defer { frame += 1 }
        if still, let current { return current }
        var d: PlanarImage
        if let p = pending {
            d = p
            pending = nil
        } else {
            guard let reader, try reader.next(into: &raw) else { return nil }
            d = raw!
        }
        mapping.apply(&d)
        if let far = farthest {
            for i in d.data.indices where !(d.data[i] > 0 && d.data[i] < far) { d.data[i] = far }
        }
        stabilizer?.process(&d)
        if let fitting { d = fitting.apply(d) }
        current = d
        return d
    }

    /// The next frame's map, or an error naming the frame when the depth runs out first.
    package func require() throws -> PlanarImage {
        let n = frame
        guard let d = try next() else {
            throw ShotError(
                .depthCount, file: path, frame: n,
                "ran out of depth maps at frame \(n); give one per frame, or --depth-still")
        }
        return d
    }

    package func close() { reader?.close() }
}
