import Foundation
import RackFocusImage

/// Steadies per-frame depth from estimators that flicker, so the blur of a static object does not
/// shimmer.
///
/// Each frame's inverse depth is first aligned to a running reference by a robust scale and shift
/// (least squares on a sparse grid of pixels, twice, the second time without the worst quarter of
/// residuals: moving objects and noise do not pull the fit). The aligned map is then blended into
/// the reference where the two agree (within `tolerance`, relative, averaged over 5×5 pixels) — a
/// static region averages out its noise — and taken as it is where they disagree, so moving
/// objects do not ghost. The output
/// is the reference after the update, in metres.
public final class DepthStabilizer {
    /// Weight of the new frame in the running reference (0…1): lower is steadier, slower to follow.
    public let blend: Float
    /// Relative inverse-depth difference beyond which a pixel is treated as moving.
    public let tolerance: Float
    private var reference: [Float] = []
    public private(set) var lastFit: (scale: Double, shift: Double) = (1, 0)

    public init(blend: Float = 0.2, tolerance: Float = 0.1) {
        self.blend = blend
        self.tolerance = tolerance
    }

    /// Stabilises one depth map (metres) in place.
    public func process(_ depth: inout PlanarImage) {
        let n = depth.pixelCount
        var inv = depth.data.map { $0 > 0 && $0.isFinite ? 1 / $0 : 0 }
        guard reference.count == n else {
            reference = inv
            return
        }
        // Robust scale/shift of inv onto the reference, on every 7th pixel.
        var idx = Array(stride(from: 0, to: n, by: 7)).filter { inv[$0] > 0 && reference[$0] > 0 }
        var a = 1.0, b = 0.0
        for pass in 0..<2 {
            if pass == 1 {
                let residual = idx.map { abs(a * Double(inv[$0]) + b - Double(reference[$0])) }
                let cut = residual.sorted()[min(residual.count - 1, residual.count * 3 / 4)]
                idx = zip(idx, residual).filter { $0.1 <= cut }.map(\.0)
            }
            guard idx.count > 8 else { break }
            let m = Double(idx.count)
            var mx = 0.0, my = 0.0
            for i in idx { mx += Double(inv[i]); my += Double(reference[i]) }
            mx /= m; my /= m
            var sxx = 0.0, sxy = 0.0
            for i in idx {
                let dx = Double(inv[i]) - mx
                sxx += dx * dx; sxy += dx * (Double(reference[i]) - my)
            }
            // A scale of 1 is the prior, worth a spread of 10% of the mean: where the sample barely
            // spreads (a flat wall, once a small moving subject is trimmed), noise cannot pull the
            // scale and only the shift is fitted; a scene's depths spread far more than that.
            let prior = m * (0.1 * mx) * (0.1 * mx)
            guard sxx + prior > 0 else { break }
            a = (sxy + prior) / (sxx + prior)
            b = my - a * mx
        }
        lastFit = (a, b)
        let fa = Float(a), fb = Float(b)
        // Motion is judged on the difference averaged over 5×5 pixels: a moving object moves a
        // region, while an estimator's per-pixel noise averages out there and is smoothed.
        var difference = [Float](repeating: 0, count: n)
        for i in 0..<n { difference[i] = abs(fa * inv[i] + fb - reference[i]) / max(abs(reference[i]), 1e-6) }
        difference = DepthRefinement.boxMean(
            difference, width: depth.width, height: depth.height, radius: 2, threads: 1)
        for i in 0..<n {
            let aligned = fa * inv[i] + fb
            let r = reference[i]
            if difference[i] <= tolerance {
                reference[i] = r + blend * (aligned - r)
            } else {
                reference[i] = aligned
            }
            inv[i] = reference[i]
        }
        for i in 0..<n { depth.data[i] = inv[i] > 0 ? 1 / inv[i] : .infinity }
    }
}
