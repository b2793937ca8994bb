import ArgumentParser
import Foundation
import RackFocusAnalysis
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

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
    @Option(name: .shortAndLong, help: "Output track, .yaml or .json (default: CLIP's name + .track.yaml).") var output: String?
    @Option(help: "Confidence below which the subject counts as lost (0-1).") var minConfidence: Double = 0.5
    @Option(help: "How long a lost subject is searched for before the track stops.") var maxLost: String = "1s"
    @Option(help: "Also write the clip with the box drawn on it (green: tracked, yellow: re-acquired, red: lost).") var preview: String?

    func run() throws {
        guard (0.05...0.95).contains(minConfidence) else { throw CLIError("--min-confidence: \(minConfidence) must be between 0.05 and 0.95") }
        let info = try media { () throws(MediaError) in try FFmpeg.probeClip(clip) }
        let rate = info.frameRate ?? FrameRate(numerator: 24)
        let startTime = try parseOption("--at", at) { t throws(ValueError) in try TimeSpec(parsing: t).seconds(at: rate) }
        let lostSeconds = try parseOption("--max-lost", maxLost) { t throws(ValueError) in try TimeSpec(parsing: t).seconds(at: rate) }
        guard lostSeconds > 0 else { throw CLIError("--max-lost: \(maxLost) must be longer than zero") }
        let start = Int((startTime * rate.fps).rounded())
        let pixelBox = try Self.parseBox(box, width: info.width, height: info.height)
        if let n = info.frameCount, start >= n {
            throw CLIError("--at \(at) is frame \(start), but \(clip) has \(n) frames (0-\(n - 1)); give a time inside the clip")
        }
        let output = output ?? ((clip as NSString).deletingPathExtension + ".track.yaml")
        let json = output.lowercased().hasSuffix(".json")
        guard json || output.lowercased().hasSuffix(".yaml") || output.lowercased().hasSuffix(".yml") else {
            throw CLIError("-o \(output): write the track as .yaml or .json")
        }

        // Frames are tracked as luma binned so the box's smaller side is 64-128 px: detailed
        // enough to place the box, small enough to search. Forwards from --at the clip is
        // followed as it streams; the frames before --at are kept (binned) to go back through.
        let level = max(0, min(4, Int(log2(min(pixelBox.width, pixelBox.height) / 64).rounded(.down))))
        let factor = Double(1 << level)
        let startBox = pixelBox.scaled(1 / factor)
        var settings = TemplateTracker.Settings()
        settings.lostBelow = minConfidence
        settings.reacquireAbove = max(minConfidence, 0.7)
        settings.maxLostFrames = max(1, Int((lostSeconds * rate.fps).rounded()))
        var session = TemplateTracker.Session(tracker: TemplateTracker(settings: settings), start: start, box: startBox)
        var pyramid = LumaPyramid(levels: level + 1)
        let reader = try media { () throws(MediaError) in try FrameReader(path: clip) }
        defer { reader.close() }
        let progress = Progress(total: info.frameCount, label: "track")
        var frame: PlanarImage?
        while try media({ () throws(MediaError) in try reader.next(into: &frame) }) {
            pyramid.update(from: frame!)
            session.add(pyramid.levels[level])
            progress.update(session.frameCount)
        }
        progress.finish()
        try requireComplete(clip, decoded: session.frameCount, expected: info.frameCount)
        guard let result = session.finish() else {
            throw CLIError("--at \(at) is frame \(start), but \(clip) has \(session.frameCount) frames; give a time inside the clip")
        }
        let track = TrackFile(clip: clip, rate: rate, width: info.width, height: info.height, box: pixelBox,
                              samples: result.samples.map { s in
                                  var s = s; s.box = s.box?.scaled(factor); return s
                              })
        if let preview { try Self.drawPreview(clip: clip, info: info, rate: rate, samples: track.samples, to: preview) }
        try OutputFile.write(json ? track.json : track.yaml(command: "rackfocus track \(clip) --box \(box) --at \(at)"), to: output)
        for w in result.warnings { warn("\(clip): \(Self.timecoded(w, rate: rate))") }
        print(track.summary(reacquired: result.reacquisitions) + " → \(output)")
    }

    /// Writes the clip again with each frame's box outlined: a second pass, as the frames before
    /// --at are tracked last. Nothing half-written stays behind on an error or Ctrl-C.
    static func drawPreview(clip: String, info: ClipInfo, rate: FrameRate, samples: [TemplateTracker.Sample], to path: String) throws {
        let reader = try media { () throws(MediaError) in try FrameReader(path: clip) }
        defer { reader.close() }
        let writer = try media { () throws(MediaError) in
            try FrameWriter(path: path, width: info.width, height: info.height, frameRate: rate, colorTags: info.colorTags)
        }
        let interrupt = CtrlC.abandon(writer)
        defer { interrupt.release() }
        let progress = Progress(total: samples.count, label: "preview")
        var frame: PlanarImage?
        var index = 0
        var last: TrackBox?
        do {
            while try media({ () throws(MediaError) in try reader.next(into: &frame) }) {
                let s = index < samples.count ? samples[index] : nil
                if let b = s?.box { last = b }
                let colour: [Float] = s?.box == nil ? [1, 0, 0] : s?.state == .reacquired ? [1, 1, 0] : [0, 1, 0]
                if let b = s?.box ?? last { outline(&frame!, b, colour: colour) }
                try media { () throws(MediaError) in try writer.write(frame!) }
                index += 1
                progress.update(index)
            }
            try media { () throws(MediaError) in try writer.finish() }
        } catch {
            writer.cancel()
            throw error
        }
        progress.finish()
    }

    /// A rectangle outline, 2 px wide (a thousandth of the width more on large frames).
    static func outline(_ img: inout PlanarImage, _ b: TrackBox, colour: [Float]) {
        let w = img.width, h = img.height, n = w * h
        let t = max(2, w / 640)
        let x0 = max(0, Int(b.x.rounded())), y0 = max(0, Int(b.y.rounded()))
        let x1 = min(w - 1, Int((b.x + b.width).rounded())), y1 = min(h - 1, Int((b.y + b.height).rounded()))
        guard x1 > x0, y1 > y0 else { return }
        for y in y0...y1 {
            for x in x0...x1 where x - x0 < t || x1 - x < t || y - y0 < t || y1 - y < t {
                for c in 0..<min(3, img.channels) { img.data[c * n + y * w + x] = colour[c] }
            }
        }
    }

    /// Adds the timecode after each "frame N" of a tracker message.
    static func timecoded(_ message: String, rate: FrameRate) -> String {
        var out = message
        if let r = message.range(of: #"frame (\d+)"#, options: .regularExpression),
           let n = Int(message[r].dropFirst(6)) {
            out.replaceSubrange(r, with: "frame \(n) (\(Timecode.string(frame: n, rate: rate, dropFrame: false)))")
        }
        return out
    }

    /// `x,y,w,h` in pixels, or all four within 0-1 as fractions of the frame.
    static func parseBox(_ text: String, width: Int, height: Int) throws(CLIError) -> TrackBox {
        let v = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, let x = v[0], let y = v[1], let w = v[2], let h = v[3] else {
            throw CLIError("--box: \"\(text)\" is not x,y,w,h; write e.g. --box 820,300,160,240 (pixels) or 0.43,0.28,0.08,0.22")
        }
        let b = areFractionsOfFrame([x, y, w, h]) ? TrackBox(x: x * Double(width), y: y * Double(height), width: w * Double(width), height: h * Double(height))
                           : TrackBox(x: x, y: y, width: w, height: h)
        guard b.width >= 8, b.height >= 8 else {
            throw CLIError("--box: \(text) is \(Int(b.width))×\(Int(b.height)) px; a box needs at least 8×8 px of the subject to follow")
        }
        guard b.x >= 0, b.y >= 0, b.x + b.width <= Double(width) + 0.5, b.y + b.height <= Double(height) + 0.5 else {
            throw CLIError("--box: \(text) leaves the \(width)×\(height) frame; keep x + w ≤ \(width) and y + h ≤ \(height)")
        }
        guard b.width <= Double(width) / 2, b.height <= Double(height) / 2 else {
            throw CLIError("--box: \(text) covers more than half the frame; draw it around the subject alone")
        }
        return b
    }
}

/// A track as written to disk: one key per frame with a box, in the plan's `track:` form.
struct TrackFile {
    var clip: String
    var rate: FrameRate
    var width: Int, height: Int
    var box: TrackBox
    var samples: [TemplateTracker.Sample]

    var rateText: String { rate.denominator == 1 ? "\(rate.numerator)" : "\(rate.numerator)/\(rate.denominator)" }

    func normalised(_ b: TrackBox) -> [Double] {
        // Clamped into the frame, as plans require.
        let x = min(max(b.x / Double(width), 0), 1), y = min(max(b.y / Double(height), 0), 1)
        return [x, y, min(b.width / Double(width), 1 - x), min(b.height / Double(height), 1 - y)]
    }

    /// Runs of consecutive frames without a box.
    var lostSpans: [ClosedRange<Int>] {
        var spans: [ClosedRange<Int>] = []
        var from: Int?
        for s in samples {
            if s.box == nil { if from == nil { from = s.frame } } else if let f = from { spans.append(f...(s.frame - 1)); from = nil }
        }
        if let f = from { spans.append(f...(samples.count - 1)) }
        return spans
    }

    func yaml(command: String) -> String {
        var lines = [
            "# \(command)",
            "# Template tracking: one key per frame with a box (normalised x, y, w, h) and its confidence.",
            "# Name this file in a plan, subjects: { hero: { track: FILE } }, or paste the keys under a subject's track:.",
            "clip: \"\(clip.replacingOccurrences(of: "\"", with: "'"))\"",
            "fps: \(rateText)",
            "size: \(width)x\(height)",
            "track:",
        ]
        let lost = lostSpans
        for s in samples {
            if let span = lost.first(where: { $0.lowerBound == s.frame }) {
                lines.append("  # frames \(span.lowerBound)-\(span.upperBound): subject lost; focus holds its last place")
            }
            guard let b = s.box else { continue }
            let v = normalised(b).map { String(format: "%.4f", $0) }.joined(separator: ", ")
            lines.append("  - { at: \(s.frame)f, box: [\(v)], confidence: \(String(format: "%.3f", s.confidence)) }"
                         + (s.state == .start ? "   # the box given" : s.state == .reacquired ? "   # re-acquired" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var json: String {
        struct Key: Encodable { var at: String; var frame: Int; var box: [Double]; var confidence: Double; var state: String }
        struct File: Encodable { var clip: String; var fps: String; var size: String; var track: [Key]; var lost: [[Int]] }
        let keys = samples.compactMap { s in
            s.box.map { b in
                Key(at: "\(s.frame)f", frame: s.frame, box: normalised(b).map { ($0 * 10_000).rounded() / 10_000 },
                    confidence: (s.confidence * 1000).rounded() / 1000, state: s.state.rawValue)
            }
        }
        return encodeJSON(File(clip: clip, fps: rateText, size: "\(width)x\(height)", track: keys,
                               lost: lostSpans.map { [$0.lowerBound, $0.upperBound] }))
    }

    func summary(reacquired: [Int]) -> String {
        let tracked = samples.filter { $0.box != nil }
        let confidences = tracked.filter { $0.state != .start }.map(\.confidence)
        var parts = ["\(tracked.count)/\(samples.count) frames tracked"]
        if let lo = confidences.min() {
            parts.append(String(format: "confidence mean %.2f, lowest %.2f", confidences.reduce(0, +) / Double(confidences.count), lo))
        }
        if let first = tracked.first?.box, let last = tracked.last?.box {
            parts.append(String(format: "scale %.2f → %.2f", first.width / box.width, last.width / box.width))
        }
        let lost = lostSpans
        if !lost.isEmpty { parts.append("lost " + lost.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ", ")) }
        if !reacquired.isEmpty { parts.append("re-acquired at " + reacquired.map(String.init).joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
