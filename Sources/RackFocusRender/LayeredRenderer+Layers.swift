import RackFocusImage

extension LayeredRenderer {
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
                }
            }
        }
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
                                    let source = ChunkSource(
                                        width: w, height: h, coc: cocP, color: colP, hiddenCoC: hcP, hiddenColor: hcolP,
                                        coordinate: coordP, hiddenAt: hiddenAtP, lowestLayer: lo, layerCount: count,
                                        halfRadius: halfResolutionRadius, kernel: kernel)
                                    let ctx = Shared((r, source))
                                    parallelFor(chunks, threads: threads) { c in
                                        let (r, source) = ctx.value
                                        var builder = ChunkBuilder(source: source)
                                        builder.build(
                                            blockRows: (blockRows * c / chunks)..<(blockRows * (c + 1) / chunks))
                                        r[c] = (builder.fine, builder.coarse)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Place every chunk's splats straight into their layer's range: counts per (chunk, layer),
        // prefix sums for the offsets, then each chunk writes its own slots in parallel. Within a
        // layer, chunks follow each other in block-row order.
        func place(coarse: Bool) -> ([Int], [Splat]) {
            var counts = [Int](repeating: 0, count: chunks * count)
            for c in 0..<chunks {
                for e in (coarse ? results[c].1 : results[c].0) { counts[c * count + Int(e.layer)] += 1 }
            }
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
                    }
                }
            }
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
                        emit(
                            source.coc[i], source.coordinate[i], i,
                            SIMD3(source.color[i], source.color[n &+ i], source.color[2 &* n &+ i]), mergeable: whole)
                        let j = Int(source.hiddenAt[i])
                        if j >= 0 {
                            emit(
                                source.hiddenCoC[j], source.coordinate[n &+ j], i,
                                SIMD3(
                                    source.hiddenColor[3 &* j], source.hiddenColor[3 &* j &+ 1],
                                    source.hiddenColor[3 &* j &+ 2]),
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
                        coarse.append(
                            (
                                slotLayer[slot],
                                Splat(
                                    x: Int32(bx), y: Int32(by), k: Int32(kk), t: t,
                                    value: SIMD4(v.x * a, v.y * a, v.z * a, v.w * a))
                            ))
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
                    if slot == slots {
                        slotLayer[slot] = layer; slotValue[slot] = .zero; slotRadius[slot] = 0; slots &+= 1
                    }
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
                fine.append(
                    (Int32(k), Splat(x: x, y: y, k: Int32(kk), t: t, value: SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a))))
            }
            if b > 0 {
                let a = b * inv
                fine.append(
                    (
                        Int32(k &+ 1),
                        Splat(x: x, y: y, k: Int32(kk), t: t, value: SIMD4(rgb.x * a, rgb.y * a, rgb.z * a, a))
                    ))
            }
        }
    }
}
