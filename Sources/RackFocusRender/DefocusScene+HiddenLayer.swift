import RackFocusImage

/// The hidden layer (see `DefocusScene` and docs/render-model.md): where it is needed, and what
/// fills it.
extension DefocusScene {
    /// The hidden splats of a frame: pixel index, colour (interleaved RGB) and CoC of each, for
    /// the holes within `reach` (px) of a depth edge on its near side, filled by pull-push.
    static func hiddenLayer(color: [Float], coc: [Float], width w: Int, height h: Int, reach: Float, threads: Int)
        -> ([Int32], [Float], [Float])
    {
        let n = w * h, tau = edgeThreshold
        // Per 4×4 block: the farthest CoC, and whether a pixel in it is the near side of a depth
        // edge (a neighbour farther by more than tau). Block rows in parallel.
        let b = 4, bw = (w + b - 1) / b, bh = (h + b - 1) / b
        var blockFar = [Float](repeating: -.infinity, count: bw * bh)
        // Minus the nearest CoC per block (negated so that a maximum filter finds the nearest).
        var blockNear = [Float](repeating: -.infinity, count: bw * bh)
        var blockEdge = [Float](repeating: 0, count: bw * bh)
        coc.withUnsafeBufferPointer { c in
            blockFar.withUnsafeMutableBufferPointer { bf in
                blockNear.withUnsafeMutableBufferPointer { bn in
                    blockEdge.withUnsafeMutableBufferPointer { be in
                        let ctx = Shared((c, bf, be, bn))
                        parallelFor(bh, threads: threads) { by in
                            let (c, bf, be, bn) = ctx.value
                            // The 3×3 maximum, separably: the horizontal maximum of each row the
                            // block's rows touch, then the vertical maximum of three of those.
                            let yTop = max(by &* b &- 1, 0), yBottom = min(by &* b &+ b, h &- 1)
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: (b &+ 2) &* w) { rowMax in
                                let rm = rowMax.baseAddress!
                                for y in yTop...yBottom {
                                    let src = c.baseAddress! + y &* w, dst = rm + (y &- yTop) &* w
                                    // The ends clamped, the inside in straight lines (vectorised).
                                    dst[0] = max(src[0], src[min(1, w &- 1)])
                                    if w > 2 {
                                        for x in 1..<(w &- 1) { dst[x] = max(src[x &- 1], max(src[x], src[x &+ 1])) }
                                    }
                                    if w > 1 { dst[w &- 1] = max(src[w &- 2], src[w &- 1]) }
                                }
                                for y in (by &* b)..<min(by &* b &+ b, h) {
                                    let above = rm + (max(y &- 1, 0) &- yTop) &* w, here = rm + (y &- yTop) &* w,
                                        below = rm + (min(y &+ 1, h &- 1) &- yTop) &* w
                                    let src = c.baseAddress! + y &* w
                                    var bx = 0
                                    // Whole blocks four pixels at a time (maxima and minima are
                                    // exact, so the order of the lanes changes nothing).
                                    while bx &* b &+ b <= w {
                                        let x = bx &* b
                                        @inline(__always) func lanes(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
                                            UnsafeRawPointer(p + x).loadUnaligned(as: SIMD4<Float>.self)
                                        }
                                        let v = lanes(src)
                                        var m = lanes(above)
                                        let middle = lanes(here), low = lanes(below)
                                        m.replace(with: middle, where: middle .> m)
                                        m.replace(with: low, where: low .> m)
                                        let d = m - v
                                        let near = max(max(v[0], v[1]), max(v[2], v[3]))
                                        let nearest = min(min(v[0], v[1]), min(v[2], v[3]))
                                        let step = max(max(d[0], d[1]), max(d[2], d[3]))
                                        let k = by &* bw &+ bx
                                        if near > bf[k] { bf[k] = near }
                                        if -nearest > bn[k] { bn[k] = -nearest }
                                        if step > tau { be[k] = 1 }
                                        bx &+= 1
                                    }
                                    while bx &* b < w {
                                        var near = -Float.infinity, step = -Float.infinity, nearest = Float.infinity
                                        for x in (bx &* b)..<min(bx &* b &+ b, w) {
                                            let v = src[x]
                                            near = max(near, v)
                                            nearest = min(nearest, v)
                                            step = max(step, max(above[x], max(here[x], below[x])) - v)
                                        }
                                        let k = by &* bw &+ bx
                                        if near > bf[k] { bf[k] = near }
                                        if -nearest > bn[k] { bn[k] = -nearest }
                                        if step > tau { be[k] = 1 }
                                        bx &+= 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard blockEdge.contains(where: { $0 > 0 }) else { return ([], [], []) }
        // Grow the edge into the near side as far as the largest blur can reveal. Both the
        // farthest CoC within reach and the grown edge are computed on the block maxima with a
        // window one block wider than the reach (conservative: never smaller than exact).
        let radius = Int((reach / Float(b)).rounded(.up)) + 1
        let farthest = MaxFilter.apply(blockFar, width: bw, height: bh, radius: radius, threads: threads)
        let grown = MaxFilter.apply(blockEdge, width: bw, height: bh, radius: radius, threads: threads)
        // What a hole reveals lies behind the occluder, so the occluder does not feed the fill:
        // a pixel in front of focus that is the nearest thing within twice the reach (by tau),
        // with something farther there, is left out of it (twice: a hole's fill is drawn from
        // about that far). A surface behind an occluder still feeds it.
        let farther = MaxFilter.apply(blockFar, width: bw, height: bh, radius: 2 * radius, threads: threads)
        let nearer = MaxFilter.apply(blockNear, width: bw, height: bh, radius: 2 * radius, threads: threads)
        // Holes: pixels with something farther within reach, by more than tau. A mask (1: hole,
        // 2: left out of the fill) and the holes per band of rows, in parallel.
        let bands = min(16, h)
        var hole = [UInt8](repeating: 0, count: n)
        var bandHoles = [Int](repeating: 0, count: bands)
        coc.withUnsafeBufferPointer { c in
            hole.withUnsafeMutableBufferPointer { hm in
                bandHoles.withUnsafeMutableBufferPointer { bhc in
                    farthest.withUnsafeBufferPointer { far in
                        grown.withUnsafeBufferPointer { g in
                            farther.withUnsafeBufferPointer { far2 in
                                nearer.withUnsafeBufferPointer { near2 in
                                    let ctx = Shared((c, hm, bhc, far, g, far2, near2))
                                    parallelFor(bands, threads: threads) { band in
                                        let (c, hm, bhc, far, g, far2, near2) = ctx.value
                                        var count = 0
                                        for y in (h * band / bands)..<(h * (band + 1) / bands) {
                                            let row = (y / b) &* bw
                                            for x in 0..<w {
                                                let i = y &* w &+ x, k = row &+ x / b
                                                guard Self.uncovering(c[i]) > 0 else { continue }
                                                if g[k] > 0.5 && far[k] - c[i] > tau {
                                                    hm[i] = 1; count &+= 1
                                                } else if far2[k] - c[i] > tau && c[i] + near2[k] < tau {
                                                    hm[i] = 2
                                                }
                                            }
                                        }
                                        bhc[band] = count
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let holes = bandHoles.reduce(0, +)
        guard holes > 0 else { return ([], [], []) }
        // Fill colour and CoC behind the holes from everything else (pull-push from half
        // resolution; the hidden layer is a smooth extension of the background).
        let hw = (w + 1) / 2, hh2 = (h + 1) / 2, hn = hw * hh2
        var half = [Float](repeating: 0, count: 4 * hn), halfValid = [Bool](repeating: false, count: hn)
        color.withUnsafeBufferPointer { col in
            coc.withUnsafeBufferPointer { c in
                hole.withUnsafeBufferPointer { hm in
                    half.withUnsafeMutableBufferPointer { hf in
                        halfValid.withUnsafeMutableBufferPointer { hv in
                            let ctx = Shared((col, c, hm, hf, hv))
                            parallelFor(min(16, hh2), threads: threads) { band in
                                let (col, c, hm, hf, hv) = ctx.value
                                let bands = min(16, hh2)
                                Self.halfResolutionFill(
                                    color: col.baseAddress!, coc: c.baseAddress!, hole: hm.baseAddress!, width: w,
                                    height: h, rows: (hh2 * band / bands)..<(hh2 * (band + 1) / bands),
                                    into: hf.baseAddress!, valid: hv.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        let filled = PullPush.fill(
            planes: half, channels: 4, width: hw, height: hh2, valid: halfValid, threads: threads)
        // The holes in pixel order, each band writing its own slice.
        var index = [Int32](repeating: 0, count: holes), rgb = [Float](repeating: 0, count: 3 * holes),
            hc = [Float](repeating: 0, count: holes)
        var bandStart = [Int](repeating: 0, count: bands)
        for band in 1..<max(1, bands) { bandStart[band] = bandStart[band - 1] + bandHoles[band - 1] }
        coc.withUnsafeBufferPointer { c in
            hole.withUnsafeBufferPointer { hm in
                filled.withUnsafeBufferPointer { filled in
                    index.withUnsafeMutableBufferPointer { index in
                        rgb.withUnsafeMutableBufferPointer { rgb in
                            hc.withUnsafeMutableBufferPointer { hc in
                                let ctx = Shared((c, hm, filled, index, rgb, hc, bandStart))
                                parallelFor(bands, threads: threads) { band in
                                    let (c, hm, filled, index, rgb, hc, bandStart) = ctx.value
                                    var j = bandStart[band]
                                    for y in (h * band / bands)..<(h * (band + 1) / bands) {
                                        // Bilinear sample of the half-resolution fill at each hole's centre.
                                        let fy = min(max((Float(y) + 0.5) / 2 - 0.5, 0), Float(hh2 - 1))
                                        let y0 = Int(fy), y1 = min(y0 + 1, hh2 - 1), ty = fy - Float(y0)
                                        for x in 0..<w where hm[y &* w &+ x] == 1 {
                                            let fx = min(max((Float(x) + 0.5) / 2 - 0.5, 0), Float(hw - 1))
                                            let x0 = Int(fx), x1 = min(x0 + 1, hw - 1), tx = fx - Float(x0)
                                            func sample(_ ch: Int) -> Float {
                                                let o = ch &* hn
                                                let top =
                                                    filled[o &+ y0 &* hw &+ x0] * (1 - tx) + filled[o &+ y0 &* hw &+ x1]
                                                    * tx
                                                let bottom =
                                                    filled[o &+ y1 &* hw &+ x0] * (1 - tx) + filled[o &+ y1 &* hw &+ x1]
                                                    * tx
                                                return top * (1 - ty) + bottom * ty
                                            }
                                            let i = y &* w &+ x
                                            index[j] = Int32(i)
                                            rgb[3 &* j] = sample(0); rgb[3 &* j &+ 1] = sample(1);
                                            rgb[3 &* j &+ 2] = sample(2)
                                            hc[j] = max(sample(3), c[i] + tau)
                                            j &+= 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (index, rgb, hc)
    }

    /// The hidden layer's fill inputs at half resolution, rows `rows` of it: each half pixel's
    /// mean colour and CoC over its 2×2 pixels that are not holes (`hole[i] == 0`), lights (luma
    /// above 1) brought to white first, as four planes of (w + 1)/2 × (h + 1)/2 in `out`, and
    /// whether any pixel counted in `valid` (a half pixel with none is left as it was: zero).
    /// Eight half pixels at a time where none of their pixels is a hole, by the per-pixel rule
    /// elsewhere and at the frame's odd edges: the same sums in the same order either way.
    static func halfResolutionFill(
        color col: UnsafePointer<Float>, coc c: UnsafePointer<Float>, hole hm: UnsafePointer<UInt8>, width w: Int,
        height h: Int, rows: Range<Int>, into hf: UnsafeMutablePointer<Float>, valid hv: UnsafeMutablePointer<Bool>
    ) {
        let n = w &* h, hw = (w &+ 1) / 2, hn = hw &* ((h &+ 1) / 2)
        /// One half pixel by the per-pixel rule.
        @inline(__always) func single(_ x: Int, _ y: Int) {
            var sum = SIMD4<Float>.zero, count: Float = 0
            for q in 0..<4 {
                let sx = 2 &* x &+ (q & 1), sy = 2 &* y &+ (q >> 1)
                guard sx < w, sy < h else { continue }
                let i = sy &* w &+ sx
                guard hm[i] == 0 else { continue }
                // Lights enter the fill at white: behind an edge they show only through their
                // own splats.
                var v = SIMD4(col[i], col[n &+ i], col[2 &* n &+ i], c[i])
                let luma = ColorTransfer.luminance(v.x, v.y, v.z)
                if luma > 1 {
                    let k = 1 / luma
                    v.x *= k; v.y *= k; v.z *= k
                }
                sum += v
                count += 1
            }
            let k = y &* hw &+ x
            if count > 0 {
                let v = sum / count
                hf[k] = v.x; hf[hn &+ k] = v.y; hf[2 &* hn &+ k] = v.z; hf[3 &* hn &+ k] = v.w
                hv[k] = true
            }
        }
        let one = SIMD8<Float>(repeating: 1), four = SIMD8<Float>(repeating: 4)
        for y in rows {
            var x = 0
            // Eight half pixels read 16 columns of two rows; where one of those pixels is a hole
            // (a depth edge, rare), the eight go by the per-pixel rule.
            if 2 &* y &+ 1 < h {
                while 2 &* x &+ 16 <= w {
                    let top = (2 &* y) &* w &+ 2 &* x, below = top &+ w
                    @inline(__always) func holes(_ i: Int) -> UInt64 {
                        let first = UnsafeRawPointer(hm + i).loadUnaligned(as: UInt64.self)
                        let second = UnsafeRawPointer(hm + (i &+ 8)).loadUnaligned(as: UInt64.self)
                        return first | second
                    }
                    guard holes(top) | holes(below) == 0 else {
                        for j in 0..<8 { single(x &+ j, y) }
                        x &+= 8
                        continue
                    }
                    var sr = SIMD8<Float>.zero, sg = sr, sb = sr, sc = sr
                    for q in 0..<4 {
                        let i = q >> 1 == 0 ? top : below
                        @inline(__always) func lanes(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
                            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
                            return q & 1 == 0 ? v.evenHalf : v.oddHalf
                        }
                        var r = lanes(col), g = lanes(col + n), b = lanes(col + 2 &* n)
                        let luma = ColorTransfer.luminance(r, g, b)
                        let bright = luma .> 1
                        if any(bright) {
                            let k = one / luma
                            r.replace(with: r * k, where: bright)
                            g.replace(with: g * k, where: bright)
                            b.replace(with: b * k, where: bright)
                        }
                        sr += r; sg += g; sb += b; sc += lanes(c)
                    }
                    let k = y &* hw &+ x
                    @inline(__always) func store(_ sum: SIMD8<Float>, plane: Int) {
                        UnsafeMutableRawPointer(hf + (plane &* hn &+ k)).storeBytes(
                            of: sum / four, as: SIMD8<Float>.self)
                    }
                    store(sr, plane: 0); store(sg, plane: 1); store(sb, plane: 2); store(sc, plane: 3)
                    for j in 0..<8 { hv[k &+ j] = true }
                    x &+= 8
                }
            }
            while x < hw {
                single(x, y)
                x &+= 1
            }
        }
    }
}
