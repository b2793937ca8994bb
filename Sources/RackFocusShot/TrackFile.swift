import Foundation
import RackFocusAnalysis
import RackFocusOptics

/// A track as written to disk: one key per frame with a box, in the plan's `track:` form.
public struct TrackFile {
    public var clip: String
    public var rate: FrameRate
    public var width: Int, height: Int
    public var box: TrackBox
    public var samples: [TemplateTracker.Sample]

    public init(clip: String, rate: FrameRate, width: Int, height: Int, box: TrackBox, samples: [TemplateTracker.Sample]) {
        self.clip = clip
        self.rate = rate
        self.width = width
        self.height = height
        self.box = box
        self.samples = samples
    }

    var rateText: String { rate.denominator == 1 ? "\(rate.numerator)" : "\(rate.numerator)/\(rate.denominator)" }

    public func normalised(_ b: TrackBox) -> [Double] {
        // Clamped into the frame, as plans require.
        let x = min(max(b.x / Double(width), 0), 1), y = min(max(b.y / Double(height), 0), 1)
        return [x, y, min(b.width / Double(width), 1 - x), min(b.height / Double(height), 1 - y)]
    }

    /// Runs of consecutive frames without a box.
    public var lostSpans: [ClosedRange<Int>] {
        var spans: [ClosedRange<Int>] = []
        var from: Int?
        for s in samples {
            if s.box == nil { if from == nil { from = s.frame } } else if let f = from { spans.append(f...(s.frame - 1)); from = nil }
        }
        if let f = from { spans.append(f...(samples.count - 1)) }
        return spans
    }

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

    public var json: String {
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

    public func summary(reacquired: [Int]) -> String {
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
