import RackFocusImage
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
    /// Splats of at least this radius (px) are merged per 2×2 block and scattered at half
    /// resolution (their footprint is then upsampled bilinearly); `.infinity` disables it.
    /// Highlights (luminance above 1) are never merged.
    public let halfResolutionRadius: Float
    public let threads: Int

    /// Wall time of each stage of the last render, in milliseconds (layers, scatter, finish).
    public private(set) var lastStageTimes: [(stage: String, ms: Double)] = []
    /// Set by `LensBlur.render`: time spent on the CoC map, hidden layer and kernel (ms).
    public internal(set) var preparationTime: Double = 0

    private var diff: [SIMD4<Float>] = []
    private var accum: [SIMD4<Float>] = []   // r, g, b premultiplied; w = remaining
    private var rowMin: [Int32] = []
    private var rowMax: [Int32] = []

    public init(spacing: Float = 0.12, linearRange: Float = 2, halfResolutionRadius: Float = 4,
                threads: Int = defaultThreadCount) {
        self.spacing = spacing
        self.linearRange = linearRange
        self.halfResolutionRadius = halfResolutionRadius
        self.threads = max(1, threads)
    }

    @inline(__always)
    static func layerCoordinate(_ c: Float, linearRange: Float, spacing: Float) -> Float { asinhf(c / linearRange) / spacing }

    /// A splat ready to scatter: position, radius table entry, premultiplied RGBA.
    struct Splat {
        var x: Int32
        var y: Int32
        var k: Int32
        var t: Float
        var value: SIMD4<Float>
    }

    /// Splats grouped by layer, front to back; within a layer in order of block row (y / 2).
    struct Layers {
        var count: Int
        var fineStart: [Int]
        var fine: [Splat]
        var coarseStart: [Int]
        var coarse: [Splat]
    }

    func buildLayers(_ scene: DefocusScene, kernel: ApertureKernel) -> Layers {
        let w = scene.width, h = scene.height, n = w * h
        // Layer coordinate of every splat (visible, then hidden), in parallel.
        let total = n + scene.hiddenCoC.count
        var coord = [Float](repeating: 0, count: total)
        coord.withUnsafeMutableBufferPointer { out in
        scene.coc.withUnsafeBufferPointer { c in
        scene.hiddenCoC.withUnsafeBufferPointer { hc in
            let ctx = Shared((out, c, hc, linearRange, spacing))
            parallelFor(16, threads: threads) { band in
                let (out, c, hc, c0, kappa) = ctx.value
                for s in (total * band / 16)..<(total * (band + 1) / 16) {
                    out[s] = Self.layerCoordinate(s < n ? c[s] : hc[s - n], linearRange: c0, spacing: kappa)
                }
            }
        }}}
        var lo = Float.infinity, hi = -Float.infinity
        for l in coord { lo = min(lo, l); hi = max(hi, l) }
        let count = Int((hi - lo).rounded(.down)) + 2
        let hiddenAt = scene.hiddenSplatByPixel()

        let blockRows = (h + 1) / 2
        let chunks = 16
        var results = [([Tagged], [Tagged])](repeating: ([], []), count: chunks)
        results.withUnsafeMutableBufferPointer { r in
            scene.coc.withUnsafeBufferPointer { cocP in
            scene.color.withUnsafeBufferPointer { colP in
            scene.hiddenCoC.withUnsafeBufferPointer { hcP in
            scene.hiddenColor.withUnsafeBufferPointer { hcolP in
            coord.withUnsafeBufferPointer { coordP in
            hiddenAt.withUnsafeBufferPointer { hiddenAtP in
                let source = ChunkSource(width: w, height: h, coc: cocP, color: colP, hiddenCoC: hcP, hiddenColor: hcolP,
                                         coordinate: coordP, hiddenAt: hiddenAtP, lowestLayer: lo, layerCount: count,
                                         halfRadius: halfResolutionRadius, kernel: kernel)
                let ctx = Shared((r, source))
                parallelFor(chunks, threads: threads) { c in
                    let (r, source) = ctx.value
                    var builder = ChunkBuilder(source: source)
                    builder.build(blockRows: (blockRows * c / chunks)..<(blockRows * (c + 1) / chunks))
                    r[c] = (builder.fine, builder.coarse)
                }
            }}}}}}
        }
        // Place every chunk's splats straight into their layer's range: counts per (chunk, layer),
        // prefix sums for the offsets, then each chunk writes its own slots in parallel. Within a
        // layer, chunks follow each other in block-row order.
        func place(coarse: Bool) -> ([Int], [Splat]) {
            var counts = [Int](repeating: 0, count: chunks * count)
            for c in 0..<chunks { for e in (coarse ? results[c].1 : results[c].0) { counts[c * count + Int(e.layer)] += 1 } }
            var start = [Int](repeating: 0, count: count + 1)
            var offset = [Int](repeating: 0, count: chunks * count)
            var running = 0
            for k in 0..<count {
                start[k] = running
                for c in 0..<chunks { offset[c * count + k] = running; running += counts[c * count + k] }
            }
            start[count] = running
            var out = [Splat](repeating: Splat(x: 0, y: 0, k: 0, t: 0, value: .zero), count: running)
            out.withUnsafeMutableBufferPointer { o in
            results.withUnsafeBufferPointer { r in
            offset.withUnsafeMutableBufferPointer { off in
                let ctx = Shared((o, r, off))
                parallelFor(chunks, threads: threads) { c in
                    let (o, r, off) = ctx.value
                    let list = coarse ? r[c].1 : r[c].0
                    list.withUnsafeBufferPointer { list in
                        for e in list {
                            let slot = c &* count &+ Int(e.layer)
                            o[off[slot]] = e.splat
                            off[slot] &+= 1
                        }
                    }
                }
            }}}
            return (start, out)
        }
        let (fs, f) = place(coarse: false), (cs, c) = place(coarse: true)
        return Layers(count: count, fineStart: fs, fine: f, coarseStart: cs, coarse: c)
    }

    typealias Tagged = (layer: Int32, splat: Splat)

    /// Read-only inputs of a chunk of block rows.
    struct ChunkSource {
        let width: Int, height: Int
        let coc: UnsafeBufferPointer<Float>, color: UnsafeBufferPointer<Float>
        let hiddenCoC: UnsafeBufferPointer<Float>, hiddenColor: UnsafeBufferPointer<Float>
        let coordinate: UnsafeBufferPointer<Float>, hiddenAt: UnsafeBufferPointer<Int32>
        let lowestLayer: Float, layerCount: Int
        let halfRadius: Float
        let kernel: ApertureKernel
    }

    /// Turns the pixels of some block rows into tagged splats: full-resolution ones, and
    /// half-resolution ones merged per 2×2 block and layer. A value type with mutating methods,
    /// so all its state is local to one worker.
    struct ChunkBuilder {
        let source: ChunkSource
        var fine: [Tagged] = []
        var coarse: [Tagged] = []
        // Merge slots of the current block: layer, Σ share·(rgb, 1), Σ share·radius.
        var slotLayer = [Int32](repeating: 0, count: 16)
        var slotValue = [SIMD4<Float>](repeating: .zero, count: 16)
        var slotRadius = [Float](repeating: 0, count: 16)
        var slots = 0

        init(source: ChunkSource) {
            self.source = source
            fine.reserveCapacity(source.width * 4)
        }

        mutating func build(blockRows: Range<Int>) {
            let w = source.width, h = source.height, n = w * h
            let hw = w / 2, hh = h / 2
            for by in blockRows {
                for bx in 0..<((w + 1) / 2) {
                    let whole = bx < hw && by < hh
                    slots = 0
                    for q in 0..<4 {
                        let x = 2 &* bx &+ (q & 1), y = 2 &* by &+ (q >> 1)
                        guard x < w && y < h else { continue }
                        let i = y &* w &+ x
                        emit(source.coc[i], source.coordinate[i], i,
                             SIMD3(source.color[i], source.color[n &+ i], source.color[2 &* n &+ i]), mergeable: whole)
                        let j = Int(source.hiddenAt[i])
                        if j >= 0 {
                            emit(source.hiddenCoC[j], source.coordinate[n &+ j], i,
                                 SIMD3(source.hiddenColor[3 &* j], source.hiddenColor[3 &* j &+ 1], source.hiddenColor[3 &* j &+ 2]),
                                 mergeable: whole)
                        }
                    }
                    for slot in 0..<slots {
                        // One half-resolution splat: mean radius, halved; a quarter of the weight
                        // (a half-resolution pixel stands for four).
                        let v = slotValue[slot]
                        let r = slotRadius[slot] / v.w * 0.5
                        let (kk, t) = source.kernel.position(radius: r)
                        let a = 0.25 / source.kernel.area(k: kk, t: t)
                        coarse.append((slotLayer[slot], Splat(x: Int32(bx), y: Int32(by), k: Int32(kk), t: t,
                                                              value: SIMD4(v.x * a, v.y * a, v.z * a, v.w * a))))
                    }
                }
            }
        }

        @inline(__always)
        mutating func emit(_ c: Float, _ l: Float, _ px: Int, _ rgb: SIMD3<Float>, mergeable: Bool) {
            let u = l - source.lowestLayer
            let k = min(Int(u), source.layerCount - 2)
            let b = min(max((u - Float(k) - 0.3) / 0.4, 0), 1)
            let r = abs(c) * 0.5
            // Highlights (brighter than display white) keep full resolution: their discs are the
            // visible bokeh, and merging would move them by half a pixel and soften their rims.
            // Between halfRadius and 1.25·halfRadius a splat is shared between the two
            // resolutions, so a rack passing the threshold does not pop.
            let bright = 0.2126 * rgb.x + 0.7152 * rgb.y + 0.0722 * rgb.z > 1
            let rHalf = source.halfRadius
            let toHalf = mergeable && !bright ? min(max((r - rHalf) / (0.25 * rHalf), 0), 1) : 0
            if toHalf > 0 {
                for step in 0..<2 {
                    let layer = Int32(k &+ step), share = (step == 0 ? 1 - b : b) * toHalf
                    if share <= 0 { continue }
                    var slot = 0
                    while slot < slots && slotLayer[slot] != layer { slot &+= 1 }
                    if slot == slots { slotLayer[slot] = layer; slotValue[slot] = .zero; slotRadius[slot] = 0; slots &+= 1 }
                    slotValue[slot] += SIMD4(rgb.x * share, rgb.y * share, rgb.z * share, share)
                    slotRadius[slot] += r * share
                }
                if toHalf >= 1 { return }
            }
            let keep = 1 - toHalf
            let (kk, t) = source.kernel.position(radius: r)
            let inv = keep / source.kernel.area(k: kk, t: t)
            let x = Int32(px % source.width), y = Int32(px / source.width)
            if b < 1 {
                let a = (1 - b) * inv
                fine.append((Int32(k), Splat(x: x, y: y, k: Int32(kk), t: t, value: SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a))))
            }
            if b > 0 {
                let a = b * inv
                fine.append((Int32(k &+ 1), Splat(x: x, y: y, k: Int32(kk), t: t, value: SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a))))
            }
        }
    }

    /// Scatters the splats of one layer that reach rows `y0..<y1` into a difference buffer.
    /// `rowBase` is the buffer row of image row `y0`; splats are in order of block row.
    @inline(__always)
    static func scatter(_ splats: UnsafeBufferPointer<Splat>, from first: Int, to end: Int, kernel: ApertureKernel,
                        rows y0: Int, _ y1: Int, width w: Int, stride: Int, diff: UnsafeMutablePointer<SIMD4<Float>>,
                        rowMin: UnsafeMutablePointer<Int32>, rowMax: UnsafeMutablePointer<Int32>) {
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

    /// Linear RGB planes of the blurred frame.
    public func render(scene: DefocusScene, kernel: ApertureKernel) -> [Float] {
        let w = scene.width, h = scene.height, n = w * h
        let hw = max(1, w / 2), hh = max(1, h / 2)
        let stride = w + 2, hstride = hw + 2
        if diff.count != stride * h { diff = [SIMD4<Float>](repeating: .zero, count: stride * h) }
        if accum.count != n { accum = [SIMD4<Float>](repeating: .zero, count: n) }
        if rowMin.count != h { rowMin = [Int32](repeating: 0, count: h); rowMax = rowMin }
        var clock = DispatchTime.now().uptimeNanoseconds
        var times: [(stage: String, ms: Double)] = []
        func lap(_ stage: String) {
            let now = DispatchTime.now().uptimeNanoseconds
            times.append((stage, Double(now - clock) / 1e6))
            clock = now
        }
        let layers = buildLayers(scene, kernel: kernel)
        lap("sort into layers")
        let layerCount = layers.count
        let bands = threads == 1 ? 1 : threads * 4
        var out = [Float](repeating: 0, count: 3 * n)

        layers.fine.withUnsafeBufferPointer { fineP in
        layers.coarse.withUnsafeBufferPointer { coarseP in
        diff.withUnsafeMutableBufferPointer { diffP in
        accum.withUnsafeMutableBufferPointer { accP in
        rowMin.withUnsafeMutableBufferPointer { rminP in
        rowMax.withUnsafeMutableBufferPointer { rmaxP in
        out.withUnsafeMutableBufferPointer { outP in
        scene.color.withUnsafeBufferPointer { colP in
            let ctx = Shared((fineP, coarseP, diffP, accP, rminP, rmaxP, outP, colP, kernel, layers))
            forEachBand(height: h, bands: bands, threads: threads) { rows in
                let (fine, coarse, diff, acc, rmin, rmax, out, col, kernel, layers) = ctx.value
                let y0 = rows.lowerBound, y1 = rows.upperBound
                // Half-resolution rows this band samples (bilinear: full row y reads half rows
                // around (y + ½)/2 − ½), in a private buffer.
                let hy0 = max(0, Int(((Float(y0) + 0.5) / 2 - 0.5).rounded(.down)))
                let hy1 = min(hh, Int(((Float(y1 - 1) + 0.5) / 2 - 0.5).rounded(.down)) + 2)
                let hrows = max(1, hy1 - hy0)
                let hdiff = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: hstride * hrows)
                hdiff.initialize(repeating: .zero, count: hstride * hrows)
                let hval = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: hw * hrows)
                hval.initialize(repeating: .zero, count: hw * hrows)
                let hmin = UnsafeMutablePointer<Int32>.allocate(capacity: hrows)
                let hmax = UnsafeMutablePointer<Int32>.allocate(capacity: hrows)
                let used = UnsafeMutablePointer<SIMD2<Int32>>.allocate(capacity: hrows)
                let vmix = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: hw)
                vmix.initialize(repeating: .zero, count: hw)
                defer { hdiff.deallocate(); hval.deallocate(); hmin.deallocate(); hmax.deallocate(); used.deallocate(); vmix.deallocate() }
                for r in 0..<hrows { hmin[r] = Int32(hw); hmax[r] = -1 }

                for i in (y0 &* w)..<(y1 &* w) { acc[i] = SIMD4(0, 0, 0, 1) }
                for y in y0..<y1 { rmin[y] = Int32(w); rmax[y] = -1 }
                let diffBand = diff.baseAddress! + y0 &* stride
                for layer in 0..<layerCount {
                    Self.scatter(fine, from: layers.fineStart[layer], to: layers.fineStart[layer + 1], kernel: kernel,
                                 rows: y0, y1, width: w, stride: stride, diff: diffBand,
                                 rowMin: rmin.baseAddress! + y0, rowMax: rmax.baseAddress! + y0)
                    var anyCoarse = false
                    if layers.coarseStart[layer + 1] > layers.coarseStart[layer] {
                        Self.scatter(coarse, from: layers.coarseStart[layer], to: layers.coarseStart[layer + 1], kernel: kernel,
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
        }}}}}}}}
        lap("scatter and composite")
        lastStageTimes = times
        return out
    }
}
