import RackFocusOptics

/// A shot plan's focus as an electronic follow-focus motor runs it: the focus distance sampled at
/// the motor's rate, the ring angle through the lens map, and the encoder position.
///
/// Encoder positions are 0...65535 across the lens's throw, 0 at infinity and 65535 at close
/// focus, the way wireless follow-focus systems store a calibrated lens; between calibration
/// marks the ring angle is interpolated monotonically in dioptres (`FocusScale`).
public struct MotorProgram: Sendable {
    public struct Sample: Sendable, Equatable {
        /// Seconds from the start of the shot.
        public var time: Double
        public var focus: Distance
        /// Ring angle from the infinity mark, degrees.
        public var ringDegrees: Double
        /// 0 (infinity) ... 65535 (close focus).
        public var encoder: Int
    }

    /// What a motor can do.
    public struct Limits: Sendable, Equatable {
        /// Ring degrees per second.
        public var speed: Double
        /// Ring degrees per second per second.
        public var acceleration: Double
        public init(speed: Double, acceleration: Double) { self.speed = speed; self.acceleration = acceleration }
    }

    /// A move the motor cannot follow as planned.
    public struct Violation: Sendable, Equatable {
        /// The plan entry (focus[n]) of the move.
        public var entry: Int
        public var isSpeed: Bool
        /// The first sample over the limit: its time and the video frame it falls in.
        public var time: Double
        public var frame: Int
        /// The peak the move asks for, and the limit (degrees/s or degrees/s²).
        public var peak: Double
        public var limit: Double
        /// The shortest duration at which the same move, with the same curve, stays within both
        /// limits (nil: no duration helps, the curve starts or stops at full speed).
        public var fastestDuration: Double?
        public var duration: Double
        public var easing: Easing
    }

    public let plan: ShotPlan
    /// Samples per second.
    public let rate: Double
    public let samples: [Sample]

    /// Samples the plan from 0 to its duration inclusive, every 1/rate seconds.
    public init(plan: ShotPlan, rate: Double) {
        self.plan = plan
        self.rate = rate
        let count = Int((plan.duration * rate).rounded(.down)) + 1
        samples = (0..<count).map { i in
            let t = Double(i) / rate
            let d = plan.curve.focus(at: t)
            let (angle, position) = Self.ring(plan.focusScale, d)
            return Sample(time: t, focus: d, ringDegrees: angle, encoder: Int((position * 65535).rounded()))
        }
    }

    /// The normalised focus encoder of a distance: 0 at infinity, 1 at close focus (OpenTrackIO's
    /// convention).
    public func normalizedEncoder(_ d: Distance) -> Double { Self.ring(plan.focusScale, d).position }

    /// Ring angle of a distance, and its position along the throw (0 infinity ... 1 close focus).
    static func ring(_ scale: FocusScale, _ d: Distance) -> (angle: Double, position: Double) {
        let angle = scale.angle(for: d), t = scale.throwDegrees
        return (angle, t > 0 ? min(max(angle / t, 0), 1) : 0)
    }

    /// Moves whose ring speed or acceleration exceeds the limits, measured on the ring angle the
    /// curve asks for (analytically from the easing, so the result does not depend on the rate).
    public func violations(_ limits: Limits) -> [Violation] {
        var out: [Violation] = []
        let scale = plan.focusScale
        for move in plan.curve.moves where move.duration > 0 {
            let a0 = scale.angle(for: move.fromDistance), a1 = scale.angle(for: move.toDistance)
            let T = move.duration
            // Ring angle along the move as a function of normalised time, sampled finely enough
            // for the finite differences to follow the easing (the lens map bends it).
            let n = 2000
            func angle(_ u: Double) -> Double {
                let d0 = move.fromDistance.dioptres, d1 = move.toDistance.dioptres
                let d = d0 + (d1 - d0) * move.easing.progress(u)
                return scale.angle(for: d > 0 ? .meters(1 / d) : .infinity)
            }
            var peakSpeed = 0.0, peakAccel = 0.0, firstSpeed: Double?, firstAccel: Double?
            var previousSpeed: Double?
            for k in 0..<n {
                let u0 = Double(k) / Double(n), u1 = Double(k + 1) / Double(n)
                let speed = abs(angle(u1) - angle(u0)) / ((u1 - u0) * T)
                peakSpeed = max(peakSpeed, speed)
                if speed > limits.speed && firstSpeed == nil { firstSpeed = move.start + u0 * T }
                if let p = previousSpeed {
                    let accel = abs(speed - p) / (T / Double(n))
                    peakAccel = max(peakAccel, accel)
                    if accel > limits.acceleration && firstAccel == nil { firstAccel = move.start + u0 * T }
                }
                previousSpeed = speed
            }
            // A curve that starts or stops at full speed asks the motor for an instant change.
            let jumps = move.easing.speed(0) > 0 || move.easing.speed(1) > 0
            let jumpSpeed = abs(a1 - a0) / T * max(move.easing.speed(0), move.easing.speed(1))
            if jumps && jumpSpeed > 0 && firstAccel == nil {
                firstAccel = move.easing.speed(0) > 0 ? move.start : move.end
                peakAccel = .infinity
            }
            let fastest: Double? =
                jumps ? nil : T * max(peakSpeed / limits.speed, (peakAccel / limits.acceleration).squareRoot(), 0)
            if let t = firstSpeed {
                out.append(
                    Violation(
                        entry: move.entry, isSpeed: true, time: t, frame: plan.frame(at: t), peak: peakSpeed,
                        limit: limits.speed,
                        fastestDuration: jumps ? T * peakSpeed / limits.speed : fastest, duration: T,
                        easing: move.easing))
            }
            if let t = firstAccel {
                out.append(
                    Violation(
                        entry: move.entry, isSpeed: false, time: t, frame: plan.frame(at: t), peak: peakAccel,
                        limit: limits.acceleration,
                        fastestDuration: fastest, duration: T, easing: move.easing))
            }
        }
        return out
    }
}
