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
    @OptionGroup var depthInput: DepthInput
    @Option(name: .shortAndLong, help: "Output clip or image sequence.") var output: String
    @Option(help: "Codec for clips: h264, h265, prores, ffv1.") var codec: String?
    @Option(help: "Frames to render, e.g. 100-199 (inclusive, 0-based), for splitting a shot across machines.") var frames: String?
    @Flag(help: "Continue an interrupted image-sequence render from its first missing frame.") var resume = false
    @Option(help: "preview (half resolution), final, or reference (the exact oracle: slow).") var quality: String = "final"
    @Option(help: "Worker threads (default: all cores).") var threads: Int?

    func run() throws {
        let plan = try loadPlan(planFile, depth: true)
        _ = try depthInput.path(for: "render")
        let renderQuality = try parseQuality(quality)
        let videoCodec = try codec.map { c throws(CLIError) -> VideoCodec in
            guard let v = VideoCodec(rawValue: c) else { throw CLIError("--codec: unknown codec \"\(c)\"; use h264, h265, prores or ffv1") }
            return v
        }
        if let t = threads, t < 1 { throw CLIError("--threads: \(t) must be at least 1") }
        try render(plan: plan, quality: renderQuality, codec: videoCodec, threads: threads ?? defaultThreadCount)
    }

    func render(plan: ShotPlan, quality: RenderQuality, codec: VideoCodec?, threads: Int) throws {
        let depth = try depthInput.path(for: "render")
        let depthStill = depthInput.depthStill
        let info = try media { () throws(MediaError) in try FFmpeg.probeClip(input) }
        let depthInfo = try media { () throws(MediaError) in try FFmpeg.probeClip(depth) }
        let rate = info.frameRate ?? plan.fps
        if let r = info.frameRate, r != plan.fps {
            warn("\(input) runs at \(r) fps but the plan says \(plan.fps); frame times follow the clip")
        }
        if plan.camera.resolution.width != info.width || plan.camera.resolution.height != info.height {
            warn("the plan's delivery resolution is \(plan.camera.resolution) but \(input) is \(info.width)x\(info.height); blur is computed for the real frame")
        }
        if info.colorTags.isHDR {
            warn("\(input) is HDR (\(info.colorTags.transfer!)); it is decoded with the SDR Rec.709 curve, so blur is not in true linear light (the output keeps the input's tags and values)")
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
        let mapping = try depthInput.mapping(plan: plan)
        // Subjects placed in the image are read from the whole depth input first, so every chunk
        // of a split render sees the same smoothed distances.
        let live = try depthInput.subjectDistances(plan: plan, mapping: mapping, frames: info.frameCount ?? plan.frameCount, rate: rate)
        if !live.isEmpty {
            let names = plan.depthSubjects.map(\.name)
            note("focus follows \(names.joined(separator: ", ")) through the depth map (smoothed over \(String(format: "%g", depthInput.subjectSmoothing)) frames)")
        }
        let reader = try media { () throws(MediaError) in try FrameReader(path: input, startFrame: range.lowerBound) }
        let depthReader = try depthInput.reader(start: range.lowerBound)
        let writer = try media { () throws(MediaError) in
            try FrameWriter(path: output, width: info.width, height: info.height, frameRate: rate, codec: codec,
                            firstNumber: range.lowerBound, audioFrom: FFmpeg.isSequence(input) || range.lowerBound > 0 ? nil : input,
                            colorTags: info.colorTags)
        }
        let interrupt = CtrlC.abandon(writer)
        defer { interrupt.release() }

        let total = info.frameCount.map { min(range.upperBound, $0) - range.lowerBound }
        let progress = Progress(total: total, label: "render")
        let renderer = LayeredRenderer(threads: threads)
        let stabilizer = depthInput.stabilizeDepth ? DepthStabilizer() : nil
        let framing = plan.camera.breathing != 0 ? live.focus(plan, frame: 0, rate: rate) : nil
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
                let focus = live.focus(plan, frame: n, rate: rate)
                let settings = LensBlurSettings(camera: plan.camera, focus: focus, quality: quality,
                                                breathingReference: framing, threads: threads)
                let result: PlanarImage
                do { result = try LensBlur.render(image: frame!, depth: d, settings: settings, renderer: renderer) } catch {
                    throw CLIError("\(depth): frame \(n): \(error.description)")
                }
                try media { () throws(MediaError) in try writer.write(result) }
                n += 1
                progress.update(n - range.lowerBound)
            }
            try requireComplete(input, decoded: n, expected: info.frameCount.map { min(range.upperBound, $0) })
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

func note(_ message: String) {
    FileHandle.standardError.write(Data("note: \(message)\n".utf8))
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}
