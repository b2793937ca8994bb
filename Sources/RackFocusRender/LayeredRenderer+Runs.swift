import RackFocusImage

/// The splats beyond the frame's edge as runs: the splats left or right of a row, or above or
/// below a column, are identical but for their place (without a cat's eye), so each run is drawn
/// in closed form or by a recurrence instead of splat by splat.
extension LayeredRenderer {
    /// Adds the cells' share of [left, right] (within −½...w − ½, left < right) times v to a row
    /// of differences (value at a cell, minus past it); returns the first and last cell. Every
    /// scatter draws its spans with it.
    @inline(__always) @discardableResult
    static func addSpan<T: SpanSample>(
        _ left: Float, _ right: Float, _ v: T, into row: UnsafeMutablePointer<T>, width w: Int
    ) -> (Int32, Int32) {
        let ia = Int(left + 0.5), ib = min(Int(right + 0.5), w &- 1)
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
        return (Int32(ia), Int32(ib))
    }

    /// A footprint row's span placed at column x and clipped to the frame (−½...w − ½); nil when
    /// it is empty or lies wholly outside.
    @inline(__always)
    static func inFrame(_ s: (lo: Float, hi: Float), at x: Int32, width wf: Float) -> (Float, Float)? {
        let sx = Float(x)
        let left = sx + s.lo, right = sx + s.hi
        if right <= left || right < -0.5 || left > wf - 0.5 { return nil }
        return (max(left, -0.5), min(right, wf - 0.5))
    }

    /// Draws one layer's column runs (`columnList`) into the rows `y0..<y1` of the beyond-the-edge
    /// differences `diff` (.w; absolute rows). The `a` splats above the frame in column x reach
    /// row Y ≥ 0 with their footprint rows Y + 1 ... a, so that row's spans are
    /// T(Y) = T(Y + 1) + span(Y + 1): from the deepest row up, each run adds one span per row to
    /// a running row of differences (`scratch`, left zeroed), which is added into each of the
    /// band's rows. Below the frame, T(Y) = T(Y − 1) + span(Y − h) going down. One span per run
    /// and row instead of one per splat and row.
    static func scatterColumnRuns(
        _ splats: UnsafeBufferPointer<Splat>, from first: Int, to end: Int, kernel: ApertureKernel.Table,
        rows y0: Int, _ y1: Int, width w: Int, height h: Int, stride: Int,
        diff: UnsafeMutablePointer<SIMD4<Float>>, scratch: UnsafeMutablePointer<Float>,
        rowMin: UnsafeMutablePointer<Int32>, rowMax: UnsafeMutablePointer<Int32>
    ) {
        let wf = Float(w)
        var deepestTop = 0, deepestBottom = 0
        for e in first..<end {
            let sp = splats[e]
            if sp.y < 0 {
                deepestTop = max(deepestTop, Int(sp.value.x))
            } else {
                deepestBottom = max(deepestBottom, Int(sp.value.x))
            }
        }
        var lo = Int32(w), hi: Int32 = -1
        /// Adds footprint row `dy` of every run above (`top`) or below the frame at least `depth` deep.
        @inline(__always) func addSpans(dy: Int, top: Bool, depth: Int) {
            for e in first..<end {
                let sp = splats[e]
                guard (sp.y < 0) == top, Int(sp.value.x) >= depth else { continue }
                let k = Int(sp.k)
                guard abs(dy) <= kernel.reach(k: k) else { continue }
                guard let (left, right) = inFrame(kernel.span(k: k, t: sp.t, dy: dy), at: sp.x, width: wf) else {
                    continue
                }
                let (ia, ib) = addSpan(left, right, sp.value.w, into: scratch, width: w)
                lo = min(lo, ia)
                hi = max(hi, ib)
            }
        }
        /// Adds the running row into row y.
        @inline(__always) func addRow(_ y: Int) {
            guard hi >= lo else { return }
            let row = diff + y &* stride
            for x in Int(lo)...(Int(hi) &+ 1) { row[x].w += scratch[x] }
            rowMin[y] = min(rowMin[y], lo)
            rowMax[y] = max(rowMax[y], hi)
        }
        @inline(__always) func clear() {
            if hi >= lo { for x in Int(lo)...(Int(hi) &+ 1) { scratch[x] = 0 } }
            lo = Int32(w); hi = -1
        }
        if deepestTop > y0 {
            for y in Swift.stride(from: deepestTop &- 1, through: y0, by: -1) {
                addSpans(dy: y &+ 1, top: true, depth: y &+ 1)
                if y < y1 { addRow(y) }
            }
            clear()
        }
        if deepestBottom > h &- y1 {
            for m in Swift.stride(from: deepestBottom &- 1, through: h &- y1, by: -1) {
                addSpans(dy: -(m &+ 1), top: false, depth: m &+ 1)
                let y = h &- 1 &- m
                if y >= y0 { addRow(y) }
            }
            clear()
        }
    }

    /// Scatters the runs beyond the edge (`runList`) that reach rows `y0..<y1`, in closed form.
    /// In a footprint row with span [lo, hi], the `a` splats left of the frame cover pixel x ≥ 0
    /// by Σᵢ |cell x ∩ [lo − i, hi − i]| = v·(clamp(hi − x − ½, 0, a) − clamp(lo − x − ½, 0, a)):
    /// its value at column 0 and its steps from column 1 on, −|cell x ∩ [hi − a, hi]| +
    /// |cell x ∩ [lo − a, lo]|, go into the second differences `slope` (a step at column 0
    /// undone at column 1, and two spans). Right of the frame (L = w − 1 + lo, H = w − 1 + hi),
    /// the value is v·(clamp(x − ½ − L, 0, a) − clamp(x − ½ − H, 0, a)), its steps the spans
    /// [L + 1, L + 1 + a] and −[H + 1, H + 1 + a]. At most ten writes per run and row (usually six:
    /// one of the spans lies outside the frame) instead of four per splat and row. Each row's last
    /// column written from the left (`leftEnd`) and first from the right (`rightStart`) are kept
    /// apart from the row's other extents, so the composite skips the columns between.
    static func scatterRuns(
        _ splats: UnsafeBufferPointer<Splat>, from first: Int, to end: Int, kernel: ApertureKernel.Table,
        rows y0: Int, _ y1: Int, width w: Int, stride: Int, slope: UnsafeMutablePointer<Float>,
        leftEnd: UnsafeMutablePointer<Int32>,
        rightStart: UnsafeMutablePointer<Int32>
    ) {
        let wf = Float(w)
        /// The cells' share of [l, r] clipped to columns 1..<w.
        @inline(__always) func span(
            _ l: Float, _ r: Float, _ v: Float, _ row: UnsafeMutablePointer<Float>
        ) -> (Int32, Int32)? {
            let left = max(l, 0.5), right = min(r, wf - 0.5)
            guard right > left else { return nil }
            return addSpan(left, right, v, into: row, width: w)
        }
        Self.forEachSplat(splats, from: first, to: end, kernel: kernel, slack: 0, rows: y0, y1) { sp, sy, rows in
            let k = Int(sp.k)
            let a = sp.value.x, v = sp.value.w
            for dy in rows {
                let s = kernel.span(k: k, t: sp.t, dy: dy)
                if s.hi <= s.lo { continue }
                let r = sy &+ dy &- y0
                let row = slope + r &* stride
                if sp.x < 0 {
                    // The value at column 0 as a step there, undone at column 1.
                    let start = v * (min(max(s.hi - 0.5, 0), a) - min(max(s.lo - 0.5, 0), a))
                    row[0] += start
                    row[1] -= start
                    var last: Int32 = 1
                    if let (_, ib) = span(s.hi - a, s.hi, -v, row) { last = ib }
                    if let (_, ib) = span(s.lo - a, s.lo, v, row) { last = max(last, ib) }
                    leftEnd[r] = max(leftEnd[r], last)
                } else {
                    let l = wf - 1 + s.lo, h = wf - 1 + s.hi
                    let start = v * (min(max(-0.5 - l, 0), a) - min(max(-0.5 - h, 0), a))
                    var firstCell = Int32(w)
                    if start != 0 {
                        row[0] += start
                        row[1] -= start
                        firstCell = 0
                    }
                    if let (ia, _) = span(l + 1, l + 1 + a, v, row) { firstCell = min(firstCell, ia) }
                    if let (ia, _) = span(h + 1, h + 1 + a, -v, row) { firstCell = min(firstCell, ia) }
                    rightStart[r] = min(rightStart[r], firstCell)
                }
            }
        }
    }
}

extension LayeredRenderer {
    /// One row's buffers for `compositeRunRow`.
    struct RunRow {
        let diff: UnsafeMutablePointer<SIMD4<Float>>, beyond: UnsafeMutablePointer<SIMD4<Float>>
        let slope: UnsafeMutablePointer<Float>, accumulator: UnsafeMutablePointer<SIMD4<Float>>
        let uncoloured: UnsafeMutablePointer<Float>, upsampled: UnsafeMutablePointer<SIMD4<Float>>
        let width: Int
    }

    /// Integrates and accumulates a layer's row that runs beyond the edge reach: over the columns
    /// the runs left of the frame reach (0...`leftEnd`), the row's other extent (`xa...xb`) and
    /// the columns the runs right of it reach (`rightStart`..<w), each one column further so
    /// every difference written is integrated, merged where they meet. The columns between hold
    /// no difference, so the running sums cross them unchanged. With `coarse` (level 1 and the
    /// rows it mixes), the level is upsampled over each part.
    static func compositeRunRow(
        _ row: RunRow, extent xa: Int, _ xb: Int, beyond bExtent: (lo: Int, hi: Int), leftEnd: Int, rightStart: Int,
        coarse: (level: LevelBand, a: Int, b: Int, t: Float)?
    ) {
        let w = row.width, last = w &- 1
        var sum_ = SIMD4<Float>.zero, covered_ = SIMD4<Float>.zero, slope_: Float = 0, ramp_: Float = 0
        let up = row.upsampled, useUp = coarse != nil
        // From this column the runs on the left add nothing, and those on the right nothing yet:
        // their running sums restart at exactly 0 (rounding would leave a drift).
        let restart = leftEnd &+ 2 <= rightStart ? leftEnd &+ 2 : -1
        // (The running sums are copied into locals for each loop and back after it: captured
        // variables stay in memory, which put a store and a load on every column's chain.)
        /// Every running sum, over columns s...e.
        @inline(__always) func full(_ s: Int, _ e: Int) {
            var sum = sum_, covered = covered_, slope = slope_, ramp = ramp_
            defer { (sum_, covered_, slope_, ramp_) = (sum, covered, slope, ramp) }
            for x in s...e {
                sum += row.diff[x]
                row.diff[x] = .zero
                if x == restart { slope = 0; ramp = 0 }
                slope += row.slope[x]
                row.slope[x] = 0
                ramp += slope
                covered += row.beyond[x]
                row.beyond[x] = .zero
                let total = useUp ? sum + up[x] : sum
                let beyond = covered.w + ramp
                if beyond == 0 {
                    Self.accumulate(total, into: row.accumulator + x)
                } else {
                    var all = total + covered
                    all.w += ramp
                    Self.accumulate(all, beyond: beyond, into: row.accumulator + x, uncoloured: row.uncoloured + x)
                }
            }
        }
        /// Columns s...e where nothing beyond the edge reaches: the layer's own sum only.
        @inline(__always) func inside(_ s: Int, _ e: Int) {
            var sum = sum_
            defer { sum_ = sum }
            if useUp {
                for x in s...e {
                    sum += row.diff[x]
                    row.diff[x] = .zero
                    Self.accumulate(sum + up[x], into: row.accumulator + x)
                }
            } else {
                for x in s...e {
                    sum += row.diff[x]
                    row.diff[x] = .zero
                    Self.accumulate(sum, into: row.accumulator + x)
                }
            }
        }
        @inline(__always) func integrate(_ s: Int, _ e: Int) {
            if let coarse {
                Self.mixRows(coarse.level, coarse.a, coarse.b, coarse.t, fineColumns: s, e)
                Self.upsample(coarse.level.mix, coarseWidth: coarse.level.width, into: up, columns: s, e, adding: false)
            }
            if restart >= 0 && s >= restart { slope_ = 0; ramp_ = 0 }
            // Between the runs (past the left ones, before the right ones), away from the other
            // splats beyond the edge and with nothing of theirs carried in, only the layer's sum.
            let ms = max(s, restart), me = min(e, rightStart &- 1)
            guard restart >= 0 && ms <= me && (bExtent.hi < ms || bExtent.lo > me) else { return full(s, e) }
            if s < ms { full(s, ms &- 1) }
            if ms == restart { slope_ = 0; ramp_ = 0 }
            if covered_ == .zero { inside(ms, me) } else { full(ms, me) }
            if me < e { full(me &+ 1, e) }
        }
        // The parts in order of first column (the left one starts at 0), merged where they touch.
        let none = SIMD2<Int>(1, 0)
        let main = xb >= xa ? SIMD2(xa, min(xb &+ 1, last)) : none
        let right = rightStart < w ? SIMD2(rightStart, last) : none
        let left = leftEnd >= 0 ? SIMD2(0, min(leftEnd &+ 1, last)) : none
        let (second, third) = main.x <= right.x ? (main, right) : (right, main)
        var current = none
        @inline(__always) func take(_ part: SIMD2<Int>) {
            guard part.x <= part.y else { return }
            if current.x > current.y {
                current = part
            } else if part.x <= current.y &+ 1 {
                current.y = max(current.y, part.y)
            } else {
                integrate(current.x, current.y)
                current = part
            }
        }
        take(left)
        take(second)
        take(third)
        if current.x <= current.y { integrate(current.x, current.y) }
        row.diff[w] = .zero
        row.beyond[w] = .zero
        row.slope[w] = 0
    }
}

/// What a row of differences holds: a weight, or premultiplied RGBA.
protocol SpanSample {
    static func += (a: inout Self, b: Self)
    static func -= (a: inout Self, b: Self)
    static func * (s: Float, v: Self) -> Self
}

extension Float: SpanSample {}
extension SIMD4: SpanSample where Scalar == Float {}
