import RackFocusImage

/// The splats that are not one per pixel: the scene beyond the frame's edge, and point lights
/// whose disc is partly hidden.
extension LayeredRenderer.ChunkWriter {
    /// The scene beyond the frame's edge, as the model continues it: each edge pixel's CoC
    /// outward, as far as such a splat can reach back into the frame, coverage without colour.
    /// In row order (the scatter's search relies on it): rows above the frame (first chunk),
    /// then left and right of each of this chunk's rows, then rows below (last chunk). Without a
    /// cat's eye, the splats left or right of a row, and above or below a column, are identical
    /// but for their place, so each is one run (`emitRun`) instead of one splat per pixel out.
    func emitBeyondEdges(rows: Range<Int>, top: Bool, bottom: Bool) {
        let w = source.width, h = source.height
        let runs = source.edgeRuns && source.kernel.catEye == nil
        /// The `count` splats left of the frame in row y with pixel i's CoC.
        @inline(__always) func left(_ i: Int, _ count: Int, _ y: Int) {
            if runs {
                emitRun(i, count: count, x: -1, y: y, list: LayeredRenderer.runList)
            } else {
                for x in stride(from: count, through: 1, by: -1) { emitVirtual(i, -x, y) }
            }
        }
        /// The `count` splats right of the frame in row y with pixel i's CoC.
        @inline(__always) func right(_ i: Int, _ count: Int, _ y: Int) {
            if runs {
                emitRun(i, count: count, x: w, y: y, list: LayeredRenderer.runList)
            } else {
                for x in 1...count { emitVirtual(i, w &- 1 &+ x, y) }
            }
        }
        @inline(__always) func reach(_ i: Int) -> Int {
            let (k, _) = source.kernel.position(radius: abs(source.coc[i]) * 0.5)
            return source.kernel.reach(k: k)
        }
        /// Rows beyond the top (`edgeRow` 0) or bottom (`h - 1`) edge, `j` rows out.
        func beyond(edgeRow: Int, rowsOut: StrideThrough<Int>, direction: Int) {
            let first = edgeRow &* w, last = first &+ w &- 1
            let cornerA = reach(first), cornerB = reach(last)
            for j in rowsOut {
                let y = edgeRow &+ direction &* j
                if j <= cornerA { left(first, cornerA, y) }
                if !runs { for x in 0..<w where reach(first &+ x) >= j { emitVirtual(first &+ x, x, y) } }
                if j <= cornerB { right(last, cornerB, y) }
            }
            if runs {
                for x in 0..<w {
                    let a = reach(first &+ x)
                    if a > 0 {
                        emitRun(
                            first &+ x, count: a, x: x, y: direction < 0 ? -1 : h, list: LayeredRenderer.columnList)
                    }
                }
            }
        }
        let deepest = { (edgeRow: Int) in (0..<w).reduce(0) { max($0, reach(edgeRow &* w &+ $1)) } }
        if top {
            let k = deepest(0)
            if k > 0 { beyond(edgeRow: 0, rowsOut: stride(from: k, through: 1, by: -1), direction: -1) }
        }
        for y in rows {
            let first = y &* w, last = first &+ w &- 1
            let a = reach(first), b = reach(last)
            if a > 0 { left(first, a, y) }
            if b > 0 { right(last, b, y) }
        }
        if bottom {
            let k = deepest(h - 1)
            if k > 0 { beyond(edgeRow: h - 1, rowsOut: stride(from: 1, through: k, by: 1), direction: 1) }
        }
    }

    /// A point light's disc when part of it is hidden (`PointLights`): one one-pixel splat per
    /// footprint pixel its rays reach, with that pixel's footprint weight (cat's eye included),
    /// in the light's layers; they are scattered unclipped (`composite`). Returns false (nothing emitted) when the whole disc is seen.
    func emitHiddenLight(
        _ i: Int, _ r: Float, _ x: Int, _ y: Int, _ rgb: SIMD3<Float>,
        layer k: Int, blend b: Float
    ) -> Bool {
        guard lights.mayBeHidden(i) else { return false }
        let kernel = source.kernel
        let disc = kernel.footprint(radius: r, x: x, y: y)
        let reach = disc.reach
        var hidden = false
        search: for dy in -reach...reach {
            for dx in -reach...reach where disc.weight(dx: dx, dy: dy) > 0 {
                if lights.visibility(i, dx: dx, dy: dy) < 1 { hidden = true; break search }
            }
        }
        guard hidden else { return false }
        let (k1, t1) = kernel.position(radius: 0)
        let perEnergy = 1 / kernel.area(k: k1, t: t1)
        for dy in -reach...reach {
            for dx in -reach...reach {
                let wt = disc.weight(dx: dx, dy: dy)
                guard wt > 0 else { continue }
                let seen = wt * lights.visibility(i, dx: dx, dy: dy)
                guard seen > 0 else { continue }
                for step in 0..<2 {
                    let share = step == 0 ? 1 - b : b
                    if share <= 0 { continue }
                    let a = seen * share * perEnergy
                    put(
                        LayeredRenderer.Splat(
                            x: Int32(x &+ dx), y: Int32(y &+ dy), k: Int32(k1), t: t1,
                            value: SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a)),
                        list: LayeredRenderer.maskedList, layer: k &+ step)
                }
            }
        }
        return true
    }

    /// A splat beyond the edge at (x, y) with pixel `i`'s CoC: full resolution, shared between
    /// two layers as `emit` shares, its value (0, 0, 0, weight).
    @inline(__always)
    func emitVirtual(_ i: Int, _ x: Int, _ y: Int) {
        let (k, b) = source.layer(of: source.coordinate[i])
        let (kk, t) = source.kernel.position(radius: abs(source.coc[i]) * 0.5)
        let inv = 1 / source.kernel.area(k: kk, t: t, x: x, y: y)
        for step in 0..<2 {
            let share = step == 0 ? 1 - b : b
            if share <= 0 { continue }
            put(
                LayeredRenderer.Splat(x: Int32(x), y: Int32(y), k: Int32(kk), t: t, value: SIMD4(0, 0, 0, share * inv)),
                list: LayeredRenderer.virtualList, layer: k &+ step)
        }
    }

    /// The `count` splats of a run beyond the edge, all with pixel i's CoC, as one record in
    /// `list`: beside a row (`runList`), x −1 (left) or the frame's width (right) and y the row;
    /// in a column (`columnList`), x the column and y −1 (top) or the frame's height (bottom). The
    /// count goes in `value.x` beside the weight in `value.w`. Only without a cat's eye, which
    /// would make each splat's shape depend on where it is; `scatterRuns` and `scatterColumnRuns`
    /// draw them.
    @inline(__always)
    func emitRun(_ i: Int, count: Int, x: Int, y: Int, list: Int) {
        let (k, b) = source.layer(of: source.coordinate[i])
        let (kk, t) = source.kernel.position(radius: abs(source.coc[i]) * 0.5)
        let inv = 1 / source.kernel.area(k: kk, t: t)
        for step in 0..<2 {
            let share = step == 0 ? 1 - b : b
            if share <= 0 { continue }
            put(
                LayeredRenderer.Splat(
                    x: Int32(x), y: Int32(y), k: Int32(kk), t: t, value: SIMD4(Float(count), 0, 0, share * inv)),
                list: list, layer: k &+ step)
        }
    }
}
