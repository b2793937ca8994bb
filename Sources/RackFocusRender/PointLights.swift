import RackFocusImage

/// Small lights (isolated highlights) and the part of their disc a lens shows.
///
/// A light partly behind a nearer subject is not a faded disc: the subject's edge blocks part of
/// the aperture, so the disc is cut by a sharp line (a bite). Both renderers give each point
/// light's splat this visibility: the footprint pixel at offset o from the light is kept only if
/// the ray from the light through the aperture point that lands there passes no nearer surface in
/// the frame. That ray crosses the frame at q = p + λ·o where a surface of CoC c(λ) = c_L·(1 − λ)
/// lies on it (λ from 0 at the light, through 1 at the footprint pixel itself, to the nearest CoC
/// around the light); it is blocked where the depth map holds something nearer than that, fully
/// from 1 px of CoC nearer and in proportion below (`visibility`). Extended bright regions (a sky) are surfaces, not point lights, and keep the
/// plain footprint.
public struct PointLights: Sendable {
    /// Per pixel: whether it is a point light.
    public let isLight: [Bool]
    /// Whether any pixel is one.
    public let any: Bool
    let coc: [Float]
    let width: Int, height: Int

    /// Luminance above which a pixel is a light (display white).
    public static let threshold: Float = 1
    /// At most this many bright pixels in the 5×5 window around one: more is a bright surface.
    public static let isolation = 12
    /// A light is traced only if something around it is nearer by this much (CoC, px).
    static let margin: Float = 0.5

    public init(scene: DefocusScene, threads: Int = defaultThreadCount) {
        let w = scene.width, h = scene.height, n = w * h
        // Bright pixels, then the isolated ones among them, in bands of rows on every core.
        let bands = max(1, min(16, h))
        var bright = [Bool](repeating: false, count: n)
        var light = [Bool](repeating: false, count: n)
        var bandFound = [Bool](repeating: false, count: bands)
        scene.color.withUnsafeBufferPointer { c in
            bright.withUnsafeMutableBufferPointer { b in
                bandFound.withUnsafeMutableBufferPointer { f in
                    let ctx = Shared((c, b, f))
                    parallelFor(bands, threads: threads) { band in
                        let (c, b, f) = ctx.value
                        // Every pixel written (straight-line code the compiler vectorises).
                        var any: UInt8 = 0
                        for i in (h * band / bands &* w)..<(h * (band + 1) / bands &* w) {
                            let isBright = ColorTransfer.luminance(c[i], c[n &+ i], c[2 &* n &+ i]) > Self.threshold
                            b[i] = isBright
                            any |= isBright ? 1 : 0
                        }
                        f[band] = any != 0
                    }
                }
            }
        }
        if bandFound.contains(true) {
            bright.withUnsafeBufferPointer { b in
                light.withUnsafeMutableBufferPointer { l in
                    bandFound.withUnsafeMutableBufferPointer { f in
                        let ctx = Shared((b, l, f))
                        parallelFor(bands, threads: threads) { band in
                            let (b, l, f) = ctx.value
                            f[band] = false
                            for y in (h * band / bands)..<(h * (band + 1) / bands) {
                                Self.forEachSet(b, in: (y &* w)..<(y &* w &+ w)) { i in
                                    let x = i &- y &* w
                                    var count = 0
                                    for sy in max(0, y &- 2)...min(h &- 1, y &+ 2) {
                                        for sx in max(0, x &- 2)...min(w &- 1, x &+ 2) where b[sy &* w &+ sx] {
                                            count &+= 1
                                        }
                                    }
                                    if count <= Self.isolation { l[i] = true; f[band] = true }
                                }
                            }
                        }
                    }
                }
            }
        }
        let found = bandFound.contains(true)
        func luma(_ i: Int) -> Float {
            ColorTransfer.luminance(scene.color[i], scene.color[n + i], scene.color[2 * n + i])
        }
        isLight = light
        any = found
        coc = scene.coc
        width = w
        height = h
        // How far each light's rays must be followed: until they pass the nearest CoC around the
        // light (from a map of 8×8 block minima), not the nearest in the frame. A light with
        // nothing nearer around it is seen whole, and most rays stop after a few pixels.
        var reachOf: [Int32: Float] = [:]
        if found {
            let b = 8, bw = (w + b - 1) / b, bh = (h + b - 1) / b
            var blockMin = [Float](repeating: .infinity, count: bw * bh)
            scene.coc.withUnsafeBufferPointer { c in
                blockMin.withUnsafeMutableBufferPointer { m in
                    let ctx = Shared((c, m))
                    forEachBand(height: bh, bands: threads * 4, threads: threads) { blockRows in
                        let (c, m) = ctx.value
                        for y in (blockRows.lowerBound &* b)..<min(blockRows.upperBound &* b, h) {
                            let row = c.baseAddress! + y &* w, blocks = m.baseAddress! + (y / b) &* bw
                            // Whole blocks as one vector (the lanes' minimum is exact whatever their order).
                            let whole = w / b
                            for bx in 0..<whole {
                                let v = UnsafeRawPointer(row + bx &* b).loadUnaligned(as: SIMD8<Float>.self)
                                let m = min(
                                    min(min(v[0], v[1]), min(v[2], v[3])), min(min(v[4], v[5]), min(v[6], v[7])))
                                blocks[bx] = min(blocks[bx], m)
                            }
                            for bx in whole..<bw {
                                var v = blocks[bx]
                                for x in (bx &* b)..<min(bx &* b &+ b, w) { v = min(v, row[x]) }
                                blocks[bx] = v
                            }
                        }
                    }
                }
            }
            let frameNearest = scene.nearestCoC
            // The lights in pixel order.
            var lights: [Int] = []
            light.withUnsafeBufferPointer { l in Self.forEachSet(l, in: 0..<n) { lights.append($0) } }
            for i in lights {
                let cL = scene.coc[i]
                guard abs(cL) > 1 else { continue }
                let farthest = 1 - frameNearest / cL
                let extent = Int((abs(cL) / 2 + 1) * abs(farthest)) + 1
                let x = i % w, y = i / w
                var local = Float.infinity
                for by in max(0, (y - extent) / b)...min(bh - 1, (y + extent) / b) {
                    for bx in max(0, (x - extent) / b)...min(bw - 1, (x + extent) / b) {
                        local = min(local, blockMin[by * bw + bx])
                    }
                }
                let last = 1 - local / cL
                if local < cL - Self.margin || (cL < 0 && local < cL) { reachOf[Int32(i)] = last }
            }
            // Each traced light costs its footprint times its rays' length: the brightest are
            // traced until `tracingBudget` ray steps are spent, the rest keep the plain footprint
            // (a frame of glitter would otherwise take minutes).
            var spent = 0.0
            var kept: [Int32: Float] = [:]
            for i in reachOf.keys.sorted(by: { (luma(Int($0)), $1) > (luma(Int($1)), $0) }) {
                let r = Double(abs(scene.coc[Int(i)]) / 2 + 1), last = Double(abs(reachOf[i]!))
                spent += (2 * r + 1) * (2 * r + 1) * (2 * r * last + 1)
                if spent > Self.tracingBudget { break }
                kept[i] = reachOf[i]
            }
            reachOf = kept
        }
        rayReach = reachOf
    }

    /// Calls `body(i)` for every i in `range` where `flags[i]` is set, in order: eight flags at a
    /// time where none is (most of a frame has no light).
    @inline(__always)
    static func forEachSet(_ flags: UnsafeBufferPointer<Bool>, in range: Range<Int>, _ body: (Int) -> Void) {
        guard !range.isEmpty else { return }
        let raw = UnsafeRawPointer(flags.baseAddress!)
        var i = range.lowerBound
        while i < range.upperBound {
            if i &+ 8 <= range.upperBound && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 {
                i &+= 8
                continue
            }
            if flags[i] { body(i) }
            i &+= 1
        }
    }

    /// The most ray steps a frame spends on its lights (about a quarter of a second on one core).
    public static let tracingBudget = 1.5e8

    /// How many lights of this frame are traced.
    public var tracedCount: Int { rayReach.count }

    /// Per light that something nearer may hide: how far (in λ) its rays are followed.
    let rayReach: [Int32: Float]

    /// Whether part of the light at pixel `i` may be hidden (false: its whole disc is seen).
    public func mayBeHidden(_ i: Int) -> Bool { rayReach[Int32(i)] != nil }

    /// Whether the footprint pixel at offset (dx, dy) from the light at pixel `i` receives at
    /// least half of it.
    public func visible(_ i: Int, dx: Int, dy: Int) -> Bool { visibility(i, dx: dx, dy: dy) >= 0.5 }

    /// How much of the light at pixel `i` the footprint pixel at offset (dx, dy) receives, 0 to 1:
    /// a surface nearer than the ray by d px of CoC blocks min(d, 1) of it, so the cut moves
    /// smoothly as focus moves (no flicker along it during a rack); half at ½ px.
    public func visibility(_ i: Int, dx: Int, dy: Int) -> Float {
        let cL = coc[i]
        let ox = Float(dx), oy = Float(dy)
        let length = (ox * ox + oy * oy).squareRoot()
        guard length >= 1, abs(cL) > 1 else { return 1 }
        // λ runs until the ray's CoC passes the nearest around the light, half a pixel per step:
        // toward the footprint pixel for a light behind focus, away from it in front (the disc
        // is inverted there).
        guard let last = rayReach[Int32(i)], last != 0 else { return 1 }
        // Half-pixel steps; each pixel met is tested against the ray's depth where it entered
        // that pixel (the ray's deepest point there), so a thin window between the ray entering
        // a nearer surface and passing in front of it is not stepped over.
        let step = (last > 0 ? 0.5 : -0.5) / length
        let px = Float(i % width), py = Float(i / width)
        var lambda = step, blocked: Float = 0
        while abs(lambda) <= abs(last) + abs(step) {
            let qx = Int((px + lambda * ox).rounded()), qy = Int((py + lambda * oy).rounded())
            guard qx >= 0, qx < width, qy >= 0, qy < height else { break }
            blocked = max(blocked, min(max(cL * (1 - (lambda - step)) - coc[qy * width + qx], 0), 1))
            if blocked >= 1 { return 0 }
            lambda += step
        }
        return 1 - blocked
    }
}
