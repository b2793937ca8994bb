import RackFocusImage

extension LayeredRenderer {
    /// Everything one band of rows reads and writes while compositing a frame.
    struct BandWork: @unchecked Sendable {
        let splats: UnsafeBufferPointer<Splat>
        let layers: Layers
        /// The frame's kernel tables (the kernel outlives the composite).
        let kernel: ApertureKernel.Table
        let buffers: FrameBuffers
        let color: UnsafeBufferPointer<Float>
        let out: UnsafeMutableBufferPointer<Float>
        let width: Int, height: Int
    }

    /// Where row `y` of a level (or of the full frame) samples the next coarser level bilinearly:
    /// the two bracketing coarse rows (relative to `rows.lowerBound`) and the weight of the second.
    /// Pixel centre (y + ½)/2 − ½ in coarse rows.
    @inline(__always)
    static func coarseRows(of y: Int, in rows: Range<Int>, coarseHeight ch: Int) -> (a: Int, b: Int, t: Float)? {
        let fy = (Float(y) + 0.5) / 2 - 0.5
        let ya = Int(fy.rounded(.down))
        let ty = fy - Float(ya)
        let a = min(max(ya, 0), ch &- 1) &- rows.lowerBound
        let b = min(max(ya &+ 1, 0), ch &- 1) &- rows.lowerBound
        guard a >= 0 && b < rows.count else { return nil }
        return (a, b, ty)
    }

    /// Horizontal bilinear sample of a vertically mixed coarse row at fine column x: pixel centre
    /// (x + ½)/2 − ½ in coarse columns, so even x sits ¾ of the way from column x/2 − 1, odd x
    /// ¼ of the way from (x − 1)/2.
    @inline(__always)
    static func coarseSample(_ mix: UnsafeMutablePointer<SIMD4<Float>>, at x: Int, coarseWidth cw: Int) -> SIMD4<Float>
    {
        let odd = x & 1 == 1
        let tx: Float = odd ? 0.25 : 0.75
        let xl = min(max(odd ? (x &- 1) >> 1 : (x >> 1) &- 1, 0), cw &- 1)
        let xr = min(xl &+ 1, cw &- 1)
        return mix[xl] * (1 - tx) + mix[xr] * tx
    }

    /// Upsamples columns xa...xb of a fine row from a vertically mixed coarse row (as
    /// `coarseSample`), writing or adding into `dst`: in pairs of an even and an odd column, which
    /// share their middle coarse column, with the clamped form only at the ends.
    @inline(__always)
    static func upsample(
        _ mix: UnsafeMutablePointer<SIMD4<Float>>, coarseWidth cw: Int, into dst: UnsafeMutablePointer<SIMD4<Float>>,
        columns xa: Int, _ xb: Int, adding: Bool
    ) {
        var x = xa
        while x <= xb && (x & 1 == 1 || x < 2) {
            let v = coarseSample(mix, at: x, coarseWidth: cw)
            if adding { dst[x] += v } else { dst[x] = v }
            x &+= 1
        }
        let quarter = SIMD4<Float>(repeating: 0.25), threeQuarters = SIMD4<Float>(repeating: 0.75)
        while x &+ 1 <= xb && (x >> 1) &+ 1 < cw {
            let m = x >> 1
            let centre = threeQuarters * mix[m]
            let even = quarter * mix[m &- 1] + centre, odd = centre + quarter * mix[m &+ 1]
            if adding {
                dst[x] += even; dst[x &+ 1] += odd
            } else {
                dst[x] = even; dst[x &+ 1] = odd
            }
            x &+= 2
        }
        while x <= xb {
            let v = coarseSample(mix, at: x, coarseWidth: cw)
            if adding { dst[x] += v } else { dst[x] = v }
            x &+= 1
        }
    }

    /// "Take min(weight, remaining)" of a layer's summed splat value `total` at accumulator `a`;
    /// returns the share of the layer taken.
    @inline(__always) @discardableResult
    static func accumulate(_ total: SIMD4<Float>, into a: UnsafeMutablePointer<SIMD4<Float>>) -> Float {
        let weight = total.w
        guard weight > 1e-7 else { return 0 }
        var v = a.pointee
        let left = v.w
        guard left > 0 else { return 0 }
        // Usually the whole layer fits (no division: take / weight would be exactly 1).
        if weight <= left {
            v += total
            v.w = left - weight
            a.pointee = v
            return 1
        }
        let share = left / weight
        v += share * total
        v.w = 0
        a.pointee = v
        return share
    }

    /// As `accumulate`, for a sum that includes `beyond`, the weight of splats beyond the frame's
    /// edge: their part of the take is counted in `uncoloured` (they carry no colour).
    @inline(__always)
    static func accumulate(
        _ total: SIMD4<Float>, beyond: Float, into a: UnsafeMutablePointer<SIMD4<Float>>,
        uncoloured u: UnsafeMutablePointer<Float>
    ) {
        u.pointee += accumulate(total, into: a) * beyond
    }

    /// Mixes coarse rows a and b of `level` (weight t on b) into the level's mix row over the
    /// columns a fine row needs for `fine` columns xa...xb.
    @inline(__always)
    static func mixRows(_ level: LevelBand, _ a: Int, _ b: Int, _ t: Float, fineColumns xa: Int, _ xb: Int) {
        let rowA = level.value + a &* level.width, rowB = level.value + b &* level.width
        let ca = max(0, xa / 2 &- 1), cb = min(level.width &- 1, xb / 2 &+ 1)
        for c in ca...cb { level.mix[c] = rowA[c] * (1 - t) + rowB[c] * t }
    }

    /// Columns a fine row must visit to receive coarse rows a and b, or nil when both are empty.
    @inline(__always)
    static func coarseExtent(_ level: LevelBand, _ a: Int, _ b: Int, fineWidth fw: Int) -> (Int, Int)? {
        let ua = level.used[a], ub = level.used[b]
        let cmax = max(ua.y, ub.y)
        guard cmax >= 0 else { return nil }
        let cmin = min(ua.x, ub.x)
        return (max(0, 2 &* Int(cmin) &- 1), min(fw &- 1, 2 &* Int(cmax) &+ 2))
    }

    /// Composites rows `rows` (band `band` of the frame's bands): front to back, each layer's
    /// splats are scattered into difference rows at their level, integrated, coarse levels
    /// upsampled into the next finer one, and the full-resolution sum accumulated with "take
    /// min(weight, remaining)"; then the found colour is renormalised, and pixels nothing reached
    /// keep the sharp input.
    static func composite(_ work: BandWork, rows: Range<Int>, band: Int) {
        let splats = work.splats, out = work.out, col = work.color, kernel = work.kernel, layers = work.layers
        let buffers = work.buffers, diff = buffers.diff, acc = buffers.accum, rmin = buffers.rowMin,
            rmax = buffers.rowMax
        let w = work.width, h = work.height, n = w &* h, fullStride = w &+ 2, layerCount = layers.count
        let y0 = rows.lowerBound, y1 = rows.upperBound
        let levels = buffers.levels.map { $0.band(band) }
        let up = buffers.upsampled + band &* w
        let levelCount = levels.count

        let bdiff = buffers.beyondDiff, bmin = buffers.beyondMin, bmax = buffers.beyondMax,
            unc = buffers.uncoloured, bslope = buffers.beyondSlope.baseAddress!,
            runLeft = buffers.runLeftEnd.baseAddress!, runRight = buffers.runRightStart.baseAddress!,
            columnScratch = buffers.columnScratch.baseAddress! + band &* (w &+ 2)
        for i in (y0 &* w)..<(y1 &* w) { acc[i] = SIMD4(0, 0, 0, 1); unc[i] = 0 }
        for y in y0..<y1 { rmin[y] = Int32(w); rmax[y] = -1; bmin[y] = Int32(w); bmax[y] = -1 }
        let diffBand = diff.baseAddress! + y0 &* fullStride
        let beyondBand = bdiff.baseAddress! + y0 &* fullStride
        for layer in 0..<layerCount {
            Self.scatter(
                splats, from: layers.start[0][layer], to: layers.start[0][layer + 1], kernel: kernel,
                rows: y0, y1, width: w, stride: fullStride, diff: diffBand,
                rowMin: rmin.baseAddress! + y0, rowMax: rmax.baseAddress! + y0)
            let litFirst = layers.start[Self.maskedList][layer], litEnd = layers.start[Self.maskedList][layer + 1]
            if litEnd > litFirst {
                Self.scatter(
                    splats, from: litFirst, to: litEnd, kernel: kernel, clipped: false, rows: y0, y1, width: w,
                    stride: fullStride,
                    diff: diffBand, rowMin: rmin.baseAddress! + y0, rowMax: rmax.baseAddress! + y0)
            }
            let beyondFirst = layers.start[Self.virtualList][layer],
                beyondEnd = layers.start[Self.virtualList][layer + 1]
            if beyondEnd > beyondFirst {
                Self.scatter(
                    splats, from: beyondFirst, to: beyondEnd, kernel: kernel, rows: y0, y1, width: w,
                    stride: fullStride, diff: beyondBand, rowMin: bmin.baseAddress! + y0,
                    rowMax: bmax.baseAddress! + y0)
            }
            let columnFirst = layers.start[Self.columnList][layer], columnEnd = layers.start[Self.columnList][layer + 1]
            if columnEnd > columnFirst {
                Self.scatterColumnRuns(
                    splats, from: columnFirst, to: columnEnd, kernel: kernel, rows: y0, y1, width: w, height: h,
                    stride: fullStride, diff: bdiff.baseAddress!, scratch: columnScratch, rowMin: bmin.baseAddress!,
                    rowMax: bmax.baseAddress!)
            }
            let runFirst = layers.start[Self.runList][layer], runEnd = layers.start[Self.runList][layer + 1]
            if runEnd > runFirst {
                Self.scatterRuns(
                    splats, from: runFirst, to: runEnd, kernel: kernel, rows: y0, y1, width: w, stride: fullStride,
                    slope: bslope + y0 &* fullStride, leftEnd: runLeft + y0,
                    rightStart: runRight + y0)
            }
            // Coarse levels, coarsest first: scatter, integrate, add the coarser level upsampled.
            var coarserHasData = false
            for li in stride(from: levelCount - 1, through: 0, by: -1) {
                let level = levels[li]
                let first = layers.start[li + 1][layer], end = layers.start[li + 1][layer + 1]
                let hasSplats = end > first
                if !hasSplats && !coarserHasData {
                    level.hasData = false
                    continue
                }
                if hasSplats {
                    Self.scatter(
                        splats, from: first, to: end, kernel: kernel, level: li + 1, rows: level.rows.lowerBound,
                        level.rows.upperBound,
                        width: level.width, stride: level.width &+ 2, diff: level.diff, rowMin: level.rowMin,
                        rowMax: level.rowMax)
                }
                let coarser: LevelBand? = coarserHasData ? levels[li + 1] : nil
                var any = false
                for r in 0..<level.rows.count {
                    let vrow = level.value + r &* level.width
                    var xa = Int(level.rowMin[r]), xb = Int(level.rowMax[r])
                    if xb >= 0 {
                        let drow = level.diff + r &* (level.width &+ 2)
                        var sum = SIMD4<Float>.zero
                        for x in xa...xb { sum += drow[x]; drow[x] = .zero; vrow[x] = sum }
                        drow[xb &+ 1] = .zero
                        level.rowMin[r] = Int32(level.width); level.rowMax[r] = -1
                    }
                    if let coarser,
                        let (a, b, t) = Self.coarseRows(
                            of: level.rows.lowerBound &+ r, in: coarser.rows, coarseHeight: coarser.height),
                        let (ca, cb) = Self.coarseExtent(coarser, a, b, fineWidth: level.width)
                    {
                        Self.mixRows(coarser, a, b, t, fineColumns: ca, cb)
                        Self.upsample(
                            coarser.mix, coarseWidth: coarser.width, into: vrow, columns: ca, cb, adding: true)
                        if xb < 0 { xa = ca; xb = cb } else { xa = min(xa, ca); xb = max(xb, cb) }
                    }
                    level.used[r] = xb >= 0 ? SIMD2(Int32(xa), Int32(xb)) : SIMD2(Int32(level.width), -1)
                    any = any || xb >= 0
                }
                level.hasData = any
                coarserHasData = any
            }
            // Integrate each full-resolution row, add level 1 upsampled, and accumulate front to back.
            let half: LevelBand? = levelCount > 0 && coarserHasData ? levels[0] : nil
            for y in y0..<y1 {
                var xa = Int(rmin[y]), xb = Int(rmax[y])
                let beyond = bmax[y] >= 0
                if beyond {
                    xa = min(xa, Int(bmin[y]))
                    xb = max(xb, Int(bmax[y]))
                }
                var coarse: (a: Int, b: Int, t: Float)?
                if let half, let (a, b, t) = Self.coarseRows(of: y, in: half.rows, coarseHeight: half.height),
                    let (ca, cb) = Self.coarseExtent(half, a, b, fineWidth: w)
                {
                    coarse = (a, b, t)
                    xa = min(xa, ca)
                    xb = max(xb, cb)
                }
                let row = diff.baseAddress! + y &* fullStride
                let accRow = acc.baseAddress! + y &* w
                if runLeft[y] >= 0 || runRight[y] < Int32(w) {
                    let brow = bdiff.baseAddress! + y &* fullStride
                    Self.compositeRunRow(
                        RunRow(
                            diff: row, beyond: brow, slope: bslope + y &* fullStride, accumulator: accRow,
                            uncoloured: unc.baseAddress! + y &* w, upsampled: up, width: w),
                        extent: xa, xb, beyond: (Int(bmin[y]), Int(bmax[y])), leftEnd: Int(runLeft[y]),
                        rightStart: Int(runRight[y]),
                        coarse: coarse.map { (half!, $0.a, $0.b, $0.t) })
                    runLeft[y] = -1; runRight[y] = Int32(w)
                    rmin[y] = Int32(w); rmax[y] = -1; bmin[y] = Int32(w); bmax[y] = -1
                    continue
                }
                let hasCoarse = coarse != nil
                if let half, let coarse {
                    Self.mixRows(half, coarse.a, coarse.b, coarse.t, fineColumns: xa, xb)
                    Self.upsample(half.mix, coarseWidth: half.width, into: up, columns: xa, xb, adding: false)
                }
                if xb < xa { continue }
                var sum = SIMD4<Float>.zero
                if beyond {
                    // Rows the splats beyond the edge reach: their coverage is summed with the
                    // rest and counted apart.
                    let brow = bdiff.baseAddress! + y &* fullStride, uncRow = unc.baseAddress! + y &* w
                    var covered = SIMD4<Float>.zero
                    for x in xa...xb {
                        sum += row[x]
                        row[x] = .zero
                        covered += brow[x]
                        brow[x] = .zero
                        let total = sum + (hasCoarse ? up[x] : .zero)
                        // Most of a row lies beyond their reach (covered is exactly 0 there).
                        if covered.w == 0 {
                            Self.accumulate(total, into: accRow + x)
                        } else {
                            Self.accumulate(
                                total + covered, beyond: covered.w, into: accRow + x, uncoloured: uncRow + x)
                        }
                    }
                    brow[xb &+ 1] = .zero
                    bmin[y] = Int32(w); bmax[y] = -1
                } else if hasCoarse {
                    // Left of the first full-resolution span (the whole row when none reached it)
                    // the running sum is exactly zero and the difference row too.
                    let first = min(Int(rmin[y]), xb &+ 1)
                    for x in xa..<first { Self.accumulate(up[x], into: accRow + x) }
                    if first <= xb {
                        for x in first...xb {
                            sum += row[x]
                            row[x] = .zero
                            Self.accumulate(sum + up[x], into: accRow + x)
                        }
                    }
                } else {
                    for x in xa...xb {
                        sum += row[x]
                        row[x] = .zero
                        Self.accumulate(sum, into: accRow + x)
                    }
                }
                row[xb &+ 1] = .zero
                rmin[y] = Int32(w); rmax[y] = -1
            }
            // Clear the coarse values this layer wrote.
            for level in levels where level.hasData {
                for r in 0..<level.rows.count where level.used[r].y >= 0 {
                    let vrow = level.value + r &* level.width
                    for x in Int(level.used[r].x)...Int(level.used[r].y) { vrow[x] = .zero }
                }
                level.hasData = false
            }
        }
        // Renormalise the colour found over the coverage that carried colour; empty pixels keep
        // the sharp input.
        for i in (y0 &* w)..<(y1 &* w) {
            let a = acc[i]
            let filled = 1 - a.w - unc[i]
            if filled > 1e-6 {
                let inv = 1 / filled
                out[i] = a.x * inv; out[n &+ i] = a.y * inv; out[2 &* n &+ i] = a.z * inv
            } else {
                out[i] = col[i]; out[n &+ i] = col[n &+ i]; out[2 &* n &+ i] = col[2 &* n &+ i]
            }
        }
    }
}
