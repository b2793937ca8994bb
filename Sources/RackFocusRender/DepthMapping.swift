import Foundation
import RackFocusImage

/// How a depth map's values relate to distance in metres.
public enum DepthKind: String, Sendable, CaseIterable {
    /// Distance (times a scale, for integer maps): d = scale · v + shift.
    case metric
    /// Inverse depth / disparity, bigger = nearer, arbitrary scale and shift (monocular estimators):
    /// 1/d = scale · v + shift.
    case inverse
    /// 0 = near, 1 = far (or flipped), linear in distance between a stated near and far.
    case normalized
}

/// Turns depth-map values into metres.
public struct DepthMapping: Sendable, Equatable, CustomStringConvertible {
    public var kind: DepthKind
    /// metric: d = scale·v + shift; inverse: 1/d = scale·v + shift; normalized: d = shift + scale·v.
    public var scale: Double
    public var shift: Double

    public init(kind: DepthKind, scale: Double = 1, shift: Double = 0) {
        self.kind = kind
        self.scale = scale
        self.shift = shift
    }

    /// Metres as they are (or times a unit scale).
    public static func metric(scale: Double = 1) -> DepthMapping { DepthMapping(kind: .metric, scale: scale) }

    /// A normalised map: 0 = `near`, 1 = `far` (`nearIsWhite` flips it: 1 = near).
    public static func normalized(near: Double, far: Double, nearIsWhite: Bool = false) -> DepthMapping {
        nearIsWhite
            ? DepthMapping(kind: .normalized, scale: near - far, shift: far)
            : DepthMapping(kind: .normalized, scale: far - near, shift: near)
    }

    /// An inverse map whose extremes in `sample` land on `near` (its largest value) and `far` (its
    /// smallest value), linearly in inverse depth: `near` and `far` are the distances of the map's
    /// extreme values, exactly as for normalized maps.
    public static func inverse(spanning sample: [Float], near: Double, far: Double) -> DepthMapping {
        var lo = Float.infinity, hi = -Float.infinity
        for v in sample where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        guard lo.isFinite, hi > lo else { return DepthMapping(kind: .inverse, scale: 0, shift: 1 / far) }
        let a = (1 / near - 1 / far) / Double(hi - lo)
        return DepthMapping(kind: .inverse, scale: a, shift: 1 / far - a * Double(lo))
    }

    @inline(__always)
    public func metres(_ v: Float) -> Float {
        let x = scale * Double(v) + shift
        switch kind {
        case .metric, .normalized: return Float(x)
        case .inverse: return x > 0 ? Float(1 / x) : .infinity
        }
    }

    /// Converts a whole map in place.
    public func apply(_ depth: inout PlanarImage) {
        if kind == .metric && scale == 1 && shift == 0 { return }
        for i in depth.data.indices { depth.data[i] = metres(depth.data[i]) }
    }

    /// Least-squares fit to measured distances at sampled map values (at least one pair; with one,
    /// only the scale is fitted). Metric and normalised fit d = a·v + b, inverse 1/d = a·v + b.
    public static func calibrated(kind: DepthKind, values: [Float], distances: [Double]) -> DepthMapping? {
        guard values.count == distances.count, !values.isEmpty else { return nil }
        let xs = values.map(Double.init)
        let ys = kind == .inverse ? distances.map { 1 / $0 } : distances
        if xs.count == 1 || Set(xs).count == 1 {
            guard xs[0] != 0 else { return nil }
            return DepthMapping(kind: kind, scale: ys[0] / xs[0], shift: 0)
        }
        let n = Double(xs.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for (x, y) in zip(xs, ys) { sxx += (x - mx) * (x - mx); sxy += (x - mx) * (y - my) }
        guard sxx > 0 else { return nil }
        let a = sxy / sxx
        return DepthMapping(kind: kind, scale: a, shift: my - a * mx)
    }

    public var description: String {
        switch kind {
        case .metric: return String(format: "d = %.6g·v %+.6g m", scale, shift)
        case .inverse: return String(format: "1/d = %.6g·v %+.6g per metre", scale, shift)
        case .normalized: return String(format: "d = %.6g %+.6g·v m", shift, scale)
        }
    }
}
