import RackFocusImage

/// Focus measure operators: how much fine detail a region of a frame holds.
///
/// The classic operators are those compared by Pertuz, Puig & Garcia (2013), "Analysis of focus
/// measure operators for shape-from-focus", Pattern Recognition 46(5); they are evaluated on luma in
/// linear light at full resolution. `gradientVariance` is this project's default, chosen by
/// measurement (docs/analysis.md): exposure (a gain) and contrast (a gain about the mean) cancel
/// out, it falls monotonically with blur, and it works on 2×2-binned luma, which keeps sensor
/// noise and codec blocking out of the finest band. `bandRatio` (two gradient scales) was the
/// first candidate: it rose again at large blur on striped content, so it lost.
package enum FocusMeasure: String, CaseIterable, Sendable {
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

    /// Gradient energy over variance, both of 2×2-binned luma: the mean squared spatial
    /// frequency of the region's detail. A gain (exposure) and a gain about the mean (contrast)
    /// cancel; blur, a low-pass filter, moves the spectrum's weight to lower frequencies, so the
    /// ratio falls as blur grows.
    case gradientVariance = "gradient-variance"

    /// Whether the analyzer corrects this measure for noise (the two ratio measures).
    package var isNoiseCompensated: Bool { self == .bandRatio || self == .gradientVariance }

    /// Gradient energy of 2×2-binned luma over its squared mean: exposure (a gain) cancels,
    /// contrast does not. Used for the depth tiles: a deeply blurred periodic texture comes back
    /// with reversed contrast at the same frequencies (spurious resolution), which only a
    /// contrast-sensitive measure scores low.
    case gradientMean = "gradient-mean"

    /// The operator RackFocus uses unless told otherwise.
    package static let standard = FocusMeasure.gradientVariance

    /// The measure of a region of the frame (pixels of the full frame).
    package func evaluate(_ pyramid: LumaPyramid, region: PixelRect) -> Double {
        switch self {
        case .bandRatio, .gradientVariance, .gradientMean:
            let (fine, denominator) = parts(pyramid, region: region)
            return (fine + 1e-12) / (denominator + 1e-12)
        default:
            let p = pyramid.levels[0]
            return classic(p, region.atLevel(0, width: p.width, height: p.height))
        }
    }

    /// Numerator and denominator of the two ratio measures: gradient energy of 2×2-binned luma,
    /// over that of 4×4-binned luma (band ratio) or over the 2×2-binned variance.
    func parts(_ pyramid: LumaPyramid, region: PixelRect) -> (Double, Double) {
        let l1 = pyramid.levels[1], l2 = pyramid.levels[2]
        let r1 = region.atLevel(1, width: l1.width, height: l1.height)
        let fine = FocusMeasure.gradientEnergy(l1, r1)
        if self == .bandRatio {
            return (fine, FocusMeasure.gradientEnergy(l2, region.atLevel(2, width: l2.width, height: l2.height)))
        }
        if self == .gradientMean { let m = FocusMeasure.mean(l1, r1); return (fine, m * m) }
        return (fine, FocusMeasure.variance(l1, r1))
    }

    /// Mean over a rectangle of one plane.
    static func mean(_ p: PlanarImage, _ r: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Double {
        p.data.withUnsafeBufferPointer { d -> Double in
            var s: Double = 0
            for y in r.y0..<r.y1 {
                var a: Float = 0; for x in r.x0..<r.x1 { a += d[y &* p.width &+ x] }; s += Double(a)
            }
            return s / Double(max(1, (r.x1 - r.x0) * (r.y1 - r.y0)))
        }
    }

    /// Variance over a rectangle of one plane.
    static func variance(_ p: PlanarImage, _ r: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Double {
        p.data.withUnsafeBufferPointer { d -> Double in
            var s: Double = 0, s2: Double = 0
            for y in r.y0..<r.y1 {
                var a: Float = 0, b: Float = 0
                for x in r.x0..<r.x1 { let v = d[y &* p.width &+ x]; a += v; b += v * v }
                s += Double(a); s2 += Double(b)
            }
            let n = Double(max(1, (r.x1 - r.x0) * (r.y1 - r.y0))), m = s / n
            return max(0, s2 / n - m * m)
        }
    }

    /// Mean of (∂x I)² + (∂y I)² by forward differences over a rectangle of one plane.
    static func gradientEnergy(_ p: PlanarImage, _ r: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Double {
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

    private func classic(_ p: PlanarImage, _ r: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Double {
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
                    default:  // variance of Laplacian
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
