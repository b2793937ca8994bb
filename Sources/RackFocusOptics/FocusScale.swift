import Foundation

/// Where a distance sits on the lens's focus ring, in degrees of ring rotation from the
/// infinity mark (0°) toward close focus.
public enum FocusScale: Sendable, Hashable {
    /// A generic cine lens: ring angle linear in dioptres, 0° at infinity and `throwDegrees` at
    /// close focus — angle(d) = throw · (1/d) / (1/closeFocus).
    case generic(closeFocus: Distance, throwDegrees: Double)
    /// A measured lens map: distance → ring angle at calibration marks, interpolated monotonically
    /// (Fritsch–Carlson) in dioptres. An `inf` mark anchors infinity.
    case calibrated(LensMap)

    /// The default throw of the generic scale: 300°, typical of modern cine primes.
    public static let defaultThrowDegrees = 300.0

    public func angle(for d: Distance) -> Double {
        switch self {
        case .generic(let close, let throwDegrees):
            return throwDegrees * d.dioptres / close.dioptres
        case .calibrated(let map):
            return map.angle(for: d)
        }
    }

    /// The full throw: the angle of the closest mark.
    public var throwDegrees: Double {
        switch self {
        case .generic(_, let t): return t
        case .calibrated(let map): return map.points.map(\.angleDegrees).max() ?? 0
        }
    }

    /// The closest focus on the scale.
    public var closeFocus: Distance {
        switch self {
        case .generic(let close, _): return close
        case .calibrated(let map): return map.points.map(\.distance).min() ?? .infinity
        }
    }
}

/// A lens calibration: ring angle measured at several focus distances.
public struct LensMap: Sendable, Hashable {
    public struct Point: Sendable, Hashable {
        public var distance: Distance
        public var angleDegrees: Double
        public init(distance: Distance, angleDegrees: Double) {
            self.distance = distance
            self.angleDegrees = angleDegrees
        }
    }

    public let points: [Point]
    private let curve: MonotoneCubic

    /// Builds the map. Angles must move one way as distance does (a ring never reverses).
    public init(points: [Point]) throws(ValueError) {
        guard points.count >= 2 else {
            throw ValueError(
                "a lens map needs at least two marks",
                fix: "add marks such as {distance: 0.45m, angle: 300} and {distance: inf, angle: 0}")
        }
        guard points.count <= 64 else {
            throw ValueError("a lens map has \(points.count) marks", fix: "use at most 64")
        }
        let sorted = points.sorted { $0.distance.dioptres < $1.distance.dioptres }
        for i in 1..<sorted.count where sorted[i].distance.dioptres == sorted[i - 1].distance.dioptres {
            throw ValueError("two lens-map marks at \(sorted[i].distance)", fix: "give each distance once")
        }
        let ys = sorted.map(\.angleDegrees)
        let rising = zip(ys, ys.dropFirst()).allSatisfy { $0 < $1 }
        let falling = zip(ys, ys.dropFirst()).allSatisfy { $0 > $1 }
        guard rising || falling else {
            throw ValueError(
                "lens-map angles are not monotonic in distance",
                fix: "check the marks: ring angle must change one way from infinity to close focus")
        }
        self.points = sorted
        self.curve = MonotoneCubic(xs: sorted.map(\.distance.dioptres), ys: ys)
    }

    public func angle(for d: Distance) -> Double { curve(d.dioptres) }
}
