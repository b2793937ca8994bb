import Foundation

/// The fast renderer: the same model as `ReferenceRenderer`, with depth ordering resolved per
/// layer instead of per splat.
///
/// Splats are grouped into layers by signed CoC, spaced ℓ(c) = asinh(c / c₀) / κ apart (about κ·c₀
/// pixels near focus, widening to about κ·|c| far from it, where ordering errors cannot be seen);
/// each splat is shared between the two nearest layers in proportion to its position (soft
/// assignment: no popping as focus moves). Front to back, each layer is scattered into a
/// difference buffer — per footprint row, four adds place the anti-aliased span (value at the left
/// edge, minus past the right edge) — integrated along each row, and accumulated into the frame
/// with the same "take min(weight, remaining)" rule, applied to the layer's summed weight.
/// Cost per splat is O(radius), not O(radius²). Rows are split into bands processed on separate
/// cores; a band only writes its own rows, so there is no locking.
public final class LayeredRenderer {
    /// κ: layer spacing in asinh units. Smaller is more exact and slower.
    public let spacing: Float
    /// c₀: CoC (px) below which layers are evenly spaced.
    public let linearRange: Float
    public let threads: Int

    // Buffers reused across frames of the same size.
    private var diff: [Float] = []
    private var accum: [Float] = []
    private var remaining: [Float] = []
    private var rowMin: [Int32] = []
    private var rowMax: [Int32] = []

    public init(spacing: Float = 0.12, linearRange: Float = 2, threads: Int = defaultThreadCount) {
        self.spacing = spacing
        self.linearRange = linearRange
        self.threads = max(1, threads)
    }

    @inline(__always)
    func layerCoordinate(_ c: Float) -> Float { asinhf(c / linearRange) / spacing }

    /// Splats of each layer: index (visible pixel i, or n + j for hidden splat j) and share.
    struct Layers {
        var start: [Int]      // layer k's entries are start[k]..<start[k+1]
        var index: [Int32]
        var share: [Float]
    }

    func buildLayers(_ scene: DefocusScene) -> Layers {
        let n = scene.width * scene.height
        let total = n + scene.hiddenCoC.count
        @inline(__always) func cocOf(_ s: Int) -> Float { s < n ? scene.coc[s] : scene.hiddenCoC[s - n] }
        var lo = Float.infinity, hi = -Float.infinity
        for s in 0..<total {
            let l = layerCoordinate(cocOf(s))
            lo = min(lo, l); hi = max(hi, l)
        }
        let count = Int((hi - lo).rounded(.down)) + 2
        var counts = [Int](repeating: 0, count: count + 1)
        var layerOf = [Int32](repeating: 0, count: total)
        var frac = [Float](repeating: 0, count: total)
        for s in 0..<total {
            let u = layerCoordinate(cocOf(s)) - lo
            let k = min(Int(u), count - 2)
            layerOf[s] = Int32(k)
            frac[s] = u - Float(k)
            if frac[s] < 0.999 { counts[k] += 1 }
            if frac[s] > 0.001 { counts[k + 1] += 1 }
        }
        var start = [Int](repeating: 0, count: count + 1)
        for k in 0..<count { start[k + 1] = start[k] + counts[k] }
        var fill = start
        var index = [Int32](repeating: 0, count: start[count]), share = [Float](repeating: 0, count: start[count])
        // Visible pixels first, then hidden splats; within each, in row order.
        for s in 0..<total {
            let k = Int(layerOf[s]), f = frac[s]
            if f < 0.999 { index[fill[k]] = Int32(s); share[fill[k]] = f > 0.001 ? 1 - f : 1; fill[k] += 1 }
            if f > 0.001 { index[fill[k + 1]] = Int32(s); share[fill[k + 1]] = f < 0.999 ? f : 1; fill[k + 1] += 1 }
        }
        return Layers(start: start, index: index, share: share)
    }

    /// Linear RGB planes of the blurred frame.
    public func render(scene: DefocusScene, kernel: ApertureKernel) -> [Float] {
        let w = scene.width, h = scene.height, n = w * h
        let stride = w + 2
        if diff.count != 4 * stride * h { diff = [Float](repeating: 0, count: 4 * stride * h) }
        if accum.count != 3 * n { accum = [Float](repeating: 0, count: 3 * n) }
        if remaining.count != n { remaining = [Float](repeating: 1, count: n) }
        if rowMin.count != h { rowMin = [Int32](repeating: 0, count: h); rowMax = rowMin }
        for i in 0..<(3 * n) { accum[i] = 0 }
        for i in 0..<n { remaining[i] = 1 }
        for y in 0..<h { rowMin[y] = Int32(w); rowMax[y] = -1 }

        let layers = buildLayers(scene)
        let layerCount = layers.start.count - 1
        // Row of each splat, for skipping splats that cannot reach a band.
        var out = [Float](repeating: 0, count: 3 * n)
        let bands = threads == 1 ? 1 : threads * 4
        scene.coc.withUnsafeBufferPointer { cocP in
        scene.color.withUnsafeBufferPointer { colP in
        scene.hiddenCoC.withUnsafeBufferPointer { hcP in
        scene.hiddenColor.withUnsafeBufferPointer { hcolP in
        scene.hiddenIndex.withUnsafeBufferPointer { hiP in
        layers.index.withUnsafeBufferPointer { idxP in
        layers.share.withUnsafeBufferPointer { shareP in
        diff.withUnsafeMutableBufferPointer { diffP in
        accum.withUnsafeMutableBufferPointer { accP in
        remaining.withUnsafeMutableBufferPointer { remP in
        rowMin.withUnsafeMutableBufferPointer { rminP in
        rowMax.withUnsafeMutableBufferPointer { rmaxP in
            let ctx = Shared((cocP, colP, hcP, hcolP, hiP, idxP, shareP, diffP, accP, remP, rminP, rmaxP))
            let starts = layers.start
            forEachBand(height: h, bands: bands, threads: threads) { rows in
                let (coc, col, hcoc, hcol, hidx, idx, share, diff, acc, rem, rmin, rmax) = ctx.value
                let y0 = rows.lowerBound, y1 = rows.upperBound
                let plane = stride * h
                for k in 0..<layerCount {
                    // Scatter this layer's splats into the band's rows.
                    for e in starts[k]..<starts[k + 1] {
                        let s = Int(idx[e])
                        let c: Float, cr: Float, cg: Float, cb: Float, px: Int
                        if s < n {
                            c = coc[s]; px = s
                            cr = col[s]; cg = col[n &+ s]; cb = col[2 &* n &+ s]
                        } else {
                            let j = s &- n
                            c = hcoc[j]; px = Int(hidx[j])
                            cr = hcol[3 &* j]; cg = hcol[3 &* j &+ 1]; cb = hcol[3 &* j &+ 2]
                        }
                        let sy = px / w, sx = px &- sy &* w
                        let (kk, t) = kernel.position(radius: abs(c) * 0.5)
                        let reach = kernel.reach(k: kk)
                        if sy &+ reach < y0 || sy &- reach >= y1 { continue }
                        let a = share[e] / kernel.area(k: kk, t: t)
                        let vr = cr * a, vg = cg * a, vb = cb * a
                        let dyLo = max(-reach, y0 &- sy), dyHi = min(reach, y1 &- 1 &- sy)
                        if dyLo > dyHi { continue }
                        for dy in dyLo...dyHi {
                            let span = kernel.span(k: kk, t: t, dy: dy)
                            var left = Float(sx) + span.lo, right = Float(sx) + span.hi
                            if right <= left { continue }
                            if right < -0.5 || left > Float(w) - 0.5 { continue }
                            left = max(left, -0.5)
                            right = min(right, Float(w) - 0.5)
                            let ia = Int((left + 0.5).rounded(.down)), ib = min(Int((right + 0.5).rounded(.down)), w - 1)
                            let y = sy &+ dy
                            let base = y &* stride
                            // Coverage increments: pixel ia gets fa, pixels ia+1..ib-1 get 1, ib gets fb.
                            let d0: Float, d1: Float, d2: Float, d3: Float
                            if ia == ib {
                                d0 = right - left; d1 = -(right - left); d2 = 0; d3 = 0
                            } else {
                                let fa = Float(ia) + 0.5 - left
                                let fb = right - (Float(ib) - 0.5)
                                d0 = fa; d1 = 1 - fa; d2 = fb - 1; d3 = -fb
                            }
                            let p0 = base, p1 = plane &+ base, p2 = 2 &* plane &+ base, p3 = 3 &* plane &+ base
                            diff[p0 &+ ia] += d0 * vr; diff[p0 &+ ia &+ 1] += d1 * vr
                            diff[p1 &+ ia] += d0 * vg; diff[p1 &+ ia &+ 1] += d1 * vg
                            diff[p2 &+ ia] += d0 * vb; diff[p2 &+ ia &+ 1] += d1 * vb
                            diff[p3 &+ ia] += d0 * a; diff[p3 &+ ia &+ 1] += d1 * a
                            if ia != ib {
                                diff[p0 &+ ib] += d2 * vr; diff[p0 &+ ib &+ 1] += d3 * vr
                                diff[p1 &+ ib] += d2 * vg; diff[p1 &+ ib &+ 1] += d3 * vg
                                diff[p2 &+ ib] += d2 * vb; diff[p2 &+ ib &+ 1] += d3 * vb
                                diff[p3 &+ ib] += d2 * a; diff[p3 &+ ib &+ 1] += d3 * a
                            }
                            if Int32(ia) < rmin[y] { rmin[y] = Int32(ia) }
                            if Int32(ib) > rmax[y] { rmax[y] = Int32(ib) }
                        }
                    }
                    // Integrate each touched row and accumulate front to back.
                    for y in y0..<y1 where rmax[y] >= 0 {
                        let xa = Int(rmin[y]), xb = Int(rmax[y])
                        let base = y &* stride
                        var sr: Float = 0, sg: Float = 0, sb: Float = 0, sa: Float = 0
                        for x in xa...xb {
                            sr += diff[base &+ x]; sg += diff[plane &+ base &+ x]
                            sb += diff[2 &* plane &+ base &+ x]; sa += diff[3 &* plane &+ base &+ x]
                            diff[base &+ x] = 0; diff[plane &+ base &+ x] = 0
                            diff[2 &* plane &+ base &+ x] = 0; diff[3 &* plane &+ base &+ x] = 0
                            if sa > 1e-7 {
                                let i = y &* w &+ x
                                let left = rem[i]
                                if left > 0 {
                                    let take = min(sa, left)
                                    let f = take / sa
                                    acc[i] += f * sr; acc[n &+ i] += f * sg; acc[2 &* n &+ i] += f * sb
                                    rem[i] = left - take
                                }
                            }
                        }
                        // The difference entry just past the span.
                        for ch in 0..<4 { diff[ch &* plane &+ base &+ xb &+ 1] = 0 }
                        rmin[y] = Int32(w); rmax[y] = -1
                    }
                }
            }
        }}}}}}}}}}}}
        for i in 0..<n {
            let filled = 1 - remaining[i]
            if filled > 1e-6 {
                out[i] = accum[i] / filled; out[n + i] = accum[n + i] / filled; out[2 * n + i] = accum[2 * n + i] / filled
            } else {
                out[i] = scene.color[i]; out[n + i] = scene.color[n + i]; out[2 * n + i] = scene.color[2 * n + i]
            }
        }
        return out
    }
}
