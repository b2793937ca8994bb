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

    public func subject(named name: String) -> Subject? { subjects.first { $0.name == name } }

    /// Frame number at time t (rounded to the nearest frame).
    public func frame(at seconds: Double) -> Int { Int((seconds * fps.fps).rounded()) }
    /// Timecode at time t.
    public func timecode(at seconds: Double) -> String { Timecode.string(frame: frame(at: seconds), rate: fps, dropFrame: dropFrame) }
    /// Number of frames in the shot.
    public var frameCount: Int { max(1, frame(at: duration)) }
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

    public init(name: String, distance: Distance?, point: ImagePoint? = nil, box: ImageBox? = nil) {
        self.name = name
        self.distance = distance
        self.point = point
        self.box = box
    }
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
