import Foundation
import RackFocusAnalysis
import RackFocusOptics
import RackFocusPlan

/// A tracker's result for one clip: its samples in pixels, the box given, and how it is written
/// to disk (`TrackFileWriter`, in the plan's `track:` form) and summed up.
package struct TrackFile {
    package var clip: String
    package var rate: FrameRate
    package var width: Int, height: Int
    package var box: TrackBox
    package var samples: [TemplateTracker.Sample]

    package init(
        clip: String, rate: FrameRate, width: Int, height: Int, box: TrackBox, samples: [TemplateTracker.Sample]
    ) {
        self.clip = clip
        self.rate = rate
        self.width = width
        self.height = height
        self.box = box
        self.samples = samples
    }

    /// A box in pixels as the plan's normalised x, y, w, h, clamped into the frame as plans require.
    package func normalised(_ b: TrackBox) -> [Double] {
        let x = min(max(b.x / Double(width), 0), 1), y = min(max(b.y / Double(height), 0), 1)
        return [x, y, min(b.width / Double(width), 1 - x), min(b.height / Double(height), 1 - y)]
    }

    /// The track in the plan's form, written beside the reader of track files.
    package var writer: TrackFileWriter {
        TrackFileWriter(
            clip: clip, rate: rate, width: width, height: height,
            keys: samples.map {
                .init(frame: $0.frame, box: $0.box.map(normalised), confidence: $0.confidence, state: $0.state.rawValue)
            })
    }

    package var lostSpans: [ClosedRange<Int>] { writer.lostSpans }
    package func yaml(command: String) -> String { writer.yaml(command: command) }
    package var json: String { writer.json }

    package func summary(reacquired: [Int]) -> String {
        let tracked = samples.filter { $0.box != nil }
        let confidences = tracked.filter { $0.state != .start }.map(\.confidence)
        var parts = ["\(tracked.count)/\(samples.count) frames tracked"]
        if let lo = confidences.min() {
            parts.append(
                String(
                    format: "confidence mean %.2f, lowest %.2f", confidences.reduce(0, +) / Double(confidences.count),
                    lo))
        }
        if let first = tracked.first?.extent, let last = tracked.last?.extent {
            parts.append(String(format: "scale %.2f → %.2f", first.width / box.width, last.width / box.width))
        }
        let lost = lostSpans
        if !lost.isEmpty {
            parts.append("lost " + lost.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ", "))
        }
        if !reacquired.isEmpty { parts.append("re-acquired at " + reacquired.map(String.init).joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
