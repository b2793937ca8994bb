/// Focus measure operators: how much fine detail a region of a frame holds.
///
/// The classic operators are those compared by Pertuz, Puig & Garcia (2013), "Analysis of focus
/// measure operators for shape-from-focus", Pattern Recognition 46(5); they are evaluated on luma in
/// linear light at full resolution. `bandRatio` is this project's default, chosen by measurement
/// (`rackfocus analyze --compare-measures`, docs/analysis.md): it compares gradient energy at two
/// scales, so exposure (a gain) and contrast (a gain about the mean) cancel out, and it works on
/// 2×2-binned luma, which keeps sensor noise and codec blocking out of the finest band.
public enum FocusMeasure: String, CaseIterable, Sendable {
    /// Tenengrad: mean squared Sobel gradient magnitude.
    case tenengrad
    /// Modified Laplacian (Nayar): mean of |2I − I(x−1) − I(x+1)| + |2I − I(y−1) − I(y+1)|.
    case modifiedLaplacian = "modified-laplacian"
    /// Variance of the 4-neighbour Laplacian (Pech-Pacheco et al.).
    case varianceOfLaplacian = "variance-of-laplacian"
    /// Normalised grey-level variance: variance / mean.
    case normalizedVariance = "normalized-variance"
    /// Band ratio: gradient energy of 2×2-binned luma over that of 4×4-binned luma, each per
    /// binned pixel. Ranges from 0.25 (a smooth ramp, fully blurred) up to 4 (pixel noise).
    case bandRatio = "band-ratio"

    /// The operator RackFocus uses unless told otherwise.
    public static let standard = FocusMeasure.bandRatio

    /// The measure of a region of the frame (pixels of the full frame).
    public func evaluate(_ pyramid: LumaPyramid, region: PixelRect) -> Double {
        switch self {
        case .bandRatio:
            let fine = FocusMeasure.gradientEnergy(pyramid.levels[1], region.atLevel(1, width: pyramid.levels[1].width, height: pyramid.levels[1].height))
            let coarse = FocusMeasure.gradientEnergy(pyramid.levels[2], region.atLevel(2, width: pyramid.levels[2].width, height: pyramid.levels[2].height))
            return (fine + 1e-12) / (coarse + 1e-12)
        default:
            let p = pyramid.levels[0]
            return classic(p, region.atLevel(0, width: p.width, height: p.height))
        }
    }

    /// Mean of (∂x I)² + (∂y I)² by forward differences over a rectangle of one plane.
    static func gradientEnergy(_ p: LumaPlane, _ r: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Double {
        let w = p.width
        guard r.x1 - r.x0 >= 2, r.y1 - r.y0 >= 2 else { return 0 }
        return p.data.withUnsafeBufferPointer { d -> Double in
            var sum: Double = 0
            for y in r.y0..<(r.y1 - 1) {
                var row: Float = 0
                var i = y &* w &+ r.x0
                for _ in r.x0..<(r.x1 - 1) {
                    let c = d[i], gx = d[i &+ 1] - c, gy = d[i &+ w] - c
                    row += gx * gx + gy * gy
                    i &+= 1
                }
                sum += Double(row)
            }
            return sum / Double((r.x1 - r.x0 - 1) * (r.y1 - r.y0 - 1))
        }
    }

    private func classic(_ p: LumaPlane, _ r: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Double {
        let w = p.width
        if self == .normalizedVariance {
            return p.data.withUnsafeBufferPointer { d -> Double in
                var s: Double = 0, s2: Double = 0
                for y in r.y0..<r.y1 { for x in r.x0..<r.x1 { let v = Double(d[y &* w &+ x]); s += v; s2 += v * v } }
                let n = Double((r.x1 - r.x0) * (r.y1 - r.y0)), mean = s / n
                return mean > 0 ? max(0, s2 / n - mean * mean) / mean : 0
            }
        }
        // Interior pixels only (3×3 neighbourhoods inside the rectangle and the frame).
        let x0 = max(1, r.x0), y0 = max(1, r.y0), x1 = min(p.width - 1, r.x1), y1 = min(p.height - 1, r.y1)
        guard x1 > x0, y1 > y0 else { return 0 }
        let n = Double((x1 - x0) * (y1 - y0))
        return p.data.withUnsafeBufferPointer { d -> Double in
            var s: Double = 0, s2: Double = 0
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let i = y &* w &+ x
                    let c = d[i], l = d[i &- 1], rr = d[i &+ 1], u = d[i &- w], b = d[i &+ w]
                    switch self {
                    case .tenengrad:
                        let ul = d[i &- w &- 1], ur = d[i &- w &+ 1], bl = d[i &+ w &- 1], br = d[i &+ w &+ 1]
                        let gx = (ur + 2 * rr + br) - (ul + 2 * l + bl), gy = (bl + 2 * b + br) - (ul + 2 * u + ur)
                        s += Double(gx * gx + gy * gy)
                    case .modifiedLaplacian:
                        s += Double(abs(2 * c - l - rr) + abs(2 * c - u - b))
                    default: // variance of Laplacian
                        let lap = Double(l + rr + u + b - 4 * c)
                        s += lap; s2 += lap * lap
                    }
                }
            }
            if self == .varianceOfLaplacian { let m = s / n; return max(0, s2 / n - m * m) }
            return s / n
        }
    }
}
