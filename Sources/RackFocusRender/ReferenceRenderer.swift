import RackFocusImage

/// The oracle: the lens-blur model computed literally, one output pixel at a time.
///
/// For each output pixel it lists every splat whose footprint covers it (visible pixels and
/// hidden-layer splats), with the footprint weight from `ApertureKernel` (its cat's eye, if any,
/// clipping each splat where it sits and its area computed anew per splat), sorts them front to
/// back by signed CoC (= by depth), and accumulates them until the pixel is full: each splat
/// adds `min(weight, remaining)` of its colour. A point light's footprint keeps only the pixels
/// its rays reach past nearer surfaces (`PointLights`). Beyond the frame's edge the scene continues with
/// the edge pixels' CoC: those splats take their share of coverage in depth order but carry no
/// colour (what lies outside the frame is unknown). The colour found is divided by the coverage
/// that carried colour (renormalisation). O(pixels × max footprint) with a sort per pixel: slow,
/// and simple enough to check line by line against docs/render-model.md.
public enum ReferenceRenderer {
    /// A splat covering the pixel; `coloured` is false for one beyond the frame's edge.
    struct Entry { var coc: Float; var weight: Float; var r: Float; var g: Float; var b: Float; var coloured = true }

    /// Linear RGB planes of the blurred frame.
    public static func render(scene: DefocusScene, kernel: ApertureKernel, threads: Int = defaultThreadCount) -> [Float]
    {
        let w = scene.width, h = scene.height, n = w * h
        let hiddenAt = scene.hiddenSplatByPixel()
        let lights = PointLights(scene: scene, threads: threads)
        var out = [Float](repeating: 0, count: 3 * n)
        let reach = Int(scene.maxRadius.rounded(.up)) + 1
        let shared = Shared((scene, kernel, hiddenAt, lights))
        out.withUnsafeMutableBufferPointer { o in
            let dst = Shared(o)
            forEachBand(height: h, bands: threads * 8, threads: threads) { rows in
                let (scene, kernel, hiddenAt, lights) = shared.value
                var entries: [Entry] = []
                entries.reserveCapacity((2 * reach + 1) * (2 * reach + 1) * 2)
                for y in rows {
                    for x in 0..<w {
                        entries.removeAll(keepingCapacity: true)
                        for sy in (y - reach)...(y + reach) {
                            for sx in (x - reach)...(x + reach) {
                                guard sx >= 0, sx < w, sy >= 0, sy < h else {
                                    // Beyond the edge: the nearest edge pixel's CoC, no colour.
                                    let c = scene.coc[min(max(sy, 0), h - 1) * w + min(max(sx, 0), w - 1)]
                                    let wv = kernel.weight(radius: abs(c) / 2, x: sx, y: sy, dx: x - sx, dy: y - sy)
                                    if wv > 0 {
                                        entries.append(Entry(coc: c, weight: wv, r: 0, g: 0, b: 0, coloured: false))
                                    }
                                    continue
                                }
                                let i = sy * w + sx
                                var wv = kernel.weight(
                                    radius: abs(scene.coc[i]) / 2, x: sx, y: sy, dx: x - sx, dy: y - sy)
                                if wv > 0 && lights.isLight[i] { wv *= lights.visibility(i, dx: x - sx, dy: y - sy) }
                                if wv > 0 {
                                    entries.append(
                                        Entry(
                                            coc: scene.coc[i], weight: wv, r: scene.color[i],
                                            g: scene.color[n + i], b: scene.color[2 * n + i]))
                                }
                                let j = Int(hiddenAt[i])
                                if j >= 0 {
                                    let hc = scene.hiddenCoC[j]
                                    let hw =
                                        kernel.weight(radius: abs(hc) / 2, x: sx, y: sy, dx: x - sx, dy: y - sy)
                                        * scene.hiddenWeight[j]
                                    if hw > 0 {
                                        entries.append(
                                            Entry(
                                                coc: hc, weight: hw, r: scene.hiddenColor[3 * j],
                                                g: scene.hiddenColor[3 * j + 1], b: scene.hiddenColor[3 * j + 2]))
                                    }
                                }
                            }
                        }
                        entries.sort { $0.coc < $1.coc }
                        var remaining: Float = 1, r: Float = 0, g: Float = 0, b: Float = 0, filled: Float = 0
                        for e in entries {
                            let take = min(e.weight, remaining)
                            r += take * e.r; g += take * e.g; b += take * e.b
                            if e.coloured { filled += take }
                            remaining -= take
                            if remaining <= 0 { break }
                        }
                        let i = y * w + x
                        if filled > 1e-6 {
                            dst.value[i] = r / filled; dst.value[n + i] = g / filled; dst.value[2 * n + i] = b / filled
                        } else {
                            dst.value[i] = scene.color[i]; dst.value[n + i] = scene.color[n + i];
                            dst.value[2 * n + i] = scene.color[2 * n + i]
                        }
                    }
                }
            }
        }
        return out
    }
}
