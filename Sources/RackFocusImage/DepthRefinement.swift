import Foundation

/// Depth edges pulled onto the frame's edges: for a depth network's output (soft edges a few of
/// its pixels wide, upsampled) and for soft maps users bring (`--refine-depth`), with the box
/// means, bilinear resize and sRGB table that work needs.
public enum DepthRefinement {
    /// Mean over the (2r+1)² window clipped to the frame (divided by the pixels inside), by running
    /// sums: a horizontal pass over bands of rows, then a vertical one over bands of columns.
    public static func boxMean(
        _ src: [Float], width w: Int, height h: Int, radius r: Int, threads: Int = defaultThreadCount
    ) -> [Float] {
        var rows = [Float](repeating: 0, count: src.count)
        var out = [Float](repeating: 0, count: src.count)
        let bands = threads > 1 ? threads * 4 : 1
        src.withUnsafeBufferPointer { sp in
            rows.withUnsafeMutableBufferPointer { rp in
                let s = Shared(sp), d = Shared(rp)
                forEachBand(height: h, bands: bands, threads: threads) { ys in
                    let s = s.value, d = d.value
                    for y in ys {
                        let base = y &* w
                        var sum: Float = 0
                        for x in 0..<min(r, w) { sum += s[base &+ x] }
                        for x in 0..<w {
                            if x &+ r < w { sum += s[base &+ x &+ r] }
                            if x &- r &- 1 >= 0 { sum -= s[base &+ x &- r &- 1] }
                            let count = min(x &+ r, w &- 1) &- max(x &- r, 0) &+ 1
                            d[base &+ x] = sum / Float(count)
                        }
                    }
                }
            }
        }
        rows.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer { op in
                let s = Shared(sp), d = Shared(op)
                // Bands of columns, each with its own running sums along the rows.
                forEachBand(height: w, bands: bands, threads: threads) { xs in
                    let s = s.value, d = d.value
                    let x0 = xs.lowerBound, count = xs.count
                    var sum = [Float](repeating: 0, count: count)
                    sum.withUnsafeMutableBufferPointer { acc in
                        for y in 0..<min(r, h) {
                            let row = y &* w &+ x0
                            for i in 0..<count { acc[i] += s[row &+ i] }
                        }
                        for y in 0..<h {
                            if y &+ r < h {
                                let row = (y &+ r) &* w &+ x0
                                for i in 0..<count { acc[i] += s[row &+ i] }
                            }
                            if y &- r &- 1 >= 0 {
                                let row = (y &- r &- 1) &* w &+ x0
                                for i in 0..<count { acc[i] -= s[row &+ i] }
                            }
                            let inv = 1 / Float(min(y &+ r, h &- 1) &- max(y &- r, 0) &+ 1)
                            let row = y &* w &+ x0
                            for i in 0..<count { d[row &+ i] = acc[i] * inv }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Bilinear resize of one plane (pixel centres aligned, edges clamped), separable.
    public static func bilinear(_ src: [Float], width sw: Int, height sh: Int, to dw: Int, _ dh: Int) -> [Float] {
        // Horizontal: each output column's two source columns and weight.
        let fx = Float(sw) / Float(dw), fy = Float(sh) / Float(dh)
        var x0 = [Int](repeating: 0, count: dw), tx = [Float](repeating: 0, count: dw)
        for x in 0..<dw {
            let p = min(max((Float(x) + 0.5) * fx - 0.5, 0), Float(sw - 1))
            x0[x] = min(Int(p), sw - 1)
            tx[x] = p - Float(x0[x])
        }
        var wide = [Float](repeating: 0, count: dw * sh)
        for y in 0..<sh {
            let s = y * sw, d = y * dw
            for x in 0..<dw {
                let a = x0[x], b = min(a + 1, sw - 1)
                wide[d + x] = src[s + a] + (src[s + b] - src[s + a]) * tx[x]
            }
        }
        var out = [Float](repeating: 0, count: dw * dh)
        for y in 0..<dh {
            let p = min(max((Float(y) + 0.5) * fy - 0.5, 0), Float(sh - 1))
            let a = min(Int(p), sh - 1), b = min(a + 1, sh - 1), t = p - Float(a)
            let ra = a * dw, rb = b * dw, d = y * dw
            for x in 0..<dw { out[d + x] = wide[ra + x] + (wide[rb + x] - wide[ra + x]) * t }
        }
        return out
    }

    /// sRGB encoding of 0–1 at 4097 points, for the colour guide (linear interpolation between them is
    /// within 2·10⁻⁴ of the curve above 0.01, plenty for finding edges).
    static let srgbTable: [Float] = (0...4096).map { ColorTransfer.linearToSRGB(Float($0) / 4096) }

    /// Refines inverse depth (one plane at the frame's size) onto the frame's edges.
    ///
    /// A soft depth edge is a ramp between two surfaces; the frame shows where the edge really is.
    /// Within a window of `radius` px, the nearest and farthest inverse depths (max and min
    /// filters) are the two surfaces. Each pixel's place in its own window's range says which side
    /// it leans to, and the colours of the clearly-near and clearly-far pixels around it (box means
    /// weighted by that lean, to the fourth power) are the two sides' colours. Where the depth
    /// jumps (a range over 10% of the nearest) and the two colours differ, by more than the
    /// texture within each side (a textured slope is no edge), a pixel takes the side whose colour
    /// it is closer to, softly (an anti-aliased edge stays partial); flat depth is left as it is.
    /// Values stay within the input's range.
    public static func refineInverseDepth(
        _ inverse: inout [Float], frame: PlanarImage, radius: Int, threads: Int = defaultThreadCount
    ) {
        let w = frame.width, h = frame.height, n = w * h
        precondition(inverse.count == n)
        var lo = Float.infinity, hi = -Float.infinity
        for v in inverse where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        guard lo.isFinite, hi > lo else { return }
        for i in inverse.indices where !inverse[i].isFinite { inverse[i] = lo }
        let r = max(1, radius)
        let near = MaxFilter.apply(inverse, width: w, height: h, radius: r)
        let far = MaxFilter.apply(inverse.map { -$0 }, width: w, height: h, radius: r).map { -$0 }
        // The guide: sRGB-encoded colour (edges as the eye sees them).
        var colour = [[Float]](repeating: [Float](repeating: 0, count: n), count: 3)
        let table = srgbTable
        for c in 0..<min(3, frame.channels) {
            for i in 0..<n {
                let u = min(max(frame.data[c * n + i], 0), 1) * 4096
                let k = min(Int(u), 4095), t = u - Float(k)
                colour[c][i] = table[k] + (table[k + 1] - table[k]) * t
            }
        }
        if frame.channels < 3 { colour[1] = colour[0]; colour[2] = colour[0] }
        var wNear = [Float](repeating: 0, count: n), wFar = wNear
        for i in 0..<n {
            let range = near[i] - far[i]
            let lean = range > 0 ? (inverse[i] - far[i]) / range : 0.5
            let a = lean * lean, b = (1 - lean) * (1 - lean)
            wNear[i] = a * a
            wFar[i] = b * b
        }
        // Per side: the weighted mean colour, and the weighted variance of its grey (R+G+B)/3.
        func weighted(_ weight: [Float]) -> (colour: [[Float]], variance: [Float]) {
            let total = boxMean(weight, width: w, height: h, radius: r, threads: threads)
            let means = (0..<3).map { c in
                var product = [Float](repeating: 0, count: n)
                for i in 0..<n { product[i] = colour[c][i] * weight[i] }
                let mean = boxMean(product, width: w, height: h, radius: r, threads: threads)
                return (0..<n).map { total[$0] > 1e-6 ? mean[$0] / total[$0] : colour[c][$0] }
            }
            var squares = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let g = (colour[0][i] + colour[1][i] + colour[2][i]) / 3
                squares[i] = g * g * weight[i]
            }
            let meanSquare = boxMean(squares, width: w, height: h, radius: r, threads: threads)
            let variance = (0..<n).map { i -> Float in
                guard total[i] > 1e-6 else { return 0 }
                let g = (means[0][i] + means[1][i] + means[2][i]) / 3
                return max(meanSquare[i] / total[i] - g * g, 0)
            }
            return (means, variance)
        }
        let (nearColour, nearVariance) = weighted(wNear), (farColour, farVariance) = weighted(wFar)
        for i in 0..<n {
            let range = near[i] - far[i]
            // How much of a depth jump is here: none below 10% of the nearest, all from 20%.
            let jump = min(max((range / max(near[i], 1e-12) - 0.1) / 0.1, 0), 1)
            guard jump > 0 else { continue }
            var dn: Float = 0, df: Float = 0, dc: Float = 0
            for c in 0..<3 {
                let v = colour[c][i], a = nearColour[c][i], b = farColour[c][i]
                dn += (v - a) * (v - a)
                df += (v - b) * (v - b)
                dc += (a - b) * (a - b)
            }
            // Sides of nearly one colour say nothing (trusted from a difference of 0.05 up), nor do
            // sides whose difference is small against the texture within each (a textured slope):
            // trusted as the squared difference goes from 1 to 4 times the sides' variances.
            let separation = dc / (nearVariance[i] + farVariance[i] + 1e-4)
            let trust = min(dc / 0.0025, 1) * min(max((separation - 1) / 3, 0), 1) * jump
            guard trust > 0 else { continue }
            let p = df / max(dn + df, 1e-12)
            // Sharpened toward a side, linear through the middle (anti-aliased edges stay partial).
            let side = min(max((p - 0.5) * 2 + 0.5, 0), 1)
            let snapped = far[i] + side * range
            inverse[i] += trust * (snapped - inverse[i])
        }
        for i in inverse.indices { inverse[i] = min(max(inverse[i], lo), hi) }
    }

    /// The window for a map whose pixels each cover `scale` frame pixels: soft edges span a couple
    /// of its pixels, and at least 4 frame pixels.
    /// On a path-traced sample whose depth was softened as a network softens it, 4 px did best of
    /// 4, 8 and 12 (docs/depth.md, "Edges").
    public static func refineRadius(scale: Double) -> Int { max(4, Int((2 * scale).rounded())) }

    /// `refineInverseDepth` for a map in metres (refined in inverse depth, where blur is linear).
    public static func refineDepth(_ metres: inout PlanarImage, frame: PlanarImage, radius: Int) {
        var inverse = metres.data.map { $0 > 0 && $0.isFinite ? 1 / $0 : 0 }
        refineInverseDepth(&inverse, frame: frame, radius: radius)
        for i in inverse.indices { metres.data[i] = inverse[i] > 0 ? 1 / inverse[i] : .infinity }
    }
}
