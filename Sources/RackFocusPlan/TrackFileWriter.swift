import Foundation
import RackFocusOptics

/// Writes a track file in the form plans read (`subjects: { hero: { track: FILE } }`, read by
/// `PlanBuilder.trackFile`): the clip, its rate and size, and one key per frame with a box
/// normalised to the frame (x, y, w, h from the top-left) and a confidence; frames without a box
/// (the subject lost) are left out, so a plan interpolates across them.
public struct TrackFileWriter: Sendable {
    /// One frame of a track.
    public struct Key: Sendable, Equatable {
        public var frame: Int
        /// Normalised x, y, w, h; nil when the subject is lost there.
        public var box: [Double]?
        public var confidence: Double
        /// `start`, `tracked`, `reacquired` or `lost`.
        public var state: String

        public init(frame: Int, box: [Double]?, confidence: Double, state: String) {
            self.frame = frame
            self.box = box
            self.confidence = confidence
            self.state = state
        }
    }

    public var clip: String
    public var rate: FrameRate
    public var width: Int, height: Int
    public var keys: [Key]

    public init(clip: String, rate: FrameRate, width: Int, height: Int, keys: [Key]) {
        self.clip = clip
        self.rate = rate
        self.width = width
        self.height = height
        self.keys = keys
    }

    var rateText: String { rate.denominator == 1 ? "\(rate.numerator)" : "\(rate.numerator)/\(rate.denominator)" }

    /// Runs of consecutive frames without a box.
    public var lostSpans: [ClosedRange<Int>] {
        var spans: [ClosedRange<Int>] = []
        var from: Int?
        for k in keys {
            if k.box == nil {
                if from == nil { from = k.frame }
            } else if let f = from {
                spans.append(f...(k.frame - 1)); from = nil
            }
        }
        if let f = from { spans.append(f...(keys.count - 1)) }
        return spans
    }

    /// The YAML form, headed by the command that made it.
    public func yaml(command: String) -> String {
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
        for k in keys {
            if let span = lost.first(where: { $0.lowerBound == k.frame }) {
                lines.append(
                    "  # frames \(span.lowerBound)-\(span.upperBound): subject lost; focus holds its last place")
            }
            guard let b = k.box else { continue }
            let v = b.map { String(format: "%.4f", $0) }.joined(separator: ", ")
            lines.append(
                "  - { at: \(k.frame)f, box: [\(v)], confidence: \(String(format: "%.3f", k.confidence)) }"
                    + (k.state == "start" ? "   # the box given" : k.state == "reacquired" ? "   # re-acquired" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON form (the same keys, with each frame's number and state, and the lost spans).
    public var json: String {
        struct Key: Encodable {
            var at: String; var frame: Int; var box: [Double]; var confidence: Double; var state: String
        }
        struct File: Encodable {
            var clip: String; var fps: String; var size: String; var track: [Key]; var lost: [[Int]]
        }
        let track = keys.compactMap { k in
            k.box.map { b in
                Key(
                    at: "\(k.frame)f", frame: k.frame, box: b.map { ($0 * 10_000).rounded() / 10_000 },
                    confidence: (k.confidence * 1000).rounded() / 1000, state: k.state)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let file = File(
            clip: clip, fps: rateText, size: "\(width)x\(height)", track: track,
            lost: lostSpans.map { [$0.lowerBound, $0.upperBound] })
        return String(decoding: (try? encoder.encode(file)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
