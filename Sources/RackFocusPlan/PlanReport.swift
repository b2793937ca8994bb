import Foundation
import RackFocusOptics

/// Everything `rackfocus plan` tells a camera assistant, as data (printed as text or JSON).
///
/// Distances are in metres; `null` in JSON means infinity.
public struct PlanReport: Sendable, Codable {
    public var name: String?
    /// The unit system the plan's distances were written in (answers are printed back in it).
    public var units: UnitSystem
    public var fps: String
    public var durationSeconds: Double
    public var durationTimecode: String
    public var camera: CameraSummary
    public var marks: [Mark]
    public var racks: [Rack]
    public var warnings: [String]
    /// Subjects placed in the image, as a depth map put them (filled by `plan --depth`).
    public var subjectsFromDepth: [DepthSubject]?

    /// Where a depth map put a subject over the shot.
    public struct DepthSubject: Sendable, Codable {
        public var subject: String
        /// `point 0.50, 0.40`, `box 0.10, 0.20 0.30×0.50` or `track of 3 keys`.
        public var position: String
        public var startM: Double
        public var nearestM: Double
        public var farthestM: Double
        /// Distance at every frame read (after smoothing).
        public var perFrameM: [Double]

        public init(subject: String, position: String, perFrameM: [Double]) {
            self.subject = subject
            self.position = position
            self.perFrameM = perFrameM
            startM = perFrameM.first ?? .nan
            nearestM = perFrameM.min() ?? .nan
            farthestM = perFrameM.max() ?? .nan
        }
    }

    public struct CameraSummary: Sendable, Codable {
        public var sensor: String
        public var sensorWidthMM: Double
        public var sensorHeightMM: Double
        public var focalLengthMM: Double
        public var stop: String
        public var cocMM: Double
        public var cocPixels: Double
        public var resolution: String
        public var hyperfocalM: Double
        public var squeeze: Double
        public var notes: [String]
    }

    public struct Mark: Sendable, Codable {
        public var seconds: Double
        public var timecode: String
        public var target: String
        public var distanceM: Double?
        public var distance: String
        public var nearM: Double?
        public var near: String
        public var farM: Double?
        public var far: String
        public var totalM: Double?
        public var total: String
        public var ringDegrees: Double
        /// Subjects inside the depth of field at this mark.
        public var sharp: [String]
    }

    public struct SubjectBlur: Sendable, Codable {
        public var subject: String
        public var distanceM: Double?
        public var blurStartPx: Double
        public var blurEndPx: Double
    }

    public struct Rack: Sendable, Codable {
        public var entry: Int
        public var from: String
        public var to: String
        public var fromDistance: String
        public var toDistance: String
        public var startSeconds: Double
        public var startTimecode: String
        public var landSeconds: Double
        public var landTimecode: String
        public var durationSeconds: Double
        public var frames: Int
        public var curve: String
        public var dioptreTravel: Double
        public var ringTravelDegrees: Double
        public var peakRingSpeedDegreesPerSecond: Double
        public var subjects: [SubjectBlur]
        public var visibilityPx: Double
        public var verdict: RackVerdict
        public var advice: [String]
        public var warnings: [String]
    }
}

extension PlanReport {
    /// Assesses every mark and rack of a plan.
    public init(plan: ShotPlan) {
        let cam = plan.camera
        let units = plan.units
        func meters(_ d: Distance) -> Double? { d.isInfinite ? nil : d.meters }
        func show(_ d: Distance) -> String { d.printed(in: units).formatted() }

        var notes: [String] = []
        if cam.stop.isTStop { notes.append(Stop.tStopNote) }
        if cam.squeeze != 1 {
            notes.append(
                "anamorphic \(cam.squeeze)x: blur is the long (vertical) axis of the oval, in desqueezed pixels")
        }
        camera = CameraSummary(
            sensor: cam.sensor.title, sensorWidthMM: cam.sensor.widthMM, sensorHeightMM: cam.sensor.heightMM,
            focalLengthMM: cam.focalLengthMM, stop: cam.stop.description, cocMM: cam.cocMM,
            cocPixels: cam.cocPixels, resolution: cam.resolution.description,
            hyperfocalM: cam.hyperfocal.meters, squeeze: cam.squeeze, notes: notes)
        name = plan.name
        self.units = plan.units
        fps = plan.fps.description
        durationSeconds = plan.duration
        durationTimecode = plan.timecode(at: plan.duration)
        warnings = plan.warnings.map(\.description)

        func mark(_ t: Double, _ target: FocusTarget, _ d: Distance) -> Mark {
            let dof = cam.depthOfField(focus: d)
            let sharp = plan.subjects.filter { s in s.distance.map { dof.contains($0) } ?? false }.map(\.name)
            return Mark(
                seconds: t, timecode: plan.timecode(at: t), target: target.description, distanceM: meters(d),
                distance: show(d), nearM: meters(dof.near), near: show(dof.near), farM: meters(dof.far),
                far: show(dof.far), totalM: meters(dof.total), total: show(dof.total),
                ringDegrees: plan.focusScale.angle(for: d), sharp: sharp)
        }
        var marks = [mark(0, plan.curve.initialTarget, plan.curve.initial)]
        var racks: [Rack] = []
        let visibility = RackVisibility(camera: cam)
        for move in plan.curve.moves {
            marks.append(mark(move.end, move.to, move.toDistance))
            guard move.kind == .rack else { continue }
            let a = move.fromDistance, b = move.toDistance
            let blurs = plan.subjects.compactMap { s -> SubjectBlur? in
                guard let d = s.distance else { return nil }
                return SubjectBlur(
                    subject: s.name, distanceM: meters(d), blurStartPx: abs(cam.blurPixels(subject: d, focus: a)),
                    blurEndPx: abs(cam.blurPixels(subject: d, focus: b)))
            }
            let vis = visibility.visibility(a, b)
            let verdict = RackVerdict(blurPixels: vis, width: cam.resolution.width)
            let advice =
                verdict == .reads ? [] : visibility.advice(a, b, near: move.from.description, far: move.to.description)

            // Ring speed, sampled so calibrated (non-linear) lens maps are handled too.
            let scale = plan.focusScale
            var peak = 0.0
            let steps = 400
            var prevAngle = scale.angle(for: a)
            for i in 1...steps {
                let t = move.start + move.duration * Double(i) / Double(steps)
                let angle = scale.angle(for: plan.curve.focus(at: min(t, move.end - 1e-12)))
                peak = max(peak, abs(angle - prevAngle) / (move.duration / Double(steps)))
                prevAngle = angle
            }
            let travel = abs(scale.angle(for: b) - scale.angle(for: a))
            let frames = Int((move.duration * plan.fps.fps).rounded())
            var rackWarnings: [String] = []
            if Double(frames) < HandPullLimits.minimumFrames {
                rackWarnings.append(
                    "\(frames) frames is a snap, not a rack: hard to land on the mark by hand (give it at least \(Int(HandPullLimits.minimumFrames)) frames, or use a motor)"
                )
            }
            if peak > HandPullLimits.maximumRingSpeed {
                let feasible = move.duration * peak / HandPullLimits.maximumRingSpeed
                rackWarnings.append(
                    String(
                        format:
                            "peak ring speed %.0f°/s is too fast to land cleanly by hand (over %.0f°/s); take %.2fs or more, or use a motor",
                        peak, HandPullLimits.maximumRingSpeed, feasible))
            }
            racks.append(
                Rack(
                    entry: move.entry, from: move.from.description, to: move.to.description, fromDistance: show(a),
                    toDistance: show(b), startSeconds: move.start, startTimecode: plan.timecode(at: move.start),
                    landSeconds: move.end, landTimecode: plan.timecode(at: move.end), durationSeconds: move.duration,
                    frames: frames, curve: move.easing.rawValue, dioptreTravel: move.dioptreTravel,
                    ringTravelDegrees: travel, peakRingSpeedDegreesPerSecond: peak, subjects: blurs,
                    visibilityPx: vis, verdict: verdict, advice: advice, warnings: rackWarnings))
        }
        self.marks = marks
        self.racks = racks
    }
}
