import Foundation
import RackFocusAnalysis
import RackFocusImage
import RackFocusMedia
import RackFocusOptics

/// `track --preview`: the clip again with the tracked box drawn on it.
package enum TrackPreview {
    /// Writes the clip again with each frame's box outlined: a second pass, as the frames before
    /// --at are tracked last. Nothing half-written stays behind on an error or Ctrl-C.
    package static func drawPreview(
        clip: String, info: ClipInfo, rate: FrameRate, samples: [TemplateTracker.Sample], to path: String,
        feedback: Feedback = .silent, guardOutput: (FrameWriter) -> () -> Void = { _ in {} }
    ) throws {
        try OutputPath.requireDistinct(path, from: [clip])
        let reader = try FrameReader(path: clip)
        defer { reader.close() }
        let writer = try FrameWriter(
            path: path, width: info.width, height: info.height, frameRate: rate, colorTags: info.colorTags)
        let release = guardOutput(writer)
        defer { release() }
        var frame: PlanarImage?
        var index = 0
        var last: TrackBox?
        do {
            while try reader.next(into: &frame) {
                let s = index < samples.count ? samples[index] : nil
                if let b = s?.box { last = b }
                let colour: [Float] = s?.box == nil ? [1, 0, 0] : s?.state == .reacquired ? [1, 1, 0] : [0, 1, 0]
                if let b = s?.box ?? last { outline(&frame!, b, colour: colour) }
                try writer.write(frame!)
                index += 1
                feedback.progress("preview", index, samples.count)
            }
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        feedback.progress("preview", -1, samples.count)
    }

    /// A rectangle outline, 2 px wide (a thousandth of the width more on large frames).
    package static func outline(_ img: inout PlanarImage, _ b: TrackBox, colour: [Float]) {
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

}
