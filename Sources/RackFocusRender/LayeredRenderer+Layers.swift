import RackFocusImage

extension LayeredRenderer {
    /// A splat ready to scatter: position (in its level's pixels), radius table entry,
    /// premultiplied RGBA.
    struct Splat {
        var x: Int32
        var y: Int32
        var k: Int32
        var t: Float
        var value: SIMD4<Float>
    }

    /// Resolution levels: 0 is full resolution, level L has pixels 2^L wide.
    static let levelCount = 3

    /// Splats grouped by level, then by layer front to back, in one array; within a layer in order
    /// of 4-row block (so a splat's row is at most 3 rows of its level out of order).
    struct Layers {
        var count: Int
        /// `start[level][layer]..<start[level][layer + 1]` indexes `splats`.
        var start: [[Int]]
        /// The renderer's splat store, valid until its next frame.
        var splats: UnsafeMutableBufferPointer<Splat>
    }

    func buildLayers(_ scene: DefocusScene, kernel: ApertureKernel) -> Layers {
        let w = scene.width, h = scene.height, n = w * h
        // Layer coordinate of every splat (visible, then hidden), in parallel.
        let total = n + scene.hiddenCoC.count
        var coord = [Float](repeating: 0, count: total)
        var bandRange = [SIMD2<Float>](repeating: SIMD2(.infinity, -.infinity), count: 16)
        coord.withUnsafeMutableBufferPointer { out in
            bandRange.withUnsafeMutableBufferPointer { range in
                scene.coc.withUnsafeBufferPointer { c in
                    scene.hiddenCoC.withUnsafeBufferPointer { hc in
                        let ctx = Shared((out, range, c, hc, linearRange, spacing))
                        parallelFor(16, threads: threads) { band in
                            let (out, range, c, hc, c0, kappa) = ctx.value
                            var lo = Float.infinity, hi = -Float.infinity
                            for s in (total * band / 16)..<(total * (band + 1) / 16) {
                                let l = Self.layerCoordinate(s < n ? c[s] : hc[s - n], linearRange: c0, spacing: kappa)
                                out[s] = l
                                lo = min(lo, l)
                                hi = max(hi, l)
                            }
                            range[band] = SIMD2(lo, hi)
                        }
                    }
                }
            }
        }
        var lo = Float.infinity, hi = -Float.infinity
        for r in bandRange { lo = min(lo, r.x); hi = max(hi, r.y) }
        let count = Int((hi - lo).rounded(.down)) + 2
        let hiddenAt = scene.hiddenSplatByPixel()

        let blockRows = (h + 3) / 4
        let chunks = 16, levels = Self.levelCount
        if chunkBuilders.count != chunks { chunkBuilders = (0..<chunks).map { _ in ChunkBuilder() } }
        let built = chunkBuilders
        do {
            scene.coc.withUnsafeBufferPointer { cocP in
                scene.color.withUnsafeBufferPointer { colP in
                    scene.hiddenCoC.withUnsafeBufferPointer { hcP in
                        scene.hiddenColor.withUnsafeBufferPointer { hcolP in
                            coord.withUnsafeBufferPointer { coordP in
                                hiddenAt.withUnsafeBufferPointer { hiddenAtP in
                                    let source = ChunkSource(
                                        width: w, height: h, coc: cocP, color: colP, hiddenCoC: hcP, hiddenColor: hcolP,
                                        coordinate: coordP, hiddenAt: hiddenAtP, lowestLayer: lo, layerCount: count,
                                        halfRadius: halfResolutionRadius, quarterRadius: quarterResolutionRadius,
                                        kernel: kernel)
                                    let ctx = Shared((built, source))
                                    parallelFor(chunks, threads: threads) { c in
                                        let (built, source) = ctx.value
                                        let rows = (blockRows * c / chunks)..<(blockRows * (c + 1) / chunks)
                                        built[c].build(blockRows: rows, source: source)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Place every chunk's splats straight into their (level, layer) range: the chunks counted
        // them per (level, layer); prefix sums give the offsets, then each chunk writes its own
        // slots in parallel. Within a layer, chunks follow each other in block-row order.
        var start = [[Int]](repeating: [Int](repeating: 0, count: count + 1), count: levels)
        var offset = [Int](repeating: 0, count: chunks * levels * count)
        var running = 0
        for level in 0..<levels {
            for k in 0..<count {
                start[level][k] = running
                for c in 0..<chunks {
                    offset[(c * levels + level) * count + k] = running
                    running += built[c].counts[level * count + k]
                }
            }
            start[level][count] = running
        }
        if splatStore.count < running {
            splatStore.deallocate()
            splatStore = .allocate(capacity: running + running / 4)
        }
        let splats = UnsafeMutableBufferPointer(rebasing: splatStore[0..<running])
        do {
            let o = splats
            offset.withUnsafeMutableBufferPointer { off in
                let ctx = Shared((o, off, built))
                parallelFor(chunks, threads: threads) { c in
                    let (o, off, built) = ctx.value
                    let builder = built[c]
                    for level in 0..<levels {
                        let base = (c &* levels &+ level) &* count
                        builder.lists[level].withUnsafeBufferPointer { list in
                            builder.layers[level].withUnsafeBufferPointer { layer in
                                for e in 0..<list.count {
                                    let slot = base &+ Int(layer[e])
                                    o[off[slot]] = list[e]
                                    off[slot] &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return Layers(count: count, start: start, splats: splats)
    }

    /// Read-only inputs of a chunk of block rows.
    struct ChunkSource {
        let width: Int, height: Int
        let coc: UnsafeBufferPointer<Float>, color: UnsafeBufferPointer<Float>
        let hiddenCoC: UnsafeBufferPointer<Float>, hiddenColor: UnsafeBufferPointer<Float>
        let coordinate: UnsafeBufferPointer<Float>, hiddenAt: UnsafeBufferPointer<Int32>
        let lowestLayer: Float, layerCount: Int
        let halfRadius: Float, quarterRadius: Float
        let kernel: ApertureKernel
    }

    /// Merge slots of one block at one level: the layer, Σ share·(rgb, 1) and Σ share·radius of
    /// the splats merged into each. Owned storage, so adding takes no allocation or array checks.
    final class MergeSlots {
        let layer: UnsafeMutablePointer<Int32>
        let value: UnsafeMutablePointer<SIMD4<Float>>
        let radius: UnsafeMutablePointer<Float>
        var count = 0

        init(capacity: Int) {
            layer = .allocate(capacity: capacity)
            value = .allocate(capacity: capacity)
            radius = .allocate(capacity: capacity)
        }

        deinit { layer.deallocate(); value.deallocate(); radius.deallocate() }

        @inline(__always)
        func add(layer l: Int32, _ rgb: SIMD3<Float>, radius r: Float, share: Float) {
            var slot = 0
            while slot < count && layer[slot] != l { slot &+= 1 }
            if slot == count {
                layer[slot] = l; value[slot] = .zero; radius[slot] = 0; count &+= 1
            }
            value[slot] += SIMD4(rgb.x * share, rgb.y * share, rgb.z * share, share)
            radius[slot] += r * share
        }
    }

    /// Turns the pixels of some 4×4 block rows into splats per level, with their layers and the
    /// count per (level, layer): full-resolution ones, and ones merged per 2×2 block (half
    /// resolution) or 4×4 block (quarter resolution) and layer. One builder per chunk, kept by the
    /// renderer so its lists keep their capacity from frame to frame.
    final class ChunkBuilder: @unchecked Sendable {
        var source: ChunkSource!
        /// Splats and their layers per level.
        var lists: [[Splat]] = [], layers: [[Int32]] = []
        /// Splats per (level, layer): `counts[level * layerCount + layer]`.
        var counts: [Int] = []
        let half = MergeSlots(capacity: 16)
        let quarter = MergeSlots(capacity: 64)
        // The lists being filled, one per level (separate arrays, so appending checks one array).
        var fine: [Splat] = [], fineLayer: [Int32] = []
        var halves: [Splat] = [], halfLayer: [Int32] = []
        var quarters: [Splat] = [], quarterLayer: [Int32] = []

        func build(blockRows: Range<Int>, source: ChunkSource) {
            self.source = source
            counts = [Int](repeating: 0, count: LayeredRenderer.levelCount * source.layerCount)
            if lists.count == 3 {
                // Take back last frame's lists (and their capacity).
                swap(&fine, &lists[0]); swap(&halves, &lists[1]); swap(&quarters, &lists[2])
                swap(&fineLayer, &layers[0]); swap(&halfLayer, &layers[1]); swap(&quarterLayer, &layers[2])
            }
            fine.removeAll(keepingCapacity: true); fineLayer.removeAll(keepingCapacity: true)
            halves.removeAll(keepingCapacity: true); halfLayer.removeAll(keepingCapacity: true)
            quarters.removeAll(keepingCapacity: true); quarterLayer.removeAll(keepingCapacity: true)
            let w = source.width, h = source.height, n = w * h
            let hw = w / 2, hh = h / 2, qw = w / 4, qh = h / 4
            for by in blockRows {
                for bx in 0..<((w + 3) / 4) {
                    let wholeQuarter = bx < qw && by < qh
                    for sub in 0..<4 {
                        let hx = 2 &* bx &+ (sub & 1), hy = 2 &* by &+ (sub >> 1)
                        let wholeHalf = hx < hw && hy < hh
                        for q in 0..<4 {
                            let x = 2 &* hx &+ (q & 1), y = 2 &* hy &+ (q >> 1)
                            guard x < w && y < h else { continue }
                            let i = y &* w &+ x
                            emit(
                                source.coc[i], source.coordinate[i], x, y,
                                SIMD3(source.color[i], source.color[n &+ i], source.color[2 &* n &+ i]),
                                half: wholeHalf, quarter: wholeQuarter)
                            let j = Int(source.hiddenAt[i])
                            if j >= 0 {
                                emit(
                                    source.hiddenCoC[j], source.coordinate[n &+ j], x, y,
                                    SIMD3(
                                        source.hiddenColor[3 &* j], source.hiddenColor[3 &* j &+ 1],
                                        source.hiddenColor[3 &* j &+ 2]),
                                    half: wholeHalf, quarter: wholeQuarter)
                            }
                        }
                        flush(half, level: 1, x: hx, y: hy, into: &halves, &halfLayer)
                    }
                    flush(quarter, level: 2, x: bx, y: by, into: &quarters, &quarterLayer)
                }
            }
            lists = [[], [], []]; layers = [[], [], []]
            swap(&fine, &lists[0]); swap(&halves, &lists[1]); swap(&quarters, &lists[2])
            swap(&fineLayer, &layers[0]); swap(&halfLayer, &layers[1]); swap(&quarterLayer, &layers[2])
        }

        /// One splat per merge slot at `level` (pixels 2^level wide), at (x, y) there: the mean
        /// radius in that level's pixels, and 1/4^level of the weight (a level pixel stands for
        /// 4^level full-resolution ones).
        @inline(__always)
        func flush(_ slots: MergeSlots, level: Int, x: Int, y: Int, into list: inout [Splat], _ layer: inout [Int32]) {
            let scale = 1 / Float(1 << level)
            for slot in 0..<slots.count {
                let v = slots.value[slot]
                let r = slots.radius[slot] / v.w * scale
                let (kk, t) = source.kernel.position(radius: r)
                let a = scale * scale / source.kernel.area(k: kk, t: t)
                list.append(Splat(x: Int32(x), y: Int32(y), k: Int32(kk), t: t, value: v * a))
                layer.append(slots.layer[slot])
                counts[level &* source.layerCount &+ Int(slots.layer[slot])] &+= 1
            }
            slots.count = 0
        }

        @inline(__always)
        func emit(_ c: Float, _ l: Float, _ x: Int, _ y: Int, _ rgb: SIMD3<Float>, half toHalfOK: Bool, quarter: Bool) {
            let u = l - source.lowestLayer
            let k = min(Int(u), source.layerCount - 2)
            let b = min(max((u - Float(k) - 0.3) / 0.4, 0), 1)
            let r = abs(c) * 0.5
            // Highlights (brighter than display white) keep full resolution: their discs are the
            // visible bokeh, and merging would move them and soften their rims. From halfRadius to
            // 1.25·halfRadius a splat is shared between full and half resolution, and likewise from
            // quarterRadius between half and quarter, so a rack passing a threshold does not pop.
            let bright = 0.2126 * rgb.x + 0.7152 * rgb.y + 0.0722 * rgb.z > 1
            let rHalf = source.halfRadius
            let merged = toHalfOK && !bright ? min(max((r - rHalf) / (0.25 * rHalf), 0), 1) : 0
            if merged > 0 {
                let rQuarter = source.quarterRadius
                let toQuarter = quarter ? min(max((r - rQuarter) / (0.25 * rQuarter), 0), 1) : 0
                for step in 0..<2 {
                    let layer = Int32(k &+ step), share = (step == 0 ? 1 - b : b) * merged
                    if share <= 0 { continue }
                    if toQuarter < 1 { half.add(layer: layer, rgb, radius: r, share: share * (1 - toQuarter)) }
                    if toQuarter > 0 { self.quarter.add(layer: layer, rgb, radius: r, share: share * toQuarter) }
                }
                if merged >= 1 { return }
            }
            let keep = 1 - merged
            let (kk, t) = source.kernel.position(radius: r)
            let inv = keep / source.kernel.area(k: kk, t: t)
            for step in 0..<2 {
                let share = step == 0 ? 1 - b : b
                if share <= 0 { continue }
                let a = share * inv
                fine.append(
                    Splat(
                        x: Int32(x), y: Int32(y), k: Int32(kk), t: t, value: SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a)))
                fineLayer.append(Int32(k &+ step))
                counts[k &+ step] &+= 1
            }
        }
    }
}
