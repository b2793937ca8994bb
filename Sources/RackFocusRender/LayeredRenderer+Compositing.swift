import RackFocusImage

extension LayeredRenderer {
    /// Everything one band of rows reads and writes while compositing a frame.
    struct BandWork: @unchecked Sendable {
        let fine: UnsafeBufferPointer<Splat>
        let coarse: UnsafeBufferPointer<Splat>
        let layers: Layers
        let kernel: ApertureKernel
        let buffers: FrameBuffers
        let color: UnsafeBufferPointer<Float>
        let out: UnsafeMutableBufferPointer<Float>
        let width: Int, height: Int
    }

    /// Scatters the splats of one layer that reach rows `y0..<y1` into a difference buffer.
    /// `rowBase` is the buffer row of image row `y0`; splats are in order of block row.
    @inline(__always)
    static func scatter(
        _ splats: UnsafeBufferPointer<Splat>, from first: Int, to end: Int, kernel: ApertureKernel,
        rows y0: Int, _ y1: Int, width w: Int, stride: Int, diff: UnsafeMutablePointer<SIMD4<Float>>,
        rowMin: UnsafeMutablePointer<Int32>, rowMax: UnsafeMutablePointer<Int32>
    ) {
        let maxReach = Int(kernel.maxRadius) + 2
        var lo = first, hi = end
        let firstRow = Int32(y0 &- maxReach)
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if splats[mid].y < firstRow { lo = mid &+ 1 } else { hi = mid }
        }
        let wf = Float(w)
        var e = lo
        while e < end {
            let sp = splats[e]
            e &+= 1
            let sy = Int(sp.y)
            if sy &- maxReach >= y1 { break }
            let k = Int(sp.k)
            let reach = kernel.reach(k: k)
            let dyLo = max(-reach, y0 &- sy), dyHi = min(reach, y1 &- 1 &- sy)
            if dyLo > dyHi { continue }
            let sx = Float(sp.x), v = sp.value
            for dy in dyLo...dyHi {
                let span = kernel.span(k: k, t: sp.t, dy: dy)
                var left = sx + span.lo, right = sx + span.hi
                if right <= left || right < -0.5 || left > wf - 0.5 { continue }
                left = max(left, -0.5)
                right = min(right, wf - 0.5)
                let ia = Int(left + 0.5), ib = min(Int(right + 0.5), w &- 1)
                let r = sy &+ dy &- y0
                let row = diff + r &* stride
                if ia == ib {
                    let d = (right - left) * v
                    row[ia] += d
                    row[ia &+ 1] -= d
                } else {
                    let fa = Float(ia) + 0.5 - left
                    let fb = right - (Float(ib) - 0.5)
                    row[ia] += fa * v
                    row[ia &+ 1] += (1 - fa) * v
                    row[ib] += (fb - 1) * v
                    row[ib &+ 1] -= fb * v
                }
                if Int32(ia) < rowMin[r] { rowMin[r] = Int32(ia) }
                if Int32(ib) > rowMax[r] { rowMax[r] = Int32(ib) }
            }
        }
    }

    /// Composites rows `rows` (band `band` of the frame's bands): front to back, each layer's
    /// full- and half-resolution splats are scattered into difference rows, integrated, and
    /// accumulated with "take min(weight, remaining)"; then the found colour is renormalised, and
    /// pixels nothing reached keep the sharp input.
    static func composite(_ work: BandWork, rows: Range<Int>, band: Int) {
        let fine = work.fine, coarse = work.coarse, out = work.out, col = work.color, kernel = work.kernel,
            layers = work.layers
        let buffers = work.buffers, diff = buffers.diff, acc = buffers.accum, rmin = buffers.rowMin,
            rmax = buffers.rowMax
        let w = work.width, h = work.height, n = w &* h, hw = max(1, w / 2), hh = max(1, h / 2)
        let stride = w &+ 2, hstride = hw &+ 2, layerCount = layers.count
        _ = h
        let y0 = rows.lowerBound, y1 = rows.upperBound
        // Half-resolution rows this band samples (bilinear: full row y reads half rows
        // around (y + ½)/2 − ½), in a private buffer.
        let hy0 = max(0, Int(((Float(y0) + 0.5) / 2 - 0.5).rounded(.down)))
        let hy1 = min(hh, Int(((Float(y1 - 1) + 0.5) / 2 - 0.5).rounded(.down)) + 2)
        let hrows = max(1, hy1 - hy0)
        let hdiff = buffers.hdiff + band &* hstride &* buffers.halfRows,
            hval = buffers.hval + band &* hw &* buffers.halfRows
        let hmin = buffers.hmin + band &* buffers.halfRows, hmax = buffers.hmax + band &* buffers.halfRows
        let used = buffers.used + band &* buffers.halfRows, vmix = buffers.vmix + band &* hw
        for r in 0..<hrows { hmin[r] = Int32(hw); hmax[r] = -1 }

        for i in (y0 &* w)..<(y1 &* w) { acc[i] = SIMD4(0, 0, 0, 1) }
        for y in y0..<y1 { rmin[y] = Int32(w); rmax[y] = -1 }
        let diffBand = diff.baseAddress! + y0 &* stride
        for layer in 0..<layerCount {
            Self.scatter(
                fine, from: layers.fineStart[layer], to: layers.fineStart[layer + 1], kernel: kernel,
                rows: y0, y1, width: w, stride: stride, diff: diffBand,
                rowMin: rmin.baseAddress! + y0, rowMax: rmax.baseAddress! + y0)
            var anyCoarse = false
            if layers.coarseStart[layer + 1] > layers.coarseStart[layer] {
                Self.scatter(
                    coarse, from: layers.coarseStart[layer], to: layers.coarseStart[layer + 1], kernel: kernel,
                    rows: hy0, hy0 + hrows, width: hw, stride: hstride, diff: hdiff, rowMin: hmin, rowMax: hmax)
                // Integrate the half-resolution rows into values.
                for r in 0..<hrows {
                    used[r] = SIMD2(hmin[r], hmax[r])
                    guard hmax[r] >= 0 else { continue }
                    anyCoarse = true
                    let xa = Int(hmin[r]), xb = Int(hmax[r])
                    let drow = hdiff + r &* hstride, vrow = hval + r &* hw
                    var sum = SIMD4<Float>.zero
                    for x in xa...xb { sum += drow[x]; drow[x] = .zero; vrow[x] = sum }
                    drow[xb &+ 1] = .zero
                    hmin[r] = Int32(hw); hmax[r] = -1
                }
            }
            // Integrate each full-resolution row, add the upsampled half-resolution
            // layer, and accumulate front to back.
            for y in y0..<y1 {
                var xa = Int(rmin[y &- y0 &+ y0]), xb = Int(rmax[y])
                // Half rows bracketing this row.
                let fy = (Float(y) + 0.5) / 2 - 0.5
                var ya = Int(fy.rounded(.down))
                let ty = fy - Float(ya)
                var yb = ya &+ 1
                ya = min(max(ya, 0), hh &- 1) &- hy0
                yb = min(max(yb, 0), hh &- 1) &- hy0
                var ua = SIMD2<Int32>(Int32(hw), -1), ub = ua
                if anyCoarse && ya >= 0 && ya < hrows && yb >= 0 && yb < hrows {
                    ua = used[ya]; ub = used[yb]
                    let cmin = min(ua.x, ub.x), cmax = max(ua.y, ub.y)
                    if cmax >= 0 {
                        xa = min(xa, max(0, 2 &* Int(cmin) &- 1))
                        xb = max(xb, min(w &- 1, 2 &* Int(cmax) &+ 2))
                    }
                }
                if xb < xa { continue }
                let hasCoarse = ua.y >= 0 || ub.y >= 0
                let row = diff.baseAddress! + y &* stride
                let pix = y &* w
                if hasCoarse {
                    // Interpolate the two half-resolution rows vertically once for this row.
                    let rowA = hval + ya &* hw, rowB = hval + yb &* hw
                    let ca = max(0, xa / 2 &- 1), cb = min(hw &- 1, xb / 2 &+ 1)
                    for c in ca...cb { vmix[c] = rowA[c] * (1 - ty) + rowB[c] * ty }
                }
                var sum = SIMD4<Float>.zero
                for x in xa...xb {
                    sum += row[x]
                    row[x] = .zero
                    var total = sum
                    if hasCoarse {
                        // Pixel centre (x + ½)/2 − ½ in half-resolution columns: even x sits
                        // ¾ of the way from column x/2 − 1, odd x ¼ of the way from (x − 1)/2.
                        let odd = x & 1 == 1
                        let tx: Float = odd ? 0.25 : 0.75
                        let xl = min(max(odd ? (x &- 1) >> 1 : (x >> 1) &- 1, 0), hw &- 1)
                        let xr = min(xl &+ 1, hw &- 1)
                        total += vmix[xl] * (1 - tx) + vmix[xr] * tx
                    }
                    let weight = total.w
                    if weight > 1e-7 {
                        var a = acc[pix &+ x]
                        let left = a.w
                        if left > 0 {
                            let take = min(weight, left)
                            a += (take / weight) * total
                            a.w = left - take
                            acc[pix &+ x] = a
                        }
                    }
                }
                row[xb &+ 1] = .zero
                rmin[y] = Int32(w); rmax[y] = -1
            }
            // Clear the half-resolution values this layer wrote.
            if anyCoarse {
                for r in 0..<hrows where used[r].y >= 0 {
                    let vrow = hval + r &* hw
                    for x in Int(used[r].x)...Int(used[r].y) { vrow[x] = .zero }
                }
            }
        }
        // Renormalise what was found; empty pixels keep the sharp input.
        for i in (y0 &* w)..<(y1 &* w) {
            let a = acc[i]
            let filled = 1 - a.w
            if filled > 1e-6 {
                let inv = 1 / filled
                out[i] = a.x * inv; out[n &+ i] = a.y * inv; out[2 &* n &+ i] = a.z * inv
            } else {
                out[i] = col[i]; out[n &+ i] = col[n &+ i]; out[2 &* n &+ i] = col[2 &* n &+ i]
            }
        }
    }
}
