import Foundation
import RackFocusImage

/// A box in pixels of the plane it lives on: top-left corner, width and height.
package struct TrackBox: Sendable, Equatable {
    package var x: Double, y: Double, width: Double, height: Double
    package init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    package var centerX: Double { x + width / 2 }
    package var centerY: Double { y + height / 2 }
    /// The same box in a plane scaled by `f` (f = 0.25 for a plane binned 4 × 4).
    package func scaled(_ f: Double) -> TrackBox { TrackBox(x: x * f, y: y * f, width: width * f, height: height * f) }
    /// The part inside a width × height frame.
    package func clamped(width w: Int, height h: Int) -> TrackBox {
        let x0 = min(max(x, 0), Double(w)), y0 = min(max(y, 0), Double(h))
        let x1 = min(max(x + width, 0), Double(w)), y1 = min(max(y + height, 0), Double(h))
        return TrackBox(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}

/// Follows a subject given by a box at one frame through a clip, forwards and backwards, by
/// template matching: normalised cross-correlation of a zero-mean template against the frame,
/// at three scales per frame (so the box grows and shrinks as the subject comes and goes), with
/// sub-pixel peaks. The template adapts slowly to the subject as it turns and as focus changes its
/// blur; the first template is kept to re-acquire a subject lost behind something. The
/// correlation at the match is the confidence (1: identical, 0: unrelated).
package struct TemplateTracker: Sendable {
    package struct Settings: Sendable {
        /// Below this confidence the subject is lost.
        package var lostBelow = 0.5
        /// A search of the whole frame re-acquires the subject at this confidence or above.
        package var reacquireAbove = 0.7
        /// The subject is lost, too, when the first template correlates less than this where the
        /// adaptive one matched.
        package var firstTemplateFloor = 0.3
        /// Consecutive lost frames after which tracking stops in that direction.
        package var maxLostFrames = 24
        /// The share of the box's width and height that must stay inside the frame for a subject
        /// leaving it to be followed; with less, it has left.
        package var minVisible = 0.35
        /// Scale change tried per frame each way (0.03: ±3%).
        package var scaleStep = 0.03
        /// How much of each confident match the adaptive template takes in.
        package var adaptRate = 0.15
        /// Correlation a match loses for straying from the predicted place (constant velocity):
        /// quadratic out to a tenth of the box's size (at least 4 px), then flat. Near-equal
        /// matches (a stripe or an edge slides along itself; detail blurred away by a rack)
        /// resolve toward the prediction; a clearly better match anywhere still wins.
        package var motionPrior = 0.03
        /// A frame-to-frame size change smaller than this is noise and ignored.
        package var scaleDeadZone = 0.003
        package init() {}
    }

    package enum State: String, Sendable { case start, tracked, reacquired, lost }

    package struct Sample: Sendable {
        package var frame: Int
        /// The box inside the frame, nil when the subject is lost or the track has stopped.
        package var box: TrackBox?
        /// The whole box, reaching past the frame's edge where the subject does (its size is the
        /// subject's).
        package var extent: TrackBox?
        package var confidence: Double
        package var state: State
        package init(frame: Int, box: TrackBox?, extent: TrackBox? = nil, confidence: Double, state: State) {
            self.frame = frame; self.box = box; self.extent = extent ?? box; self.confidence = confidence
            self.state = state
        }
    }

    package struct Result: Sendable {
        /// One sample per frame of the clip (frames not reached have no box and state `lost`).
        package var samples: [Sample]
        /// Where and why tracking stopped, one line per direction that stopped early.
        package var warnings: [String]
        /// Frames where the subject was lost and then found again.
        package var reacquisitions: [Int]
    }

    package var settings: Settings
    package init(settings: Settings = Settings()) { self.settings = settings }

    /// Tracks `box` (in pixels of `frames`) from frame `start` to both ends of `frames`.
    package func track(frames: [PlanarImage], start: Int, box: TrackBox) -> Result {
        precondition(frames.indices.contains(start), "start frame inside the clip")
        var session = Session(tracker: self, start: start, box: box)
        for f in frames { session.add(f) }
        return session.finish()!
    }

    /// Tracking a clip as it streams: frames after `start` are followed as they arrive; the ones
    /// before it are kept until `finish` goes back through them.
    package struct Session {
        let tracker: TemplateTracker
        let start: Int
        let box: TrackBox
        var before: [PlanarImage] = []
        var samples: [Sample] = []
        var startPlane: PlanarImage?
        var forward: Direction?

        package init(tracker: TemplateTracker, start: Int, box: TrackBox) {
            self.tracker = tracker; self.start = start; self.box = box
        }

        /// Frames added so far.
        package var frameCount: Int { samples.count }

        /// The next frame of the clip.
        package mutating func add(_ plane: PlanarImage) {
            let index = samples.count
            let lost = Sample(frame: index, box: nil, confidence: 0, state: .lost)
            if index < start {
                before.append(plane)
                samples.append(lost)
            } else if index == start {
                startPlane = plane
                forward = tracker.direction(first: plane, box: box, forward: true)
                samples.append(Sample(frame: index, box: box, confidence: 1, state: .start))
            } else {
                samples.append(forward!.next(plane, frame: index) ?? lost)
            }
        }

        /// Goes back from the start frame and returns the whole track; nil when the clip ended
        /// before the start frame.
        package mutating func finish() -> Result? {
            guard let startPlane, var forward else { return nil }
            forward.finish()
            var back = tracker.direction(first: startPlane, box: box, forward: false)
            for f in (0..<start).reversed() {
                guard let s = back.next(before[f], frame: f) else { break }
                samples[f] = s
            }
            back.finish()
            before = []
            return Result(
                samples: samples, warnings: [forward, back].compactMap(\.warning),
                reacquisitions: (forward.reacquisitions + back.reacquisitions).sorted())
        }
    }

    /// Tracking one way from the frame the box is drawn on, a frame at a time, so a clip can be
    /// followed while it streams.
    package func direction(first: PlanarImage, box: TrackBox, forward: Bool) -> Direction {
        Direction(
            run: Run(settings: settings, first: first, box: box), forward: forward, maxLost: settings.maxLostFrames)
    }

    package struct Direction {
        var run: Run
        let forward: Bool
        let maxLost: Int
        var lostSince: Int?
        var last: Int?
        /// Why this direction stopped early, or lost the subject for good; set by `next` and `finish`.
        package private(set) var warning: String?
        package private(set) var reacquisitions: [Int] = []
        package private(set) var stopped = false

        var name: String { forward ? "going forward" : "going back" }

        /// The sample for the next frame this way (`frame` is its number, for messages), or nil
        /// once the subject has been lost for `maxLostFrames` and the track has stopped.
        package mutating func next(_ plane: PlanarImage, frame: Int) -> Sample? {
            guard !stopped else { return nil }
            last = frame
            let s = run.step(plane)
            // A box reaching past the edge is given as its part inside the frame (held at the edge).
            let sample = Sample(
                frame: frame, box: s.state == .lost ? nil : s.box.clamped(width: plane.width, height: plane.height),
                extent: s.state == .lost ? nil : s.box, confidence: s.confidence, state: s.state)
            if s.state == .reacquired { reacquisitions.append(frame) }
            guard s.state == .lost else { lostSince = nil; return sample }
            if lostSince == nil { lostSince = frame }
            if abs(frame - lostSince!) + 1 >= maxLost {
                warning =
                    "\(name), \(run.leftFrame ? "the subject left the frame" : "lost the subject") at frame \(lostSince!) and did not \(run.leftFrame ? "come back" : "find it again") in \(maxLost) frames: the track stops there"
                stopped = true
            }
            return sample
        }

        /// Call after the last frame: notes a subject lost up to the end of the clip.
        package mutating func finish() {
            if let l = lostSince, !stopped {
                warning = "\(name), lost the subject at frame \(l) until the \(forward ? "end" : "start") of the clip"
            }
        }
    }
}
