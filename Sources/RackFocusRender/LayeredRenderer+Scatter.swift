import RackFocusImage

/// The scatter: one layer's splats into difference rows, a splat's rows at a time.
extension LayeredRenderer {
    /// Calls `body` with each splat of `first..<end` whose footprint reaches rows `y0..<y1`, its
    /// row, and the footprint rows that fall there. The splats are in row order but for at most
    /// `slack` rows, so a binary search finds the first that can reach.
    @inline(__always)
    static func forEachSplat(
        _ splats: UnsafeBufferPointer<Splat>, from first: Int, to end: Int, kernel: ApertureKernel.Table,
        slack: Int, rows y0: Int, _ y1: Int, _ body: (Splat, Int, ClosedRange<Int>) -> Void
    ) {
        let maxReach = Int(kernel.maxRadius) &+ 2 &+ slack
        var lo = first, hi = end
        let firstRow = Int32(y0 &- maxReach)
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if splats[mid].y < firstRow { lo = mid &+ 1 } else { hi = mid }
        }
        var e = lo
        while e < end {
            let sp = splats[e]
            e &+= 1
            let sy = Int(sp.y)
            if sy &- maxReach >= y1 { break }
            let reach = kernel.reach(k: Int(sp.k))
            let dyLo = max(-reach, y0 &- sy), dyHi = min(reach, y1 &- 1 &- sy)
            if dyLo > dyHi { continue }
            body(sp, sy, dyLo...dyHi)
        }
    }

    /// Scatters the splats of one layer that reach rows `y0..<y1` into a difference buffer.
    /// `diff` is the buffer row of image row `y0`; splats are in order of top-level block.
    /// The splats are in the pixels of `level` (0 = the frame); with `clipped`, the kernel's
    /// cat's eye, if any, clips each where it sits.
    @inline(__always)
    static func scatter(
        _ splats: UnsafeBufferPointer<Splat>, from first: Int, to end: Int, kernel: ApertureKernel.Table,
        level: Int = 0, clipped: Bool = true, rows y0: Int, _ y1: Int, width w: Int, stride: Int,
        diff: UnsafeMutablePointer<SIMD4<Float>>,
        rowMin: UnsafeMutablePointer<Int32>, rowMax: UnsafeMutablePointer<Int32>
    ) {
        let wf = Float(w)
        // Slack: the rows out of order within a top-level block.
        Self.forEachSplat(
            splats, from: first, to: end, kernel: kernel, slack: 1 << (Self.levelCount &- 1), rows: y0, y1
        ) { sp, sy, rows in
            let k = Int(sp.k)
            let v = sp.value
            let lens = clipped ? kernel.lens(x: Int(sp.x), y: sy, level: level, k: k, t: sp.t) : nil
            let footprint = kernel.rows(k: k, t: sp.t)
            @inline(__always) func place(_ span: (lo: Float, hi: Float), _ dy: Int) {
                guard let (left, right) = Self.inFrame(span, at: sp.x, width: wf) else { return }
                let r = sy &+ dy &- y0
                let (ia, ib) = Self.addSpan(left, right, v, into: diff + r &* stride, width: w)
                if ia < rowMin[r] { rowMin[r] = ia }
                if ib > rowMax[r] { rowMax[r] = ib }
            }
            // One loop with the cat's eye and one without, each in the parts of the rows the
            // smaller table entry does and does not reach: no test per row for either.
            if let lens {
                Self.forEachRow(rows, reach: footprint.reach) { dy, inside in
                    place(kernel.clip(footprint.span(dy: dy, inside: inside), dy: dy, lens: lens), dy)
                }
            } else {
                Self.forEachRow(rows, reach: footprint.reach) { dy, inside in
                    place(footprint.span(dy: dy, inside: inside), dy)
                }
            }
        }
    }

    /// Calls `body(dy, inside)` for every dy in `rows`, inside telling whether |dy| ≤ `reach`:
    /// the rows above the reach, the ones within it, then the ones below.
    @inline(__always)
    static func forEachRow(_ rows: ClosedRange<Int>, reach a: Int, _ body: (Int, Bool) -> Void) {
        let innerLo = max(rows.lowerBound, -a), innerHi = min(rows.upperBound, a)
        var dy = rows.lowerBound
        while dy < innerLo && dy <= rows.upperBound {
            body(dy, false)
            dy &+= 1
        }
        while dy <= innerHi {
            body(dy, true)
            dy &+= 1
        }
        while dy <= rows.upperBound {
            body(dy, false)
            dy &+= 1
        }
    }
}
