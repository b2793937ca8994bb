import ArgumentParser
import Dispatch
import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import RackFocusShot

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
    @OptionGroup var depthOptions: DepthOptions
    @Option(name: .shortAndLong, help: "Output clip or image sequence.") var output: String
    @Option(help: "Codec for clips: h264, h265, prores, ffv1.") var codec: VideoCodec?
    @Option(
        help: "Frames to render, e.g. 100-199 (inclusive, 0-based), for splitting a shot across machines.",
        transform: parseFrameRange)
    var frames: ClosedRange<Int>?
    @Flag(help: "Continue an interrupted image-sequence render from its first missing frame.") var resume = false
    @OptionGroup var renderOptions: RenderOptions
    @OptionGroup var exrOptions: EXROutputOptions

    func run() throws {
        let job = ClipRender(
            planFile: planFile, plan: try ShotPlan.load(contentsOf: planFile), input: input,
            depth: try depthOptions.required(by: "render"), output: output, codec: codec, frames: frames,
            resume: resume,
            quality: renderOptions.quality, threads: renderOptions.threadCount, highlights: renderOptions.highlights,
            exrStyle: exrOptions.style(matchingInput: input))
        guard let done = try job.run(feedback: Progress.terminal, guardOutput: abandonOnCtrlC) else { return }
        FileHandle.standardError.write(
            Data(
                "rendered frames \(done.frames.lowerBound)-\(done.frames.upperBound - 1) → \(output) "
                    .appending(String(format: "(%.1f fps, decoding and encoding included)\n", done.framesPerSecond))
                    .utf8))
    }
}

extension VideoCodec: ExpressibleByArgument {}

/// `FIRST-LAST`, inclusive.
func parseFrameRange(_ text: String) throws -> ClosedRange<Int> {
    let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, b >= a else {
        throw ValidationError("--frames: \"\(text)\" is not a range; write FIRST-LAST, e.g. 100-199")
    }
    return a...b
}
