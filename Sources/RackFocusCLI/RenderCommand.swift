import ArgumentParser
import Dispatch
import Foundation
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// `rackfocus render`: a shot plan's focus moves rendered over a whole clip.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a shot plan's rack over a clip from its depth maps.",
        discussion: """
        Every frame is blurred with the focus distance the plan gives at that frame's time, with the \
        plan's lens (stop, focal length, sensor, aperture, squeeze, breathing). Input and depth: a \
        video ffmpeg reads, or an image sequence (shot_%04d.exr). Depth: metres (integer maps with \
        --depth-scale), inverse or normalized (--depth-kind), calibrated to plan subjects that have \
        a point and a distance. Output: .mp4/.mov (H.264 by default), .mkv (FFV1), or a \
        sequence (out_%04d.png 16-bit, .exr).
          rackfocus render shot.yaml --input plate.mov --depth depth_%04d.exr -o out.mp4
        """)

    @Argument(help: "Shot plan (YAML or JSON).") var planFile: String
    @Option(help: "The sharp clip or image sequence.") var input: String
    @Option(help: "Depth: a clip or sequence with one map per frame (see --depth-kind).") var depth: String
    @Option(help: "Metres per step of integer depth maps (0.001 for millimetres).") var depthScale: Double?
    @Flag(help: "Use the first depth map for every frame (a locked-off shot).") var depthStill = false
    @Option(help: "What depth values mean: metric (metres), inverse (disparity: bigger = nearer), normalized (0 = near, 1 = far).") var depthKind: String = "metric"
    @Option(help: "Distance of the nearest value (normalized and uncalibrated inverse maps).") var near: String?
    @Option(help: "Distance of the farthest value (normalized and uncalibrated inverse maps).") var far: String?
    @Flag(help: "Normalized maps: 1 is near, 0 is far (After Effects / Resolve style).") var nearIsWhite = false
    @Option(name: .shortAndLong, help: "Output clip or image sequence.") var output: String
    @Option(help: "Codec for clips: h264, h265, prores, ffv1.") var codec: String?
    @Option(help: "Frames to render, e.g. 100-199 (inclusive, 0-based), for splitting a shot across machines.") var frames: String?
    @Flag(help: "Continue an interrupted image-sequence render from its first missing frame.") var resume = false
    @Flag(help: "Steady flickering per-frame depth (estimator output): robust per-frame scale/shift alignment and temporal smoothing.") var stabilizeDepth = false
    @Option(help: "preview (half resolution), final, or reference (the exact oracle: slow).") var quality: String = "final"
    @Option(help: "Worker threads (default: all cores).") var threads: Int?

    func run() throws {
        let plan = try loadPlan(planFile)
        let renderQuality = try parseQuality(quality)
        let videoCodec = try codec.map { c throws(CLIError) -> VideoCodec in
            guard let v = VideoCodec(rawValue: c) else { throw CLIError("--codec: unknown codec \"\(c)\"; use h264, h265, prores or ffv1") }
            return v
        }
        if let t = threads, t < 1 { throw CLIError("--threads: \(t) must be at least 1") }
        try render(plan: plan, quality: renderQuality, codec: videoCodec, threads: threads ?? defaultThreadCount)
    }

    func render(plan: ShotPlan, quality: RenderQuality, codec: VideoCodec?, threads: Int) throws {
        let info = try media { () throws(MediaError) in try FFmpeg.probeClip(input) }
        let depthInfo = try media { () throws(MediaError) in try FFmpeg.probeClip(depth) }
        let rate = info.frameRate ?? plan.fps
        if let r = info.frameRate, r != plan.fps {
            warn("\(input) runs at \(r) fps but the plan says \(plan.fps); frame times follow the clip")
        }
        if plan.camera.resolution.width != info.width || plan.camera.resolution.height != info.height {
            warn("the plan's delivery resolution is \(plan.camera.resolution) but \(input) is \(info.width)x\(info.height); blur is computed for the real frame")
        }
        if (depthInfo.width, depthInfo.height) != (info.width, info.height) {
            warn("\(depth) is \(depthInfo.width)x\(depthInfo.height); resizing it to \(info.width)x\(info.height) (nearest sample, so edges stay sharp)")
        }
        if !depthStill, let a = info.frameCount, let b = depthInfo.frameCount, a != b {
            throw CLIError("\(depth) has \(b) frames but \(input) has \(a); give one depth map per frame, or --depth-still for a locked-off shot")
        }
        let clipDuration = info.frameCount.map { Double($0) / rate.fps }
        if let d = clipDuration, let last = plan.curve.moves.last, last.end > d + 1e-9 {
            throw CLIError("\(planFile): the rack at focus[\(last.entry)] lands at \(String(format: "%.3f", last.end))s but \(input) is only \(String(format: "%.3f", d))s long; move the cue or use a longer clip")
        }
        var range = 0..<(info.frameCount ?? Int.max)
        if let frames {
            let parts = frames.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, b >= a else {
                throw CLIError("--frames: \"\(frames)\" is not a range; write FIRST-LAST, e.g. 100-199")
            }
            if let n = info.frameCount, b >= n { throw CLIError("--frames: \(input) has frames 0-\(n - 1); \(frames) runs past the end") }
            range = a..<(b + 1)
        }

        if resume {
            guard FFmpeg.isSequence(output) else {
                throw CLIError("--resume: \(output) is not an image sequence; resume works with outputs such as out_%04d.exr")
            }
            // Frames are written whole under their final names, so every file present is complete.
            var first = range.lowerBound
            while first < range.upperBound, FileManager.default.fileExists(atPath: String(format: output, first)) { first += 1 }
            if first > range.lowerBound { note("resuming at frame \(first): frames \(range.lowerBound)-\(first - 1) are already in \(output)") }
            if first >= range.upperBound || (info.frameCount.map { first >= $0 } ?? false) {
                note("nothing to do: every frame is already in \(output)")
                return
            }
            range = first..<range.upperBound
        }
        let reader = try media { () throws(MediaError) in try FrameReader(path: input, startFrame: range.lowerBound) }
        guard let kind = DepthKind(rawValue: depthKind) else {
            throw CLIError("--depth-kind: unknown kind \"\(depthKind)\"; use metric, inverse or normalized")
        }
        let mapping = try depthMapping(kind: kind, plan: plan)
        let depthReader = try media { () throws(MediaError) in
            try FrameReader(path: depth, depth: true, depthScale: depthScale, normalizeIntegers: kind != .metric,
                            startFrame: depthStill ? 0 : range.lowerBound)
        }
        let writer = try media { () throws(MediaError) in
            try FrameWriter(path: output, width: info.width, height: info.height, frameRate: rate, codec: codec,
                            firstNumber: range.lowerBound, audioFrom: FFmpeg.isSequence(input) || range.lowerBound > 0 ? nil : input)
        }
        // Ctrl-C: abandon the partial output and stop.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler {
            writer.cancel()
            FileHandle.standardError.write(Data("\ninterrupted: \(output) was not written\n".utf8))
            Foundation.exit(130)
        }
        interrupt.resume()
        defer { interrupt.cancel(); signal(SIGINT, SIG_DFL) }

        let total = info.frameCount.map { min(range.upperBound, $0) - range.lowerBound }
        let progress = Progress(total: total, label: "render")
        let renderer = LayeredRenderer(threads: threads)
        let stabilizer = stabilizeDepth ? DepthStabilizer() : nil
        var frame: PlanarImage?, depthFrame: PlanarImage?
        var n = range.lowerBound
        do {
            while n < range.upperBound {
                guard try media({ () throws(MediaError) in try reader.next(into: &frame) }) else { break }
                if !depthStill || depthFrame == nil {
                    guard try media({ () throws(MediaError) in try depthReader.next(into: &depthFrame) }) else {
                        throw CLIError("\(depth): ran out of depth maps at frame \(n); give one per frame, or --depth-still")
                    }
                }
                var d = depthFrame!
                mapping.apply(&d)
                stabilizer?.process(&d)
                if (d.width, d.height) != (info.width, info.height) { d = Resample.nearest(d, width: info.width, height: info.height) }
                let focus = plan.curve.focus(at: Double(n) / rate.fps)
                let settings = LensBlurSettings(camera: plan.camera, focus: focus, quality: quality,
                                                breathingReference: plan.camera.breathing != 0 ? plan.curve.initial : nil, threads: threads)
                let result: PlanarImage
                do { result = try LensBlur.render(image: frame!, depth: d, settings: settings, renderer: renderer) } catch {
                    throw CLIError("\(depth): frame \(n): \(error.description)")
                }
                try media { () throws(MediaError) in try writer.write(result) }
                n += 1
                progress.update(n - range.lowerBound)
            }
            if let expected = info.frameCount.map({ min(range.upperBound, $0) }), n < expected {
                throw CLIError("\(input): the clip ended at frame \(n) but should have \(expected) frames; the file is truncated or damaged (ffmpeg decoded no more)")
            }
            try media { () throws(MediaError) in try writer.finish() }
        } catch {
            writer.cancel()
            reader.close(); depthReader.close()
            throw error
        }
        progress.finish()
        FileHandle.standardError.write(Data("rendered frames \(range.lowerBound)-\(n - 1) → \(output)\n".utf8))
    }
}

extension RenderCommand {
    /// The mapping from map values to metres: fitted to the plan's subjects that have both an
    /// image position and a measured distance (sampled in the first depth map), otherwise from
    /// --near/--far (normalized, inverse) or as metres (metric).
    func depthMapping(kind: DepthKind, plan: ShotPlan) throws -> DepthMapping {
        let nearD = try near.map { t throws(CLIError) in try parseOption("--near", t) { t throws(ValueError) in try Distance(parsing: t) } }
        let farD = try far.map { t throws(CLIError) in try parseOption("--far", t) { t throws(ValueError) in try Distance(parsing: t) } }
        if let n = nearD, let f = farD, !(n.meters > 0 && f.meters > n.meters) {
            throw CLIError("--near/--far: near (\(n)) must be positive and nearer than far (\(f))")
        }
        let anchors = plan.subjects.compactMap { s -> (name: String, x: Double, y: Double, d: Double)? in
            guard let d = s.distance, !d.isInfinite else { return nil }
            if let p = s.point { return (s.name, p.x, p.y, d.meters) }
            if let b = s.box { return (s.name, b.x + b.width / 2, b.y + b.height / 2, d.meters) }
            return nil
        }
        let needed = kind == .metric ? 2 : 1
        if anchors.count >= needed && !(kind == .normalized && nearD != nil && farD != nil) {
            let map = try firstDepthMap(normalizeIntegers: kind != .metric)
            let values = anchors.map { DepthProbe.medianValue(map, x: $0.x, y: $0.y) }
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
            return .inverse(spanning: try firstDepthMap(normalizeIntegers: true).data, near: n.meters, far: f.meters)
        }
    }
}

extension RenderCommand {
    /// The first map of the depth input, raw (before any mapping to metres).
    func firstDepthMap(normalizeIntegers: Bool) throws -> PlanarImage {
        let probe = try media { () throws(MediaError) in
            try FrameReader(path: depth, depth: true, depthScale: depthScale, normalizeIntegers: normalizeIntegers)
        }
        defer { probe.close() }
        var first: PlanarImage?
        guard try media({ () throws(MediaError) in try probe.next(into: &first) }), let map = first else {
            throw CLIError("\(depth): holds no depth map; check the path or the sequence pattern")
        }
        return map
    }
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("note: \(message)\n".utf8))
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}
