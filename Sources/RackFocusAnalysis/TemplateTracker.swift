import RackFocusImage
import Foundation

/// A box in pixels of the plane it lives on: top-left corner, width and height.
public struct TrackBox: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var centerX: Double { x + width / 2 }
    public var centerY: Double { y + height / 2 }
    /// The same box in a plane scaled by `f` (f = 0.25 for a plane binned 4 × 4).
    public func scaled(_ f: Double) -> TrackBox { TrackBox(x: x * f, y: y * f, width: width * f, height: height * f) }
}

/// Follows a subject given by a box at one frame through a clip, forwards and backwards, by
/// template matching: normalised cross-correlation of a zero-mean template against the frame,
/// at three scales per frame (so the box grows and shrinks as the subject comes and goes), with
/// sub-pixel peaks. The template adapts slowly to the subject as it turns and as focus changes its
/// blur; the first template is kept to re-acquire a subject lost behind something. The
/// correlation at the match is the confidence (1: identical, 0: unrelated).
public struct TemplateTracker: Sendable {
    public struct Settings: Sendable {
        /// Below this confidence the subject is lost.
        public var lostBelow = 0.5
        /// A search of the whole frame re-acquires the subject at this confidence or above.
        public var reacquireAbove = 0.7
        /// The subject is lost, too, when the first template correlates less than this where the
        /// adaptive one matched.
        public var firstTemplateFloor = 0.3
        /// Consecutive lost frames after which tracking stops in that direction.
        public var maxLostFrames = 24
        /// Scale change tried per frame each way (0.03: ±3%).
        public var scaleStep = 0.03
        /// How much of each confident match the adaptive template takes in.
        public var adaptRate = 0.15
        /// Correlation a match loses for straying from the predicted place (constant velocity):
        /// quadratic out to a tenth of the box's size (at least 4 px), then flat. Near-equal
        /// matches (a stripe or an edge slides along itself; detail blurred away by a rack)
        /// resolve toward the prediction; a clearly better match anywhere still wins.
        public var motionPrior = 0.03
        /// A frame-to-frame size change smaller than this is noise and ignored.
        public var scaleDeadZone = 0.003
        public init() {}
    }

    public enum State: String, Sendable { case start, tracked, reacquired, lost }

    public struct Sample: Sendable {
        public var frame: Int
        /// The box, nil when the subject is lost or the track has stopped.
        public var box: TrackBox?
        public var confidence: Double
        public var state: State
        public init(frame: Int, box: TrackBox?, confidence: Double, state: State) {
            self.frame = frame; self.box = box; self.confidence = confidence; self.state = state
        }
    }

    public struct Result: Sendable {
        /// One sample per frame of the clip (frames not reached have no box and state `lost`).
        public var samples: [Sample]
        /// Where and why tracking stopped, one line per direction that stopped early.
        public var warnings: [String]
        /// Frames where the subject was lost and then found again.
        public var reacquisitions: [Int]
    }

    public var settings: Settings
    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Tracks `box` (in pixels of `frames`) from frame `start` to both ends of `frames`.
    public func track(frames: [PlanarImage], start: Int, box: TrackBox) -> Result {
        precondition(frames.indices.contains(start), "start frame inside the clip")
        var session = Session(tracker: self, start: start, box: box)
        for f in frames { session.add(f) }
        return session.finish()!
    }

    /// Tracking a clip as it streams: frames after `start` are followed as they arrive; the ones
    /// before it are kept until `finish` goes back through them.
    public struct Session {
        let tracker: TemplateTracker
        let start: Int
        let box: TrackBox
        var before: [PlanarImage] = []
        var samples: [Sample] = []
        var startPlane: PlanarImage?
        var forward: Direction?

        public init(tracker: TemplateTracker, start: Int, box: TrackBox) {
            self.tracker = tracker; self.start = start; self.box = box
        }

        /// Frames added so far.
        public var frameCount: Int { samples.count }

        /// The next frame of the clip.
        public mutating func add(_ plane: PlanarImage) {
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
        public mutating func finish() -> Result? {
            guard let startPlane, var forward else { return nil }
            forward.finish()
            var back = tracker.direction(first: startPlane, box: box, forward: false)
            for f in (0..<start).reversed() {
                guard let s = back.next(before[f], frame: f) else { break }
                samples[f] = s
            }
            back.finish()
            before = []
            return Result(samples: samples, warnings: [forward, back].compactMap(\.warning),
                          reacquisitions: (forward.reacquisitions + back.reacquisitions).sorted())
        }
    }

    /// Tracking one way from the frame the box is drawn on, a frame at a time, so a clip can be
    /// followed while it streams.
    public func direction(first: PlanarImage, box: TrackBox, forward: Bool) -> Direction {
        Direction(run: Run(settings: settings, first: first, box: box), forward: forward, maxLost: settings.maxLostFrames)
    }

    public struct Direction {
        var run: Run
        let forward: Bool
        let maxLost: Int
        var lostSince: Int?
        var last: Int?
        /// Why this direction stopped early, or lost the subject for good; set by `next` and `finish`.
        public private(set) var warning: String?
        public private(set) var reacquisitions: [Int] = []
        public private(set) var stopped = false

        var name: String { forward ? "going forward" : "going back" }

        /// The sample for the next frame this way (`frame` is its number, for messages), or nil
        /// once the subject has been lost for `maxLostFrames` and the track has stopped.
        public mutating func next(_ plane: PlanarImage, frame: Int) -> Sample? {
            guard !stopped else { return nil }
            last = frame
            let s = run.step(plane)
            let sample = Sample(frame: frame, box: s.state == .lost ? nil : s.box, confidence: s.confidence, state: s.state)
            if s.state == .reacquired { reacquisitions.append(frame) }
            guard s.state == .lost else { lostSince = nil; return sample }
            if lostSince == nil { lostSince = frame }
            if abs(frame - lostSince!) + 1 >= maxLost {
                warning = "\(name), lost the subject at frame \(lostSince!) and did not find it again in \(maxLost) frames: the track stops there"
                stopped = true
            }
            return sample
        }

        /// Call after the last frame: notes a subject lost up to the end of the clip.
        public mutating func finish() {
            if let l = lostSince, !stopped {
                warning = "\(name), lost the subject at frame \(l) until the \(forward ? "end" : "start") of the clip"
            }
        }
    }
}
