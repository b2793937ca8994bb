/// Monotone piecewise-cubic Hermite interpolation (Fritsch & Carlson 1980, "Monotone Piecewise
/// Cubic Interpolation", SIAM J. Numer. Anal. 17(2)) through points with increasing x.
///
/// Between monotone data it never overshoots, which is what a lens map must do: a focus ring
/// never turns backwards between two calibration marks. Outside the points it extends linearly
/// with the end slopes.
public struct MonotoneCubic: Sendable, Hashable {
    public let xs: [Double]
    public let ys: [Double]
    private let slopes: [Double]

    /// - Precondition: at least two points, `xs` strictly increasing.
    public init(xs: [Double], ys: [Double]) {
        precondition(xs.count == ys.count && xs.count >= 2, "MonotoneCubic needs two or more points")
        self.xs = xs
        self.ys = ys
        let n = xs.count
        var delta = [Double](repeating: 0, count: n - 1)
        for i in 0..<(n - 1) { delta[i] = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) }
        var m = [Double](repeating: 0, count: n)
        m[0] = delta[0]
        m[n - 1] = delta[n - 2]
        for i in 1..<(n - 1) {
            m[i] = delta[i - 1] * delta[i] <= 0 ? 0 : (delta[i - 1] + delta[i]) / 2
        }
        // Fritsch–Carlson limiter: keep (α, β) inside the circle of radius 3.
        for i in 0..<(n - 1) {
            if delta[i] == 0 { m[i] = 0; m[i + 1] = 0; continue }
            let a = m[i] / delta[i], b = m[i + 1] / delta[i]
            let r = a * a + b * b
            if r > 9 {
                let t = 3 / r.squareRoot()
                m[i] = t * a * delta[i]
                m[i + 1] = t * b * delta[i]
            }
        }
        slopes = m
    }

    public func callAsFunction(_ x: Double) -> Double {
        let n = xs.count
        if x <= xs[0] { return ys[0] + slopes[0] * (x - xs[0]) }
        if x >= xs[n - 1] { return ys[n - 1] + slopes[n - 1] * (x - xs[n - 1]) }
        var lo = 0, hi = n - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if xs[mid] <= x { lo = mid } else { hi = mid }
        }
        let h = xs[hi] - xs[lo]
        let t = (x - xs[lo]) / h
        let t2 = t * t, t3 = t2 * t
        return (2 * t3 - 3 * t2 + 1) * ys[lo] + (t3 - 2 * t2 + t) * h * slopes[lo]
            + (-2 * t3 + 3 * t2) * ys[hi] + (t3 - t2) * h * slopes[hi]
    }
}
