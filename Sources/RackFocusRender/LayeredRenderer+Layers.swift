import CKernelHints
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

    /// The share of the gap between two layer centres across which a splat is shared between them.
    static let blend: Float = 0.4
    /// Resolution levels: 0 is full resolution, level L has pixels 2^L wide.
    static let levelCount = 3
    /// The list after the levels: splats beyond the frame's edge, at full resolution, carrying
    /// coverage and no colour (see `ChunkBuilder.emitBeyondEdges`).
    static let virtualList = levelCount
    /// The list after that: point lights partly hidden, as one-pixel splats over the part of
    /// their disc that their rays reach (see `PointLights`), sorted by row within each layer.
    static let maskedList = levelCount + 1
    /// The list after that: runs of identical splats beyond the left or right edge, one record
    /// per side of a row (`ChunkWriter.emitRun`), in row order.
    static let runList = levelCount + 2
    /// The list after that: runs of identical splats beyond the top or bottom edge, one record per
    /// column (`ChunkWriter.emitRun`).
    static let columnList = levelCount + 3
    /// Lists in all: the levels, the splats beyond the edge, the hidden lights' pixels, the runs
    /// beside rows and in columns.
    static let listCount = levelCount + 4

    /// Splats grouped by list (the levels, the splats beyond the frame's edge, the hidden lights'
    /// pixels), then by layer front to back, in one array; within a layer in order of top-level block (so a splat's row is at most
    /// 2^(levelCount−1) − 1 rows out of order).
    struct Layers {
        var count: Int
        /// `start[list][layer]..<start[list][layer + 1]` indexes `splats` (lists as `listCount`
        /// counts them).
        var start: [[Int]]
        /// The renderer's splat store, valid until its next frame.
        var splats: UnsafeMutableBufferPointer<Splat>
    }

    func buildLayers(_ scene: DefocusScene, kernel: ApertureKernel, lap: (String) -> Void = { _ in }) -> Layers {
        let w = scene.width, h = scene.height, n = w * h
        // Layer coordinate of every splat (visible, then hidden), in parallel, into kept storage
        // (not cleared: every value is written).
        let total = n + scene.hiddenCoC.count
        let coord = coordinateStore.take(total)
        var bandRange = [SIMD2<Float>](repeating: SIMD2(.infinity, -.infinity), count: 16)
        do {
            let out = coord
            bandRange.withUnsafeMutableBufferPointer { range in
                scene.coc.withUnsafeBufferPointer { c in
                    scene.hiddenCoC.withUnsafeBufferPointer { hc in
                        let ctx = Shared((out, range, c, hc, linearRange, spacing))
                        // Bands 0..<15 take the visible splats, band 15 the hidden ones.
                        parallelFor(16, threads: threads) { band in
                            let (out, range, c, hc, c0, kappa) = ctx.value
                            let (source, rows) =
                                band < 15 ? (c, (n * band / 15)..<(n * (band + 1) / 15)) : (hc, 0..<hc.count)
                            guard !rows.isEmpty else { return }
                            let first = band < 15 ? rows.lowerBound : n
                            let (lo, hi) = Self.layerCoordinates(
                                source.baseAddress! + rows.lowerBound, into: out.baseAddress! + first,
                                count: rows.count, linearRange: c0, spacing: kappa)
                            range[band] = SIMD2(lo, hi)
                        }
                    }
                }
            }
        }
        var lo = Float.infinity, hi = -Float.infinity
        for r in bandRange { lo = min(lo, r.x); hi = max(hi, r.y) }
        let count = Int((hi - lo).rounded(.down)) + 2
        lap("layer coordinates")
        let hiddenAt = hiddenAtStore.take(n)
        scene.hiddenSplatByPixel(into: hiddenAt, threads: threads)
        let lights = PointLights(scene: scene, threads: threads)
        lap("point lights")

        let blockSize = 1 << (Self.levelCount - 1), blockRows = (h + blockSize - 1) / blockSize
        let chunks = 16, levels = Self.listCount
        if chunkBuilders.count != chunks { chunkBuilders = (0..<chunks).map { _ in ChunkBuilder() } }
        let built = chunkBuilders
        do {
            let coordP = UnsafeBufferPointer(coord), hiddenAtP = UnsafeBufferPointer(hiddenAt)
            scene.coc.withUnsafeBufferPointer { cocP in
                scene.color.withUnsafeBufferPointer { colP in
                    scene.hiddenCoC.withUnsafeBufferPointer { hcP in
                        scene.hiddenColor.withUnsafeBufferPointer { hcolP in
                            scene.hiddenWeight.withUnsafeBufferPointer { hwP in
                                lights.isLight.withUnsafeBufferPointer { lightP in
                                    var radii = SIMD4<Float>(repeating: .infinity)
                                    for (i, r) in levelRadii.enumerated() { radii[i] = r }
                                    let source = ChunkSource(
                                        width: w, height: h, coc: cocP, color: colP, hiddenCoC: hcP,
                                        hiddenColor: hcolP, hiddenWeight: hwP,
                                        coordinate: coordP, hiddenAt: hiddenAtP, lowestLayer: lo,
                                        layerCount: count,
                                        levelRadii: radii, kernel: kernel.table, isLight: lightP,
                                        edgeRuns: edgeRuns)
                                    let ctx = Shared((built, source, lights))
                                    parallelFor(chunks, threads: threads) { c in
                                        let (built, source, lights) = ctx.value
                                        let rows = (blockRows * c / chunks)..<(blockRows * (c + 1) / chunks)
                                        built[c].build(blockRows: rows, source: source, lights: lights)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        lap("build splats")
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
                    running += built[c].counts[level &* count &+ k]
                }
            }
            start[level][count] = running
        }
        let splats = splatStore.take(running)
        do {
            let o = splats
            offset.withUnsafeMutableBufferPointer { off in
                let ctx = Shared((o, off, built))
                parallelFor(chunks, threads: threads) { c in
                    let (o, off, built) = ctx.value
                    let lists = built[c].lists
                    for level in 0..<levels {
                        let base = (c &* levels &+ level) &* count
                        let list = lists[level].splats, layer = lists[level].layers
                        for e in 0..<lists[level].count {
                            let slot = base &+ Int(layer[e])
                            o[off[slot]] = list[e]
                            off[slot] &+= 1
                        }
                    }
                }
            }
        }
        // The hidden lights' pixels came in the order of their lights: put each layer's in row
        // order, as the scatter's search needs.
        for layer in 0..<count {
            let range = start[Self.maskedList][layer]..<start[Self.maskedList][layer + 1]
            if range.count > 1 { splats[range].sort { $0.y < $1.y } }
        }
        return Layers(count: count, start: start, splats: splats)
    }

    /// Turns the pixels of some rows of top-level blocks into splats per level, with their layers
    /// and the count per (level, layer): full-resolution ones, and ones merged per 2×2 or 4×4
    /// block (half or quarter resolution) and layer. One builder per chunk, kept by the renderer
    /// so its lists keep their capacity from frame to frame. Its state is plain values and
    /// pointers, so the per-pixel work takes no reference counting.
    final class ChunkBuilder: @unchecked Sendable {
        /// The lists, `LayeredRenderer.listCount` of them.
        let lists: UnsafeMutablePointer<SplatList>
        /// Splats per (list, layer): `counts[list * layerCount + layer]`.
        private(set) var counts: UnsafeMutablePointer<Int>
        private var countCapacity = 0
        /// Merge slots per coarse level (index 0 unused): a 2^L block holds 4^L pixels, each with
        /// a hidden splat behind it at most, each shared by two layers.
        let slots: UnsafeMutablePointer<MergeSlots>

        init() {
            lists = .allocate(capacity: LayeredRenderer.listCount)
            for l in 0..<LayeredRenderer.listCount { (lists + l).initialize(to: SplatList(capacity: 1024)) }
            slots = .allocate(capacity: LayeredRenderer.levelCount)
            for l in 0..<LayeredRenderer.levelCount {
                (slots + l).initialize(to: MergeSlots(capacity: 4 * (1 << (2 * l))))
            }
            counts = .allocate(capacity: 0)
        }

        deinit {
            for l in 0..<LayeredRenderer.listCount { lists[l].deallocate() }
            for l in 0..<LayeredRenderer.levelCount { slots[l].deallocate() }
            lists.deallocate(); slots.deallocate(); counts.deallocate()
        }

        func build(blockRows: Range<Int>, source: ChunkSource, lights: PointLights) {
            let needed = LayeredRenderer.listCount * source.layerCount
            if countCapacity < needed {
                counts.deallocate()
                counts = .allocate(capacity: needed)
                countCapacity = needed
            }
            counts.initialize(repeating: 0, count: needed)
            for l in 0..<LayeredRenderer.listCount { lists[l].count = 0 }
            // Most pixels give one or two full-resolution splats, or share a merged one.
            // (A block row is 2^(levelCount − 1) pixel rows.)
            let pixels = blockRows.count * (1 << (LayeredRenderer.levelCount - 1)) * source.width
            lists[0].reserve(pixels + pixels / 2)
            lists[1].reserve(pixels / 4)
            ChunkWriter(source: source, lights: lights, lists: lists, counts: counts, slots: slots)
                .write(blockRows: blockRows)
        }
    }

    /// One chunk's pass over its pixels, writing into its builder's storage. A value whose
    /// methods borrow it, so the per-pixel work passes no copies and takes no reference counting.
    struct ChunkWriter {
        let source: ChunkSource
        /// The frame's point lights (read only for lights whose disc may be partly hidden).
        let lights: PointLights
        let lists: UnsafeMutablePointer<SplatList>
        let counts: UnsafeMutablePointer<Int>
        let slots: UnsafeMutablePointer<MergeSlots>

        /// How far ahead along its rows a block asks for its inputs (pixels).
        static let ahead = 128

        /// Appends `splat` to list `list` in layer `layer`, and counts it there.
        @inline(__always)
        func put(_ splat: Splat, list: Int, layer: Int) {
            lists[list].append(splat, layer: layer)
            counts[list &* source.layerCount &+ layer] &+= 1
        }

        func write(blockRows: Range<Int>) {
            let top = LayeredRenderer.levelCount - 1, size = 1 << top
            let w = source.width, h = source.height, n = w &* h
            for by in blockRows {
                let rows = min(size, h &- by &* size)
                for bx in 0..<((w + size - 1) / size) {
                    // A block reads `size` rows of seven planes at once, more streams than the
                    // hardware prefetcher follows: ask for each row's line `ahead` pixels on.
                    if bx & (64 / (4 * size) - 1) == 0 {
                        let x = min(bx &* size &+ Self.ahead, w &- 1)
                        for r in 0..<rows {
                            let i = (by &* size &+ r) &* w &+ x
                            rf_prefetch(source.coc.baseAddress! + i)
                            rf_prefetch(source.coordinate.baseAddress! + i)
                            rf_prefetch(source.color.baseAddress! + i)
                            rf_prefetch(source.color.baseAddress! + (n &+ i))
                            rf_prefetch(source.color.baseAddress! + (2 &* n &+ i))
                            rf_prefetch(source.hiddenAt.baseAddress! + i)
                            rf_prefetch(source.isLight.baseAddress! + i)
                        }
                    }
                    visit(level: top, bx, by, whole: 0)
                }
            }
            let blocks = (source.height + size - 1) / size
            emitBeyondEdges(
                rows: (blockRows.lowerBound * size)..<min(blockRows.upperBound * size, source.height),
                top: blockRows.contains(0), bottom: blockRows.contains(blocks - 1))
        }

        /// The block (x, y) of `level` (in that level's pixels): its four sub-blocks, then its
        /// merged splats. `whole` has bit L set when the block of level L holding it lies wholly
        /// inside the frame (only those merge).
        func visit(level: Int, _ x: Int, _ y: Int, whole: Int) {
            let w = source.width, h = source.height
            let inside = x < (w >> level) && y < (h >> level)
            let mask = inside ? whole | (1 << level) : whole
            if level == 1 {
                visitPixels(x, y, whole: mask)
            } else {
                for sub in 0..<4 {
                    visit(level: level &- 1, 2 &* x &+ (sub & 1), 2 &* y &+ (sub >> 1), whole: mask)
                }
            }
            flush(level: level, x: x, y: y)
        }

        /// The four pixels of block (x, y) of level 1: each pixel's splat, and the hidden splat
        /// behind it if any. Apart from the recursion, so `emit` inlines here.
        func visitPixels(_ x: Int, _ y: Int, whole mask: Int) {
            let w = source.width, h = source.height, n = w &* h
            for q in 0..<4 {
                let px = 2 &* x &+ (q & 1), py = 2 &* y &+ (q >> 1)
                guard px < w && py < h else { continue }
                let i = py &* w &+ px
                emit(
                    source.coc[i], source.coordinate[i], px, py,
                    SIMD3(source.color[i], source.color[n &+ i], source.color[2 &* n &+ i]), whole: mask,
                    light: source.isLight[i] ? i : -1)
                let j = Int(source.hiddenAt[i])
                if j >= 0 {
                    emit(
                        source.hiddenCoC[j], source.coordinate[n &+ j], px, py,
                        SIMD3(
                            source.hiddenColor[3 &* j], source.hiddenColor[3 &* j &+ 1],
                            source.hiddenColor[3 &* j &+ 2]),
                        whole: mask, weight: source.hiddenWeight[j])
                }
            }
        }

        /// One splat per merge slot of `level` (pixels 2^level wide), at (x, y) there: the mean
        /// radius in that level's pixels, and 1/4^level of the weight (a level pixel stands for
        /// 4^level full-resolution ones).
        @inline(__always)
        func flush(level: Int, x: Int, y: Int) {
            let merged = slots + level
            let scale = 1 / Float(1 << level)
            for slot in 0..<merged.pointee.count {
                let v = merged.pointee.value[slot]
                let r = merged.pointee.radius[slot] / v.w * scale
                let (kk, t) = source.kernel.position(radius: r)
                let a = scale * scale / source.kernel.area(k: kk, t: t, x: x, y: y, level: level)
                let layer = Int(merged.pointee.layer[slot])
                put(Splat(x: Int32(x), y: Int32(y), k: Int32(kk), t: t, value: v * a), list: level, layer: layer)
            }
            merged.pointee.count = 0
        }

        @inline(__always)
        func emit(
            _ c: Float, _ l: Float, _ x: Int, _ y: Int, _ rgb: SIMD3<Float>, whole: Int,
            light: Int = -1, weight: Float = 1
        ) {
            let (k, b) = source.layer(of: l)
            let r = abs(c) * 0.5
            if light >= 0 && emitHiddenLight(light, r, x, y, rgb, layer: k, blend: b) { return }
            // Highlights (brighter than display white) keep full resolution: their discs are the
            // visible bokeh, and merging would move them and soften their rims. From each level's
            // radius R to 1.25·R a splat is shared between that level and the one below, so a rack
            // passing a threshold does not pop.
            // (Most splats are below the first level's radius: no division and no luminance for
            // them.)
            @inline(__always) func ramp(_ level: Int) -> Float {
                guard whole & (1 << level) != 0 else { return 0 }
                let rl = source.levelRadii[level &- 1]
                guard rl.isFinite, r > rl else { return 0 }
                return min((r - rl) / (0.25 * rl), 1)
            }
            let first = ramp(1)
            let bright = first > 0 && ColorTransfer.luminance(rgb.x, rgb.y, rgb.z) > PointLights.threshold
            let merged = bright ? 0 : first
            if merged > 0 {
                // The share still to place, from level 1 up: each level keeps what the next
                // coarser one does not take.
                var rest = merged
                for level in 1..<LayeredRenderer.levelCount {
                    let next = level &+ 1 < LayeredRenderer.levelCount ? ramp(level &+ 1) : 0
                    let here = rest * (1 - next)
                    if here > 0 {
                        for step in 0..<2 {
                            let share = (step == 0 ? 1 - b : b) * here * weight
                            if share > 0 { slots[level].add(layer: Int32(k &+ step), rgb, radius: r, share: share) }
                        }
                    }
                    rest *= next
                    if rest <= 0 { break }
                }
                if merged >= 1 { return }
            }
            let keep = 1 - merged
            let (kk, t) = source.kernel.position(radius: r)
            let inv = keep * weight / source.kernel.area(k: kk, t: t, x: x, y: y)
            for step in 0..<2 {
                let share = step == 0 ? 1 - b : b
                if share <= 0 { continue }
                let a = share * inv
                put(
                    Splat(
                        x: Int32(x), y: Int32(y), k: Int32(kk), t: t, value: SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a)),
                    list: 0, layer: k &+ step)
            }
        }
    }
}
