import RackFocusOptics

/// A shot: the camera, the subjects, and the focus moves timed to cues.
public struct ShotPlan: Sendable {
    public var name: String?
    public var fps: FrameRate
    /// Print timecode drop-frame (set when the plan wrote drop-frame timecode).
    public var dropFrame: Bool
    /// Length of the shot in seconds.
    public var duration: Double
    /// Whether `duration` was written in the plan (racks past it are errors) or derived.
    public var durationIsStated: Bool
    public var camera: Camera
    public var focusScale: FocusScale
    /// Subjects in the order the plan lists them.
    public var subjects: [Subject]
    /// The focus timeline: where focus sits at t = 0 and every move after it.
    public var curve: FocusCurve
    /// Things that are allowed but probably not meant.
    public var warnings: [PlanIssue]
    /// The unit system most of the plan's distances were written in.
    public var units: UnitSystem
    /// The file the plan came from (labels errors found after loading).
    public var file: String? = nil
    /// One issue per focus entry that names a subject placed in the image but never measured:
    /// its distance must come from a depth map (see `requireMeasuredDistances()`).
    public var depthOnlyTargets: [PlanIssue] = []
    /// When the plan uses presets: every focus entry after expansion, as flow YAML with a
    /// comment naming the preset that made it (nil for entries written by hand).
    public var expandedFocus: [(entry: String, comment: String?)]? = nil

    public func subject(named name: String) -> Subject? { subjects.first { $0.name == name } }

    /// Frame number at time t (rounded to the nearest frame).
    public func frame(at seconds: Double) -> Int { Int((seconds * fps.fps).rounded()) }
    /// Timecode at time t.
    public func timecode(at seconds: Double) -> String {
        Timecode.string(frame: frame(at: seconds), rate: fps, dropFrame: dropFrame)
    }
    /// Number of frames in the shot.
    public var frameCount: Int { max(1, frame(at: duration)) }

    /// Subjects whose distance follows the depth map frame by frame: placed in the image and either
    /// never measured or moving (a track). A measured subject standing still keeps its tape
    /// distance (its image position then calibrates the depth map).
    public var depthSubjects: [Subject] {
        subjects.filter { $0.hasImagePosition && ($0.distance == nil || $0.track != nil) }
    }

    /// Fails when focus lands on a subject whose only position is in the image: commands without a
    /// depth map cannot know how far away it is.
    public func requireMeasuredDistances() throws(PlanError) {
        guard depthOnlyTargets.isEmpty else { throw PlanError(file: file, issues: depthOnlyTargets) }
    }

    /// The focus distance at time t with each depth subject at the distance `live` gives for it
    /// (nil: its plan distance).
    public func focus(at t: Double, live: (String) -> Distance?) -> Distance {
        curve.focus(at: t) { target in
            if case .subject(let name) = target { return live(name) } else { return nil }
        }
    }

    /// This plan with depth subjects fixed at the distances `live(name, t)` gives: each move leaves
    /// from its start mark as it stands at the move's start and lands on its end mark as it stands
    /// when the move lands; each subject's distance is its distance at the first cue that names it
    /// (or at 0 s). The result reports, plots and marks like a measured plan.
    public func resolved(_ live: (String, Double) -> Distance?) -> ShotPlan {
        var out = self
        func at(_ target: FocusTarget, _ t: Double, _ stored: Distance) -> Distance {
            if case .subject(let name) = target, let d = live(name, t) {
                return d.printed(in: stored.meters.isNaN ? units : stored.system)
            }
            return stored
        }
        out.curve.initial = at(curve.initialTarget, 0, curve.initial)
        var firstUse: [String: Double] = [:]
        if case .subject(let n) = curve.initialTarget { firstUse[n] = 0 }
        for i in out.curve.moves.indices {
            let m = curve.moves[i]
            out.curve.moves[i].fromDistance = at(m.from, m.start, m.fromDistance)
            out.curve.moves[i].toDistance = at(m.to, m.end, m.toDistance)
            if case .subject(let n) = m.from, firstUse[n] == nil { firstUse[n] = m.start }
            if case .subject(let n) = m.to, firstUse[n] == nil { firstUse[n] = m.end }
        }
        for i in out.subjects.indices where out.subjects[i].hasImagePosition {
            let s = out.subjects[i]
            if let d = live(s.name, firstUse[s.name] ?? 0) {
                out.subjects[i].distance = d.printed(in: s.distance?.system ?? units)
            }
        }
        out.depthOnlyTargets = []
        return out
    }
}

/// Something the focus can land on.
public struct Subject: Sendable, Hashable {
    public var name: String
    /// Measured distance (tape measure, rangefinder), if known.
    public var distance: Distance?
    /// A point in the image, normalised [0, 1] from the top-left; resolved from depth later.
    public var point: ImagePoint?
    /// A box in the image, normalised; resolved from depth later.
    public var box: ImageBox?
    /// Keyframed positions for a subject that moves, in time order (interpolated between keys,
    /// held before the first and after the last).
    public var track: [TrackKey]?
    /// The plan's note on the subject (kept when a plan is rewritten, e.g. by `dialogue`).
    public var note: String?

    public init(
        name: String, distance: Distance?, point: ImagePoint? = nil, box: ImageBox? = nil, track: [TrackKey]? = nil,
        note: String? = nil
    ) {
        self.name = name
        self.distance = distance
        self.point = point
        self.box = box
        self.track = track
        self.note = note
    }

    /// Whether the subject is placed in the image (point, box or track).
    public var hasImagePosition: Bool { point != nil || box != nil || !(track ?? []).isEmpty }

    /// Where the subject is in the image at time t: a box, or a point as a box of no size.
    public func region(at t: Double) -> ImageBox? {
        if let track, let first = track.first {
            guard t > first.time else { return first.region }
            for (a, b) in zip(track, track.dropFirst()) where t < b.time {
                let u = (t - a.time) / (b.time - a.time)
                return a.region.mixed(with: b.region, u)
            }
            return track.last!.region
        }
        if let box { return box }
        if let point { return ImageBox(x: point.x, y: point.y, width: 0, height: 0) }
        return nil
    }
}

/// One key of a subject's track: where it is at a time (seconds).
public struct TrackKey: Sendable, Hashable {
    public var time: Double
    /// A box, or a point as a box of no size.
    public var region: ImageBox
    public init(time: Double, region: ImageBox) { self.time = time; self.region = region }
}

public struct ImagePoint: Sendable, Hashable {
    public var x: Double, y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

public struct ImageBox: Sendable, Hashable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// Centre of the box (the point itself for a box of no size).
    public var centre: ImagePoint { ImagePoint(x: x + width / 2, y: y + height / 2) }
    public var isPoint: Bool { width == 0 && height == 0 }

    /// Linear blend towards `other` (u = 0: self, 1: other).
    public func mixed(with other: ImageBox, _ u: Double) -> ImageBox {
        func l(_ a: Double, _ b: Double) -> Double { a + (b - a) * u }
        return ImageBox(
            x: l(x, other.x), y: l(y, other.y), width: l(width, other.width), height: l(height, other.height))
    }
}

/// What a focus mark names: a subject, or a bare distance.
public enum FocusTarget: Sendable, Hashable, CustomStringConvertible {
    case subject(String)
    case distance(Distance)

    public var description: String {
        switch self {
        case .subject(let n): return n
        case .distance(let d): return d.formatted()
        }
    }
}
