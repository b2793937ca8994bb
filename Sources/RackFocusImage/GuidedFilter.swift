import Foundation

/// He, Sun and Tang's guided filter: edge-aware smoothing of one plane steered by another, in
/// O(pixels) whatever the radius. Within every (2r+1)² window the output is a linear function of
/// the guide, q = a·I + b, fitted to the input by least squares with a ridge ε on a; each pixel
/// averages the fits of the windows that hold it. Where the guide has an edge, the output gets the
/// same edge; where the guide is flat, the output is the input's local mean.
///
/// Used to pull coarse depth onto the frame's edges (`refineInverseDepth`): a depth network's
/// output, upsampled, has soft edges a few of its pixels wide; the guide (the frame's sRGB luma)
/// has them sharp.
public enum GuidedFilter {
    /// The filtered `input` (one plane, `width × height`), guided by `guide` (same size).
    public static func apply(
        _ input: [Float], guide: [Float], width: Int, height: Int, radius: Int, epsilon: Float,
        threads: Int = defaultThreadCount
    ) -> [Float] {
        precondition(input.count == width * height && guide.count == input.count)
        let n = input.count
        var ii = [Float](repeating: 0, count: n), ip = [Float](repeating: 0, count: n)
        for i in 0..<n {
            ii[i] = guide[i] * guide[i]
            ip[i] = guide[i] * input[i]
        }
        let meanI = boxMean(guide, width: width, height: height, radius: radius, threads: threads)
        let meanP = boxMean(input, width: width, height: height, radius: radius, threads: threads)
        let corrI = boxMean(ii, width: width, height: height, radius: radius, threads: threads)
        let corrIP = boxMean(ip, width: width, height: height, radius: radius, threads: threads)
        var a = ii, b = ip  // reuse storage
        for i in 0..<n {
            let varI = max(corrI[i] - meanI[i] * meanI[i], 0)
            let cov = corrIP[i] - meanI[i] * meanP[i]
            a[i] = cov / (varI + epsilon)
            b[i] = meanP[i] - a[i] * meanI[i]
        }
        let meanA = boxMean(a, width: width, height: height, radius: radius, threads: threads)
        let meanB = boxMean(b, width: width, height: height, radius: radius, threads: threads)
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n { out[i] = meanA[i] * guide[i] + meanB[i] }
        return out
    }

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

    /// sRGB encoding of 0–1 at 4097 points, for the guide (linear interpolation between them is
    /// within 2·10⁻⁴ of the curve above 0.01, plenty for finding edges).
    static let srgbTable: [Float] = (0...4096).map { ColorTransfer.linearToSRGB(Float($0) / 4096) }

    /// The guide for depth: the frame's luma, sRGB-encoded (edges as the eye sees them), from
    /// linear-light RGB planes.
    public static func luma(of frame: PlanarImage) -> [Float] {
        let n = frame.pixelCount
        var out = [Float](repeating: 0, count: n)
        let table = srgbTable
        for i in 0..<n {
            let y =
                frame.channels >= 3
                ? ColorTransfer.luminance(frame.data[i], frame.data[n + i], frame.data[2 * n + i]) : frame.data[i]
            let u = min(max(y, 0), 1) * 4096
            let k = min(Int(u), 4095), t = u - Float(k)
            out[i] = table[k] + (table[k + 1] - table[k]) * t
        }
        return out
    }

    /// Refines inverse depth (one plane at the frame's size) onto the frame's edges. `scale` is how
    /// many frame pixels one pixel of the depth's source covered (1 for a map made at the frame's
    /// size): the window reaches twice that, at least 2 px. ε = 10⁻³: guide edges of more than
    /// about 3% contrast are kept. Values stay within the input's range.
    public static func refineInverseDepth(_ inverse: inout [Float], frame: PlanarImage, scale: Double) {
        var lo = Float.infinity, hi = -Float.infinity
        for v in inverse where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        guard lo.isFinite, hi > lo else { return }
        for i in inverse.indices where !inverse[i].isFinite { inverse[i] = lo }
        let radius = max(2, Int((2 * scale).rounded()))
        let guide = luma(of: frame)
        let out = apply(inverse, guide: guide, width: frame.width, height: frame.height, radius: radius, epsilon: 1e-3)
        for i in inverse.indices { inverse[i] = min(max(out[i], lo), hi) }
    }

    /// `refineInverseDepth` for a map in metres (refined in inverse depth, where blur is linear).
    public static func refineDepth(_ metres: inout PlanarImage, frame: PlanarImage, scale: Double) {
        var inverse = metres.data.map { $0 > 0 && $0.isFinite ? 1 / $0 : 0 }
        refineInverseDepth(&inverse, frame: frame, scale: scale)
        for i in inverse.indices { metres.data[i] = inverse[i] > 0 ? 1 / inverse[i] : .infinity }
    }
}
