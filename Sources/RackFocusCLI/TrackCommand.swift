import ArgumentParser
import Foundation
import RackFocusAnalysis
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import RackFocusShot

/// `rackfocus track`: follow a subject through a clip from a box at one frame, for plans whose
/// focus follows it.
struct TrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Track a subject through a clip from a box at one frame; write the track for a plan.",
        discussion: """
            Template tracking with scale: the box is followed forwards and backwards from --at, \
            growing and shrinking with the subject, with a confidence per frame. A subject lost \
            behind something is searched for over the whole frame and re-acquired; one lost for \
            --max-lost stops the track there with a warning. The output (YAML or JSON, by extension) \
            names a subject in a plan: subjects: { hero: { track: hero.track.yaml } }.
            """)

    @Argument(help: "The clip (any format ffmpeg reads).") var clip: String
    @Option(help: "The subject's box at --at: x,y,w,h in pixels of the clip, or normalised 0-1.") var box: String
    @Option(help: "The frame the box is drawn on: seconds (2s), frames (48f) or timecode.") var at: String = "0f"
    @Option(name: .shortAndLong, help: "Output track, .yaml or .json (default: CLIP's name + .track.yaml).") var output:
        String?
    @Option(help: "Confidence below which the subject counts as lost (0-1).") var minConfidence: Double = 0.5
    @Option(help: "How long a lost subject is searched for before the track stops.") var maxLost: String = "1s"
    @Option(help: "Also write the clip with the box drawn on it (green: tracked, yellow: re-acquired, red: lost).")
    var preview: String?

    func validate() throws {
        guard (0.05...0.95).contains(minConfidence) else {
            throw ValidationError("--min-confidence: \(minConfidence) must be between 0.05 and 0.95")
        }
    }

    func run() throws {
        let info = try FFmpeg.probeClip(clip)
        let rate = info.frameRate ?? FrameRate(numerator: 24)
        let startTime = try parseOption("--at", at) { t throws(ValueError) in try TimeSpec(parsing: t).seconds(at: rate)
        }
        let lostSeconds = try parseOption("--max-lost", maxLost) { t throws(ValueError) in
            try TimeSpec(parsing: t).seconds(at: rate)
        }
        guard lostSeconds > 0 else { throw CLIError("--max-lost: \(maxLost) must be longer than zero") }
        let start = Int((startTime * rate.fps).rounded())
        let pixelBox = try Self.parseBox(box, width: info.width, height: info.height)
        if let n = info.frameCount, start >= n {
            throw CLIError(
                "--at \(at) is frame \(start), but \(clip) has \(n) frames (0-\(n - 1)); give a time inside the clip")
        }
        let output = output ?? ((clip as NSString).deletingPathExtension + ".track.yaml")
        try OutputPath.requireDistinct(output, from: [clip])
        try OutputPath.requireDistinct(preview, from: [clip, output])
        let json = output.lowercased().hasSuffix(".json")
        guard json || output.lowercased().hasSuffix(".yaml") || output.lowercased().hasSuffix(".yml") else {
            throw CLIError("-o \(output): write the track as .yaml or .json")
        }

        let feedback = Progress.terminal
        var settings = TemplateTracker.Settings()
        settings.lostBelow = minConfidence
        settings.reacquireAbove = max(minConfidence, 0.7)
        settings.maxLostFrames = max(1, Int((lostSeconds * rate.fps).rounded()))
        let result = try SubjectTracking.track(
            clip, info: info, box: pixelBox, start: start, settings: settings, feedback: feedback)
        let track = TrackFile(
            clip: clip, rate: rate, width: info.width, height: info.height, box: pixelBox, samples: result.samples)
        if let preview {
            try TrackPreview.drawPreview(
                clip: clip, info: info, rate: rate, samples: track.samples, to: preview, feedback: feedback,
                guardOutput: abandonOnCtrlC)
        }
        try AtomicFile.write(
            json ? track.json : track.yaml(command: "rackfocus track \(clip) --box \(box) --at \(at)"), to: output)
        for w in result.warnings { warn("\(clip): \(Self.timecoded(w, rate: rate))") }
        print(track.summary(reacquired: result.reacquisitions) + " → \(output)")
    }

    /// Adds the timecode after each "frame N" of a tracker message.
    static func timecoded(_ message: String, rate: FrameRate) -> String {
        var out = message
        if let r = message.range(of: #"frame (\d+)"#, options: .regularExpression),
            let n = Int(message[r].dropFirst(6))
        {
            out.replaceSubrange(r, with: "frame \(n) (\(Timecode.string(frame: n, rate: rate, dropFrame: false)))")
        }
        return out
    }

    /// `x,y,w,h` in pixels, or all four within 0-1 as fractions of the frame.
    static func parseBox(_ text: String, width: Int, height: Int) throws(CLIError) -> TrackBox {
        let v = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, let x = v[0], let y = v[1], let w = v[2], let h = v[3] else {
            throw CLIError(
                "--box: \"\(text)\" is not x,y,w,h; write e.g. --box 820,300,160,240 (pixels) or 0.43,0.28,0.08,0.22")
        }
        let b =
            areFractionsOfFrame([x, y, w, h])
            ? TrackBox(
                x: x * Double(width), y: y * Double(height), width: w * Double(width), height: h * Double(height))
            : TrackBox(x: x, y: y, width: w, height: h)
        guard b.width >= 8, b.height >= 8 else {
            throw CLIError(
                "--box: \(text) is \(Int(b.width))×\(Int(b.height)) px; a box needs at least 8×8 px of the subject to follow"
            )
        }
        guard b.x >= 0, b.y >= 0, b.x + b.width <= Double(width) + 0.5, b.y + b.height <= Double(height) + 0.5 else {
            throw CLIError(
                "--box: \(text) leaves the \(width)×\(height) frame; keep x + w ≤ \(width) and y + h ≤ \(height)")
        }
        guard b.width <= Double(width) / 2, b.height <= Double(height) / 2 else {
            throw CLIError("--box: \(text) covers more than half the frame; draw it around the subject alone")
        }
        return b
    }
}
