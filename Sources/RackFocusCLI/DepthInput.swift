import ArgumentParser
import Foundation
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// The depth-map options `render` and `plan` share: where depth comes from, what its values mean,
/// how to calibrate and steady it.
struct DepthInput: ParsableArguments {
    @Option(help: "Depth: a clip or sequence with one map per frame, or one map (see --depth-kind).") var depth: String?
    @Option(help: "Metres per step of integer depth maps (0.001 for millimetres).") var depthScale: Double?
    @Flag(help: "Use the first depth map for every frame (a locked-off shot).") var depthStill = false
    @Option(help: "What depth values mean: metric (metres), inverse (disparity: bigger = nearer), normalized (0 = near, 1 = far).") var depthKind: String = "metric"
    @Option(help: "Distance of the nearest value (normalized and uncalibrated inverse maps).") var near: String?
    @Option(help: "Distance of the farthest value (normalized and uncalibrated inverse maps).") var far: String?
    @Flag(help: "Normalized maps: 1 is near, 0 is far (After Effects / Resolve style).") var nearIsWhite = false
    @Flag(help: "Steady flickering per-frame depth (estimator output): robust per-frame scale/shift alignment and temporal smoothing.") var stabilizeDepth = false
    @Option(help: "Smoothing of distances read for subjects placed in the image, in frames (Gaussian sigma; 0 = none).") var subjectSmoothing: Double = 2

    func validate() throws {
        if !subjectSmoothing.isFinite || subjectSmoothing < 0 || subjectSmoothing > 50 {
            throw ValidationError("--subject-smoothing: \(subjectSmoothing) must be 0-50 frames")
        }
        if DepthKind(rawValue: depthKind) == nil {
            throw ValidationError("--depth-kind: unknown kind \"\(depthKind)\"; use metric, inverse or normalized")
        }
    }

    var kind: DepthKind { DepthKind(rawValue: depthKind) ?? .metric }

    /// The depth path, required by the caller.
    func path(for command: String) throws(CLIError) -> String {
        guard let depth else { throw CLIError("\(command) needs --depth: a depth clip, sequence or map for the input") }
        return depth
    }

    /// A reader of the depth input from frame `start`, values raw for inverse and normalized maps.
    func reader(start: Int = 0) throws -> FrameReader {
        let path = try path(for: "this command")
        return try media { () throws(MediaError) in
            try FrameReader(path: path, depth: true, depthScale: depthScale, normalizeIntegers: kind != .metric,
                            startFrame: depthStill ? 0 : start)
        }
    }

    /// The first map of the depth input, raw (before any mapping to metres).
    func firstMap() throws -> PlanarImage {
        let probe = try reader()
        defer { probe.close() }
        var first: PlanarImage?
        guard try media({ () throws(MediaError) in try probe.next(into: &first) }), let map = first else {
            throw CLIError("\(depth ?? "depth"): holds no depth map; check the path or the sequence pattern")
        }
        return map
    }

    /// The mapping from map values to metres: fitted to the plan's subjects that have both an
    /// image position and a measured distance (sampled in the first depth map, at their position
    /// at 0 s), otherwise from --near/--far (normalized, inverse) or as metres (metric).
    func mapping(plan: ShotPlan?) throws -> DepthMapping {
        let nearD = try near.map { t throws(CLIError) in try parseOption("--near", t) { t throws(ValueError) in try Distance(parsing: t) } }
        let farD = try far.map { t throws(CLIError) in try parseOption("--far", t) { t throws(ValueError) in try Distance(parsing: t) } }
        if let n = nearD, let f = farD, !(n.meters > 0 && f.meters > n.meters) {
            throw CLIError("--near/--far: near (\(n)) must be positive and nearer than far (\(f))")
        }
        let anchors = (plan?.subjects ?? []).compactMap { s -> (name: String, at: ImagePoint, d: Double)? in
            guard let d = s.distance, !d.isInfinite, let r = s.region(at: 0) else { return nil }
            return (s.name, r.centre, d.meters)
        }
        let needed = kind == .metric ? 2 : 1
        if anchors.count >= needed && !(kind == .normalized && nearD != nil && farD != nil) {
            let map = try firstMap()
            let values = anchors.map { DepthProbe.medianValue(map, x: $0.at.x, y: $0.at.y) }
            if let fit = DepthMapping.calibrated(kind: kind, values: values, distances: anchors.map(\.d)) {
                let residuals = zip(anchors, values).map { a, v in
                    String(format: "%@ %.2f m (measured %.2f m)", a.name as NSString, Double(fit.metres(v)), a.d)
                }
                note("depth calibrated from \(anchors.count) subject(s): \(fit); \(residuals.joined(separator: ", "))")
                return fit
            }
        }
        switch kind {
        case .metric:
            return .metric()
        case .normalized:
            guard let n = nearD, let f = farD else {
                throw CLIError("--depth-kind normalized needs --near and --far (the distances of 0 and 1), or plan subjects with a point and a distance")
            }
            return .normalized(near: n.meters, far: f.meters, nearIsWhite: nearIsWhite)
        case .inverse:
            guard let n = nearD, let f = farD else {
                throw CLIError("--depth-kind inverse needs plan subjects with a point and a measured distance to calibrate it, or --near and --far")
            }
            return .inverse(spanning: try firstMap().data, near: n.meters, far: f.meters)
        }
    }

    /// The distance of each of the plan's depth subjects at every frame 0..<frames (`rate` times
    /// the frames), read from the whole depth input (whatever range is rendered, so chunks agree),
    /// then smoothed in dioptres over time.
    func subjectDistances(plan: ShotPlan, mapping: DepthMapping, frames: Int?, rate: FrameRate) throws -> SubjectDistances {
        let subjects = plan.depthSubjects
        guard !subjects.isEmpty else { return SubjectDistances(frames: [:]) }
        let source = try path(for: "reading subjects from depth")
        let reader = try reader()
        defer { reader.close() }
        let stabilizer = stabilizeDepth ? DepthStabilizer() : nil
        var series: [String: [Double]] = Dictionary(uniqueKeysWithValues: subjects.map { ($0.name, []) })
        var map: PlanarImage?, metres = PlanarImage(width: 1, height: 1, channels: 1)
        var n = 0
        let progress = Progress(total: frames, label: "subjects")
        while frames.map({ n < $0 }) ?? true {
            if !depthStill || n == 0 {
                guard try media({ () throws(MediaError) in try reader.next(into: &map) }) else {
                    if n == 0 { throw CLIError("\(source): holds no depth map; check the path or the sequence pattern") }
                    break
                }
                metres = map!
                mapping.apply(&metres)
                stabilizer?.process(&metres)
            }
            let t = Double(n) / rate.fps
            for s in subjects {
                guard let r = s.region(at: t) else { continue }
                let d = Double(DepthProbe.subjectDepth(metres, x: r.x, y: r.y, width: r.width, height: r.height))
                series[s.name]!.append(d)
            }
            n += 1
            progress.update(n)
            if depthStill && frames == nil { break }
        }
        progress.finish()
        for s in subjects {
            let raw = series[s.name]!
            if let bad = raw.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                let r = s.region(at: Double(bad) / rate.fps)!
                throw CLIError("\(source): frame \(bad): no valid depth for subject \(s.name) at \(String(format: "%.3f, %.3f", r.centre.x, r.centre.y)) (NaN, zero or negative); fix the depth map there, or give the subject a measured distance")
            }
            let dioptres = SeriesSmoothing.smooth(raw.map { 1 / $0 }, sigma: subjectSmoothing)
            series[s.name] = dioptres.map { 1 / $0 }
        }
        return SubjectDistances(frames: series)
    }
}

/// Per-frame distances (metres) of the subjects a depth map places.
struct SubjectDistances {
    var frames: [String: [Double]]

    var isEmpty: Bool { frames.isEmpty }

    /// The distance at frame n (the last one read past the end), or nil for a subject not read.
    func distance(_ name: String, frame n: Int) -> Distance? {
        guard let s = frames[name], !s.isEmpty else { return nil }
        return Distance(meters: s[min(max(0, n), s.count - 1)])
    }

    /// The focus distance at frame n of a clip at `rate`.
    func focus(_ plan: ShotPlan, frame n: Int, rate: FrameRate) -> Distance {
        isEmpty ? plan.curve.focus(at: Double(n) / rate.fps)
                : plan.focus(at: Double(n) / rate.fps) { distance($0, frame: n) }
    }
}
