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

    /// Bilinear resize of one plane (pixel centres aligned, edges clamped), separable; rows in
    /// parallel bands.
    public static func bilinear(
        _ src: [Float], width sw: Int, height sh: Int, to dw: Int, _ dh: Int, threads: Int = defaultThreadCount
    ) -> [Float] {
        // Horizontal: each output column's two source columns and weight.
        let fx = Float(sw) / Float(dw), fy = Float(sh) / Float(dh)
        var x0 = [Int](repeating: 0, count: dw), tx = [Float](repeating: 0, count: dw)
        for x in 0..<dw {
            let p = min(max((Float(x) + 0.5) * fx - 0.5, 0), Float(sw - 1))
            x0[x] = min(Int(p), sw - 1)
            tx[x] = p - Float(x0[x])
        }
        let bands = threads > 1 ? threads * 4 : 1
        var wide = [Float](repeating: 0, count: dw * sh)
        var out = [Float](repeating: 0, count: dw * dh)
        src.withUnsafeBufferPointer { sp in
            wide.withUnsafeMutableBufferPointer { wp in
                x0.withUnsafeBufferPointer { xp in
                    tx.withUnsafeBufferPointer { tp in
                        let p = Shared((sp, wp, xp, tp))
                        forEachBand(height: sh, bands: bands, threads: threads) { rows in
                            let (src, wide, x0, tx) = p.value
                            for y in rows {
                                let s = y &* sw, d = y &* dw
                                for x in 0..<dw {
                                    let a = x0[x], b = min(a &+ 1, sw &- 1)
                                    wide[d &+ x] = src[s &+ a] + (src[s &+ b] - src[s &+ a]) * tx[x]
                                }
                            }
                        }
                    }
                }
            }
        }
        wide.withUnsafeBufferPointer { wp in
            out.withUnsafeMutableBufferPointer { op in
                let p = Shared((wp, op))
                forEachBand(height: dh, bands: bands, threads: threads) { rows in
                    let (wide, out) = p.value
                    for y in rows {
                        let q = min(max((Float(y) + 0.5) * fy - 0.5, 0), Float(sh - 1))
                        let a = min(Int(q), sh &- 1), b = min(a &+ 1, sh &- 1), t = q - Float(a)
                        let ra = a &* dw, rb = b &* dw, d = y &* dw
                        for x in 0..<dw { out[d &+ x] = wide[ra &+ x] + (wide[rb &+ x] - wide[ra &+ x]) * t }
                    }
                }
            }
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
    /// filters) are the two surfaces. Each place's position within its own window's range says
    /// which side it leans to, and the colours of the clearly-near and clearly-far places around
    /// it (box means weighted by that lean, to the fourth power) are the two sides' colours; all of
    /// this at half resolution (2×2 blocks), where it varies smoothly. Where the depth
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
        // Everything but the final choice is done at half resolution (2×2 blocks, windows of half
        // the radius): the two surfaces, each block's lean between them, and the sides' colours
        // and texture, which all vary smoothly.
        let hw = (w + 1) / 2, hh = (h + 1) / 2, hn = hw * hh, hr = max(1, r / 2)
        let bands = threads > 1 ? threads * 4 : 1
        var blockMax = [Float](repeating: 0, count: hn), blockMin = blockMax, blockMean = blockMax
        var blockColour = [Float](repeating: 0, count: 3 * hn)
        let channels = frame.channels
        let table = srgbTable
        // Each block's largest, smallest and mean inverse depth, and its mean colour, sRGB-encoded;
        // in bands of block rows.
        inverse.withUnsafeBufferPointer { ip in
            frame.data.withUnsafeBufferPointer { fp in
                table.withUnsafeBufferPointer { tp in
                    blockMax.withUnsafeMutableBufferPointer { mx in
                        blockMin.withUnsafeMutableBufferPointer { mn in
                            blockMean.withUnsafeMutableBufferPointer { me in
                                blockColour.withUnsafeMutableBufferPointer { bc in
                                    let p = Shared((ip, fp, tp, mx, mn, me, bc))
                                    forEachBand(height: hh, bands: bands, threads: threads) { blockRows in
                                        let (inv, src, tab, mx, mn, me, bc) = p.value
                                        for by in blockRows {
                                            for bx in 0..<hw {
                                                let j = by &* hw &+ bx
                                                var hi = -Float.infinity, lo = Float.infinity, sum: Float = 0
                                                var rgb = SIMD3<Float>(), k = 0
                                                for y in (2 &* by)..<min(2 &* by &+ 2, h) {
                                                    for x in (2 &* bx)..<min(2 &* bx &+ 2, w) {
                                                        let i = y &* w &+ x, v = inv[i]
                                                        hi = max(hi, v)
                                                        lo = min(lo, v)
                                                        sum += v
                                                        for c in 0..<3 {
                                                            rgb[c] += src[min(c, channels &- 1) &* n &+ i]
                                                        }
                                                        k &+= 1
                                                    }
                                                }
                                                mx[j] = hi
                                                mn[j] = lo
                                                me[j] = sum / Float(k)
                                                for c in 0..<3 {
                                                    let u = min(max(rgb[c] / Float(k), 0), 1) * 4096
                                                    let e = min(Int(u), 4095), t = u - Float(e)
                                                    bc[c &* hn &+ j] = tab[e] + (tab[e &+ 1] - tab[e]) * t
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let near = MaxFilter.apply(blockMax, width: hw, height: hh, radius: hr, threads: threads)
        let far = MaxFilter.apply(blockMin.map { -$0 }, width: hw, height: hh, radius: hr, threads: threads).map { -$0 }
        // Ten planes of lean-weighted sums: weight, colour and grey² for the near and far sides.
        var planes = [[Float]](repeating: [], count: 10)
        for k in 0..<10 { planes[k] = [Float](repeating: 0, count: hn) }
        var wn = [Float](repeating: 0, count: hn), wf = wn
        for j in 0..<hn {
            let range = near[j] - far[j]
            let lean = range > 0 ? (blockMean[j] - far[j]) / range : 0.5
            let a = lean * lean, b = (1 - lean) * (1 - lean)
            wn[j] = a * a
            wf[j] = b * b
        }
        for (side, weight) in [wn, wf].enumerated() {
            planes[side] = weight
            for c in 0..<3 {
                planes[2 + 3 * side + c] = (0..<hn).map { weight[$0] * blockColour[c * hn + $0] }
            }
            planes[8 + side] = (0..<hn).map { j in
                let g = (blockColour[j] + blockColour[hn + j] + blockColour[2 * hn + j]) / 3
                return weight[j] * g * g
            }
        }
        let sums = planes.map { boxMean($0, width: hw, height: hh, radius: hr, threads: threads) }
        // Per side: mean colour (3) and the variance of its grey.
        var nearStats = [SIMD4<Float>](repeating: .zero, count: hn), farStats = nearStats
        for j in 0..<hn {
            for side in 0..<2 {
                let total = sums[side][j], offset = side == 0 ? 2 : 5
                guard total > 1e-6 else { continue }
                let m = SIMD3(sums[offset][j], sums[offset + 1][j], sums[offset + 2][j]) / total
                let g = (m.x + m.y + m.z) / 3
                let stats = SIMD4(m.x, m.y, m.z, max(sums[8 + side][j] / total - g * g, 0))
                if side == 0 { nearStats[j] = stats } else { farStats[j] = stats }
            }
        }
        // The choice, per pixel, where the depth jumps.
        frame.data.withUnsafeBufferPointer { fp in
            table.withUnsafeBufferPointer { tp in
                near.withUnsafeBufferPointer { np in
                    far.withUnsafeBufferPointer { farp in
                        nearStats.withUnsafeBufferPointer { nsp in
                            farStats.withUnsafeBufferPointer { fsp in
                                inverse.withUnsafeMutableBufferPointer { ip in
                                    let ptrs = Shared((fp, tp, np, farp, nsp, fsp, ip))
                                    forEachBand(height: h, bands: bands, threads: threads) { rows in
                                        let (src, tab, nr, fr, nst, fst, inv) = ptrs.value
                                        for y in rows {
                                            for x in 0..<w {
                                                let i = y &* w &+ x, j = (y >> 1) &* hw &+ (x >> 1)
                                                let top = nr[j], bottom = fr[j], range = top - bottom
                                                // How much of a depth jump is here: none below 10% of
                                                // the nearest, all from 20%.
                                                let jump = min(max((range / max(top, 1e-12) - 0.1) / 0.1, 0), 1)
                                                guard jump > 0 else { continue }
                                                let ns = nst[j], fs = fst[j]
                                                let a = SIMD3(ns.x, ns.y, ns.z), b = SIMD3(fs.x, fs.y, fs.z)
                                                let dc = ((a - b) * (a - b)).sum()
                                                // Sides of nearly one colour say nothing (trusted from a
                                                // difference of 0.05 up), nor do sides whose difference
                                                // is small against the texture within each (a textured
                                                // slope): trusted as the squared difference goes from 1
                                                // to 4 times their variances.
                                                let separation = dc / (ns.w + fs.w + 1e-4)
                                                let trust =
                                                    min(dc / 0.0025, 1) * min(max((separation - 1) / 3, 0), 1) * jump
                                                guard trust > 0 else { continue }
                                                var v = SIMD3<Float>()
                                                for c in 0..<3 {
                                                    let u = min(max(src[min(c, channels &- 1) &* n &+ i], 0), 1) * 4096
                                                    let k = min(Int(u), 4095), t = u - Float(k)
                                                    v[c] = tab[k] + (tab[k &+ 1] - tab[k]) * t
                                                }
                                                let dn = ((v - a) * (v - a)).sum(), df = ((v - b) * (v - b)).sum()
                                                let p = df / max(dn + df, 1e-12)
                                                // Sharpened toward a side, linear through the middle
                                                // (anti-aliased edges stay partial).
                                                let side = min(max((p - 0.5) * 2 + 0.5, 0), 1)
                                                let snapped = bottom + side * range
                                                inv[i] += trust * (snapped - inv[i])
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
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
