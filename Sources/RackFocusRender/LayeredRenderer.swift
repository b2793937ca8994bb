import Foundation

/// The fast renderer: the same model as `ReferenceRenderer`, with depth ordering resolved per
/// layer instead of per splat.
///
/// Splats are grouped into layers by signed CoC, spaced ℓ(c) = asinh(c / c₀) / κ apart (about κ·c₀
/// pixels near focus, widening to about κ·|c| far from it, where ordering errors cannot be seen).
/// A splat between two layer centres is shared between them, blending linearly across the middle
/// 40% of the gap (soft assignment: its weights change continuously with its CoC, so a rack never
/// pops). Front to back, each layer is scattered into an RGBA difference buffer — per footprint row,
/// four vector adds place the anti-aliased span (value at the left edge, minus past the right) —
/// integrated along each touched row, and accumulated into the frame with the oracle's rule
/// "take min(weight, remaining)", applied to the layer's summed weight. Cost per splat is
/// O(radius), not O(radius²). Rows are split into bands on separate cores; a band writes only its
/// own rows, so there is no locking. Buffers are allocated once per frame size and reused.
public final class LayeredRenderer {
    /// κ: layer spacing in asinh units. Smaller is more exact and slower.
    public let spacing: Float
    /// c₀: CoC (px) below which layers are evenly spaced.
    public let linearRange: Float
    public let threads: Int

    private var diff: [SIMD4<Float>] = []
    private var accum: [SIMD4<Float>] = []   // r, g, b premultiplied; w = remaining
    private var rowMin: [Int32] = []
    private var rowMax: [Int32] = []

    public init(spacing: Float = 0.12, linearRange: Float = 2, threads: Int = defaultThreadCount) {
        self.spacing = spacing
        self.linearRange = linearRange
        self.threads = max(1, threads)
    }

    @inline(__always)
    func layerCoordinate(_ c: Float) -> Float { asinhf(c / linearRange) / spacing }

    /// A splat ready to scatter: position, radius table entry, premultiplied RGBA.
    struct Splat {
        var x: Int32
        var y: Int32
        var k: Int32
        var t: Float
        var value: SIMD4<Float>
    }

    /// Splats grouped by layer, front to back; within a layer in row order.
    struct Layers {
        var start: [Int]
        var splats: [Splat]
    }

    func buildLayers(_ scene: DefocusScene, kernel: ApertureKernel) -> Layers {
        let w = scene.width, n = w * scene.height
        let total = n + scene.hiddenCoC.count
        var coord = [Float](repeating: 0, count: total)
        var lo = Float.infinity, hi = -Float.infinity
        for s in 0..<total {
            let l = layerCoordinate(s < n ? scene.coc[s] : scene.hiddenCoC[s - n])
            coord[s] = l
            lo = min(lo, l); hi = max(hi, l)
        }
        let count = Int((hi - lo).rounded(.down)) + 2
        // Shares: blend only across the middle of the gap between two layer centres.
        @inline(__always) func blend(_ f: Float) -> Float { min(max((f - 0.3) / 0.4, 0), 1) }
        var counts = [Int](repeating: 0, count: count + 1)
        for s in 0..<total {
            let u = coord[s] - lo
            let k = min(Int(u), count - 2)
            let b = blend(u - Float(k))
            if b < 1 { counts[k] += 1 }
            if b > 0 { counts[k + 1] += 1 }
        }
        var start = [Int](repeating: 0, count: count + 1)
        for k in 0..<count { start[k + 1] = start[k] + counts[k] }
        var fill = start
        var splats = [Splat](repeating: Splat(x: 0, y: 0, k: 0, t: 0, value: .zero), count: start[count])
        for s in 0..<total {
            let c: Float, px: Int, rgb: SIMD3<Float>
            if s < n {
                c = scene.coc[s]; px = s
                rgb = SIMD3(scene.color[s], scene.color[n + s], scene.color[2 * n + s])
            } else {
                let j = s - n
                c = scene.hiddenCoC[j]; px = Int(scene.hiddenIndex[j])
                rgb = SIMD3(scene.hiddenColor[3 * j], scene.hiddenColor[3 * j + 1], scene.hiddenColor[3 * j + 2])
            }
            let (kk, t) = kernel.position(radius: abs(c) * 0.5)
            let inv = 1 / kernel.area(k: kk, t: t)
            let base = Splat(x: Int32(px % w), y: Int32(px / w), k: Int32(kk), t: t, value: .zero)
            let u = coord[s] - lo
            let k = min(Int(u), count - 2)
            let b = blend(u - Float(k))
            if b < 1 {
                var sp = base
                let a = (1 - b) * inv
                sp.value = SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a)
                splats[fill[k]] = sp; fill[k] += 1
            }
            if b > 0 {
                var sp = base
                let a = b * inv
                sp.value = SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a)
                splats[fill[k + 1]] = sp; fill[k + 1] += 1
            }
        }
        // Visible splats were placed before hidden ones; restore row order within each layer.
        if !scene.hiddenCoC.isEmpty {
            for k in 0..<count where start[k + 1] - start[k] > 1 {
                splats[start[k]..<start[k + 1]].sort { $0.y < $1.y }
            }
        }
        return Layers(start: start, splats: splats)
    }

    /// Linear RGB planes of the blurred frame.
    public func render(scene: DefocusScene, kernel: ApertureKernel) -> [Float] {
        let w = scene.width, h = scene.height, n = w * h
        let stride = w + 2
        if diff.count != stride * h { diff = [SIMD4<Float>](repeating: .zero, count: stride * h) }
        if accum.count != n { accum = [SIMD4<Float>](repeating: .zero, count: n) }
        if rowMin.count != h { rowMin = [Int32](repeating: 0, count: h); rowMax = rowMin }
        let layers = buildLayers(scene, kernel: kernel)
        let layerCount = layers.start.count - 1
        let bands = threads == 1 ? 1 : threads * 4
        var out = [Float](repeating: 0, count: 3 * n)

        layers.splats.withUnsafeBufferPointer { splatP in
        diff.withUnsafeMutableBufferPointer { diffP in
        accum.withUnsafeMutableBufferPointer { accP in
        rowMin.withUnsafeMutableBufferPointer { rminP in
        rowMax.withUnsafeMutableBufferPointer { rmaxP in
        out.withUnsafeMutableBufferPointer { outP in
        scene.color.withUnsafeBufferPointer { colP in
            let ctx = Shared((splatP, diffP, accP, rminP, rmaxP, outP, colP, kernel, layers.start))
            forEachBand(height: h, bands: bands, threads: threads) { rows in
                let (splats, diff, acc, rmin, rmax, out, col, kernel, starts) = ctx.value
                let y0 = rows.lowerBound, y1 = rows.upperBound
                let maxReach = Int(kernel.maxRadius) + 1
                for i in (y0 &* w)..<(y1 &* w) { acc[i] = SIMD4(0, 0, 0, 1) }
                for y in y0..<y1 { rmin[y] = Int32(w); rmax[y] = -1 }
                let wf = Float(w)
                for layer in 0..<layerCount {
                    // Splats are in row order: start at the first one that can reach this band.
                    var lo = starts[layer], hi = starts[layer + 1]
                    let firstRow = Int32(y0 &- maxReach)
                    while lo < hi {
                        let mid = (lo &+ hi) >> 1
                        if splats[mid].y < firstRow { lo = mid &+ 1 } else { hi = mid }
                    }
                    var e = lo
                    let end = starts[layer + 1]
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
                            let y = sy &+ dy
                            let row = y &* stride
                            if ia == ib {
                                let d = (right - left) * v
                                diff[row &+ ia] += d
                                diff[row &+ ia &+ 1] -= d
                            } else {
                                let fa = Float(ia) + 0.5 - left
                                let fb = right - (Float(ib) - 0.5)
                                diff[row &+ ia] += fa * v
                                diff[row &+ ia &+ 1] += (1 - fa) * v
                                diff[row &+ ib] += (fb - 1) * v
                                diff[row &+ ib &+ 1] -= fb * v
                            }
                            if Int32(ia) < rmin[y] { rmin[y] = Int32(ia) }
                            if Int32(ib) > rmax[y] { rmax[y] = Int32(ib) }
                        }
                    }
                    // Integrate each touched row and accumulate front to back.
                    for y in y0..<y1 where rmax[y] >= 0 {
                        let xa = Int(rmin[y]), xb = Int(rmax[y])
                        let row = y &* stride, pix = y &* w
                        var sum = SIMD4<Float>.zero
                        for x in xa...xb {
                            sum += diff[row &+ x]
                            diff[row &+ x] = .zero
                            let weight = sum.w
                            if weight > 1e-7 {
                                var a = acc[pix &+ x]
                                let left = a.w
                                if left > 0 {
                                    let take = min(weight, left)
                                    a += (take / weight) * sum
                                    a.w = left - take
                                    acc[pix &+ x] = a
                                }
                            }
                        }
                        diff[row &+ xb &+ 1] = .zero
                        rmin[y] = Int32(w); rmax[y] = -1
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
        }}}}}}}
        return out
    }
}

extension LayeredRenderer {
    /// Not API: layer statistics for profiling (layer count, splat count).
    public func _layerStatistics(_ scene: DefocusScene, kernel: ApertureKernel) -> (layers: Int, splats: Int, rows: Int) {
        let l = buildLayers(scene, kernel: kernel)
        var rows = 0
        for s in l.splats { rows += 2 * kernel.reach(k: Int(s.k)) + 1 }
        return (l.start.count - 1, l.splats.count, rows)
    }
}
