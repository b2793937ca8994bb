import Foundation
import RackFocusAnalysis
import RackFocusImage
import RackFocusMedia

/// `track`'s pass over a clip: the subject in `box` (pixels of the clip) at frame `start`,
/// followed both ways.
package enum SubjectTracking {
    /// Frames are tracked as luma binned so the box's smaller side is 64-128 px: detailed enough
    /// to place the box, small enough to search. Forwards from `start` the clip is followed as it
    /// streams; the frames before it are kept (binned) to go back through. Samples come back in
    /// pixels of the clip. A clip that ends before `start` is an error naming its length.
    package static func track(
        _ clip: String, info: ClipInfo, box pixelBox: TrackBox, start: Int, settings: TemplateTracker.Settings,
        feedback: Feedback = .silent
    ) throws -> TemplateTracker.Result {
        let level = max(0, min(4, Int(log2(min(pixelBox.width, pixelBox.height) / 64).rounded(.down))))
        let factor = Double(1 << level)
        var session = TemplateTracker.Session(
            tracker: TemplateTracker(settings: settings), start: start, box: pixelBox.scaled(1 / factor))
        var pyramid = LumaPyramid(levels: level + 1)
        let reader = try FrameReader(path: clip)
        defer { reader.close() }
        var frame: PlanarImage?
        while try reader.next(into: &frame) {
            pyramid.update(from: frame!)
            session.add(pyramid.levels[level])
            feedback.progress("track", session.frameCount, info.frameCount)
        }
        feedback.progress("track", -1, info.frameCount)
        try ShotError.requireComplete(clip, decoded: session.frameCount, expected: info.frameCount)
        guard var result = session.finish() else {
            throw ShotError(
                .options, file: clip,
                "has \(session.frameCount) frames, but the box is drawn at frame \(start); give a time inside the clip")
        }
        for i in result.samples.indices {
            result.samples[i].box = result.samples[i].box?.scaled(factor)
            result.samples[i].extent = result.samples[i].extent?.scaled(factor)
        }
        return result
    }
}
