import RackFocusImage

/// Focus breathing measured from the picture: how much the frame's scale changes between two
/// frames (a rack's start and its landing), as a lens whose image grows when it focuses closer.
package enum Breathing {
    /// The scale s by which `after` shows the scene larger than `before`, about the frame centre:
    /// the s in [0.94, 1.06] whose resampling of `after` by 1/s best matches `before` (normalised
    /// cross-correlation over the central 80%). Coarse planes (8× binned) are best: at that scale
    /// a change of focus alters little but the scale.
    ///
    /// A change of focus also changes what is blurred, and a blurred object matches a larger copy
    /// of its sharp self: `weights` (a plane the size of `before`, 0...1) keep the match to where
    /// the blur is the same in both frames, e.g. depths halfway (in dioptres) between the marks.
    package static func scale(before a: PlanarImage, after b: PlanarImage, weights: PlanarImage? = nil) -> Double {
        func correlation(_ s: Double) -> Double {
            let cx = Double(a.width) / 2, cy = Double(a.height) / 2
            let x0 = a.width / 10, x1 = a.width - a.width / 10, y0 = a.height / 10, y1 = a.height - a.height / 10
            var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0, n = 0.0
            for y in y0..<y1 {
                for x in x0..<x1 {
                    // Where this point of `before` lands in `after`, which shows the scene s× larger.
                    let fx = cx + (Double(x) + 0.5 - cx) * s - 0.5, fy = cy + (Double(y) + 0.5 - cy) * s - 0.5
                    let ix = Int(fx.rounded(.down)), iy = Int(fy.rounded(.down))
                    guard ix >= 0, iy >= 0, ix + 1 < b.width, iy + 1 < b.height else { continue }
                    let tx = Float(fx - Double(ix)), ty = Float(fy - Double(iy))
                    let p = b.data[iy * b.width + ix] * (1 - tx) + b.data[iy * b.width + ix + 1] * tx
                    let q = b.data[(iy + 1) * b.width + ix] * (1 - tx) + b.data[(iy + 1) * b.width + ix + 1] * tx
                    let vb = Double(p * (1 - ty) + q * ty), va = Double(a.data[y * a.width + x])
                    let w = Double(weights?.data[y * a.width + x] ?? 1)
                    guard w > 0 else { continue }
                    sa += w * va; sb += w * vb; saa += w * va * va; sbb += w * vb * vb; sab += w * va * vb; n += w
                }
            }
            guard n > 0 else { return 0 }
            let cov = sab / n - sa / n * sb / n, da = saa / n - sa / n * sa / n, db = sbb / n - sb / n * sb / n
            return da > 0 && db > 0 ? cov / (da * db).squareRoot() : 0
        }
        var best = 1.0, bestScore = -2.0
        for k in -60...60 {
            let s = 1 + Double(k) * 0.001; let c = correlation(s); if c > bestScore { bestScore = c; best = s }
        }
        // Refine by a parabola through the best and its neighbours.
        let (c0, c1, c2) = (correlation(best - 0.001), bestScore, correlation(best + 0.001))
        let denom = c0 - 2 * c1 + c2
        return denom < 0 ? best + 0.001 * 0.5 * (c0 - c2) / denom : best
    }
}

extension Breathing {
    /// Weights for `scale`: 1 where a depth map (metres, binned to the plane's size) puts the
    /// surface within `tolerance` dioptres of the same defocus at both marks, else 0.
    package static func equalBlurWeights(depth: PlanarImage, from a: Double, to b: Double, tolerance: Double = 0.05)
        -> PlanarImage
    {
        let da = 1 / a, db = 1 / b
        return PlanarImage(
            width: depth.width, height: depth.height,
            data: depth.data.map { d in
                guard d.isFinite, d > 0 else { return 0 }
                let x = 1 / Double(d)
                return abs(abs(x - da) - abs(x - db)) < tolerance ? 1 : 0
            })
    }
}
