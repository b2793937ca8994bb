import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// `render`'s whole job: a plan's rack over a clip from its depth, checked before the first
/// frame (sizes, frame counts, cues against the clip's length, ranges, resuming), then rendered
/// by `ShotRenderer` into a clip or sequence that appears only when complete.
package struct ClipRender {
    package var planFile: String
    package var plan: ShotPlan
    package var input: String
    package var depth: DepthSettings
    package var output: String
    package var codec: VideoCodec?
    /// Inclusive, 0-based; nil: the whole clip.
    package var frames: ClosedRange<Int>?
    package var resume: Bool
    package var quality: RenderQuality
    package var threads: Int
    /// Highlight recovery: automatic gives display-referred clips the default and float ones none.
    package var highlights: Highlights
    /// How EXR frames are written (nil: like an EXR input, else float ZIP).
    package var exrStyle: EXRStyle?

    package init(
        planFile: String, plan: ShotPlan, input: String, depth: DepthSettings, output: String, codec: VideoCodec? = nil,
        frames: ClosedRange<Int>? = nil, resume: Bool = false, quality: RenderQuality = .final,
        threads: Int = defaultThreadCount, highlights: Highlights = .automatic, exrStyle: EXRStyle? = nil
    ) {
        self.exrStyle = exrStyle
        self.highlights = highlights
        self.planFile = planFile
        self.plan = plan
        self.input = input
        self.depth = depth
        self.output = output
        self.codec = codec
        self.frames = frames
        self.resume = resume
        self.quality = quality
        self.threads = threads
    }

    /// Renders; nil when `resume` finds every frame already written. `guardOutput` receives the
    /// writer before the first frame (the command line abandons it on Ctrl-C) and returns what
    /// releases that guard.
    package func run(feedback: Feedback = .silent, guardOutput: (FrameWriter) -> () -> Void = { _ in {} }) throws
        -> ShotRenderer.Summary?
    {
        try OutputPath.requireDistinct(
            output, from: [input, depth.path, planFile, depth.model?.path ?? ""].filter { !$0.isEmpty })
        let info = try FFmpeg.probeClip(input)
        let rate = info.frameRate ?? plan.fps
        if let r = info.frameRate, r != plan.fps {
            feedback.warn("\(input) runs at \(r) fps but the plan says \(plan.fps); frame times follow the clip")
        }
        if plan.camera.resolution.width != info.width || plan.camera.resolution.height != info.height {
            feedback.warn(
                "the plan's delivery resolution is \(plan.camera.resolution) but \(input) is \(info.width)x\(info.height); blur is computed for the real frame"
            )
        }
        if info.colorTags.isHDR {
            feedback.warn(
                "\(input) is HDR (\(info.colorTags.transfer!)); it is decoded with the SDR Rec.709 curve, so blur is not in true linear light (the output keeps the input's tags and values)"
            )
        }
        if let d = info.frameCount.map({ Double($0) / rate.fps }), let last = plan.curve.moves.last, last.end > d + 1e-9
        {
            throw ShotError(
                .planPastClip, file: planFile,
                "the rack at focus[\(last.entry)] lands at \(String(format: "%.3f", last.end))s but \(input) is only \(String(format: "%.3f", d))s long; move the cue or use a longer clip"
            )
        }
        var range = 0..<(info.frameCount ?? Int.max)
        if let frames {
            if let n = info.frameCount, frames.upperBound >= n {
                throw ShotError(
                    .options,
                    "--frames: \(input) has frames 0-\(n - 1); \(frames.lowerBound)-\(frames.upperBound) runs past the end"
                )
            }
            range = frames.lowerBound..<(frames.upperBound + 1)
        }
        if resume {
            guard FFmpeg.isSequence(output) else {
                throw ShotError(
                    .options,
                    "--resume: \(output) is not an image sequence; resume works with outputs such as out_%04d.exr")
            }
            // Frames are written whole under their final names, so every file present is complete.
            var first = range.lowerBound
            while first < range.upperBound, FileManager.default.fileExists(atPath: String(format: output, first)) {
                first += 1
            }
            if first > range.lowerBound {
                feedback.note(
                    "resuming at frame \(first): frames \(range.lowerBound)-\(first - 1) are already in \(output)")
            }
            if first >= range.upperBound || (info.frameCount.map { first >= $0 } ?? false) {
                feedback.note("nothing to do: every frame is already in \(output)")
                return nil
            }
            range = first..<range.upperBound
        }
        // Depth last: a depth model estimates every frame it lacks, so the checks above come first.
        let depth = try DepthEstimation.resolve(
            self.depth, input: input, output: output, threads: threads, feedback: feedback)
        let source = try DepthSource(depth, feedback: feedback)
        try source.checkSize(width: info.width, height: info.height)
        try source.checkCount(clip: input, frames: info.frameCount)
        let mapping = try source.mapping(plan: plan)
        // Subjects placed in the image are read from the whole depth input first, so every chunk
        // of a split render sees the same smoothed distances.
        let live = try SubjectDistances.read(
            plan: plan, depth: source, mapping: mapping, frames: info.frameCount ?? plan.frameCount,
            rate: rate, feedback: feedback)
        if !live.isEmpty {
            let names = plan.depthSubjects.map(\.name)
            feedback.note(
                "focus follows \(names.joined(separator: ", ")) through the depth map (smoothed over \(String(format: "%g", depth.subjectSmoothing)) frames)"
            )
        }
        let reader = try FrameReader(path: input, startFrame: range.lowerBound, probed: info)
        let maps = try source.frames(mapping: mapping, start: range.lowerBound, size: (info.width, info.height))
        let writer = try FrameWriter(
            path: output, width: info.width, height: info.height, frameRate: rate, codec: codec,
            firstNumber: range.lowerBound, frameCount: range.upperBound == .max ? nil : range.count,
            audioFrom: FFmpeg.isSequence(input) || range.lowerBound > 0 ? nil : input, colorTags: info.colorTags)
        // An EXR sequence keeps an EXR input's channel names, type and compression unless told.
        writer.exrStyle = exrStyle ?? EXRStyle(matchingInput: input)
        let release = guardOutput(writer)
        defer { release() }
        var renderer = ShotRenderer(
            plan: plan, quality: quality, threads: threads, highlights: highlights.boost(sceneReferred: info.isFloat))
        renderer.refineRadius = source.refineRadius(frameWidth: info.width)
        return try renderer.render(
            reader, depth: maps, range: range, rate: rate, distances: live, to: writer, expected: info.frameCount,
            names: (input, depth.path), feedback: feedback)
    }
}
