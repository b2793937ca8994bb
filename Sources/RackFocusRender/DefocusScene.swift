import Dispatch
import Foundation
import RackFocusImage
import RackFocusOptics

/// A frame ready to blur: linear colour, each pixel's signed circle of confusion, and the hidden
/// layer — what a real lens sees around the edge of a nearer object, which the sharp frame lacks.
///
/// Signed CoC diameters are in pixels of this frame (framed as at infinity focus; see
/// `Camera.frameBlurModel`): negative in front of the focus plane, positive behind; they increase
/// with distance, so sorting by CoC sorts by depth.
///
/// The hidden layer (see docs/render-model.md): pixels in front of focus on the near side of a
/// depth edge, within reach of the largest front-of-focus blur, get a second splat behind them
/// whose colour and CoC are filled in by pull-push from the pixels that are not near-side (the
/// background around the edge, lights entering at white).
public struct DefocusScene: Sendable {
    public let width: Int
    public let height: Int
    /// Linear RGB, 3 planes.
    public let color: [Float]
    /// Signed CoC diameter per pixel (px).
    public let coc: [Float]
    /// Pixel index of each hidden splat.
    public let hiddenIndex: [Int32]
    /// Hidden splat colours, interleaved RGB.
    public let hiddenColor: [Float]
    /// Hidden splat signed CoC diameters.
    public let hiddenCoC: [Float]
    /// Hidden splat weights (`uncovering` of the pixel in front).
    public let hiddenWeight: [Float]
    /// Largest splat radius (px).
    public let maxRadius: Float
    /// The lowest (nearest) CoC in the frame (px; 0 for an empty frame).
    public let nearestCoC: Float

    /// For each pixel, the index of the hidden splat behind it, or −1 (at most one per pixel).
    public func hiddenSplatByPixel() -> [Int32] {
        var at = [Int32](repeating: 0, count: width * height)
        at.withUnsafeMutableBufferPointer { hiddenSplatByPixel(into: $0) }
        return at
    }

    /// As `hiddenSplatByPixel()`, written into `at` (`width · height` values, all overwritten).
    func hiddenSplatByPixel(into at: UnsafeMutableBufferPointer<Int32>) {
        precondition(at.count == width * height)
        at.update(repeating: -1)
        hiddenIndex.withUnsafeBufferPointer { index in
            for j in 0..<index.count { at[Int(index[j])] = Int32(truncatingIfNeeded: j) }
        }
    }

    /// The largest blur-circle diameter drawn, px: the frame's diagonal.
    public static func cocLimit(width: Int, height: Int) -> Float {
        Float((Double(width * width + height * height)).squareRoot())
    }

    /// A depth step larger than this (in CoC diameter, px) between neighbours is a depth edge.
    public static let edgeThreshold: Float = 1
    /// How much an occluder of CoC c uncovers what is behind its edge (its hidden splats' weight):
    /// 1 in front of focus from c = −1 px, falling linearly to 0 at focus. Behind focus, rays that
    /// pass an occluder's edge land on background the frame already shows. A ramp, not a
    /// threshold, so that a rack passing a subject does not switch its hidden layer on in one
    /// frame (a pop), and a subject held exactly in focus (c = 0, or a rounding either side) adds
    /// nothing. (Counting sharp rims in part, up to c = 1 px, gained 1.5 dB edge-band PSNR on
    /// cycles-a at 1.5 m but cost 1 dB on scene B at 3.5 m, where it dilutes the lights just
    /// behind the ball's rim, and moved `analyze`'s blur-measured stop of the demo from f/1.9 to
    /// f/1.6: left out.)
    public static func uncovering(_ c: Float) -> Float { min(max(-c, 0), 1) }

    public init(
        image: PlanarImage, depth: PlanarImage, camera: Camera, focus: Distance, hiddenLayer: Bool = true,
        threads: Int = defaultThreadCount
    ) throws(RenderError) {
        guard image.width == depth.width, image.height == depth.height else {
            throw .sizeMismatch(image: (image.width, image.height), depth: (depth.width, depth.height))
        }
        precondition(image.channels == 3 && depth.channels == 1, "colour needs 3 planes and depth 1")
        let w = image.width, h = image.height, n = w * h
        let model = camera.frameBlurModel(focus: focus, frameWidth: w)
        let offset = Float(model.offsetPixels), slope = Float(model.pixelsPerDioptre)
        // A blur circle wider than the frame's diagonal is a uniform veil over the whole frame:
        // depth nearer than that (down to a depth map's 1e-9 m) is drawn at the diagonal, which
        // bounds the work and the memory (`cocLimit`).
        let limit = Self.cocLimit(width: w, height: h)
        var coc = [Float](repeating: 0, count: n)
        // Per band: the largest radius and the nearest CoC, or the first invalid depth.
        let bands = 16
        var bandMax = [Float](repeating: 0, count: bands), bandNearest = [Float](repeating: .infinity, count: bands)
        var bandBad = [Int](repeating: -1, count: bands)
        depth.data.withUnsafeBufferPointer { d in
            coc.withUnsafeMutableBufferPointer { c in
                bandMax.withUnsafeMutableBufferPointer { bm in
                    bandBad.withUnsafeMutableBufferPointer { bb in
                        bandNearest.withUnsafeMutableBufferPointer { bn in
                            let ctx = Shared((d, c, bm, bb, bn))
                            parallelFor(bands, threads: threads) { band in
                                let (d, c, bm, bb, bn) = ctx.value
                                var m: Float = 0, nearest = Float.infinity
                                for i in (n * band / bands)..<(n * (band + 1) / bands) {
                                    let z = d[i]
                                    guard z.isFinite, z > 0 else { bb[band] = i; return }
                                    let v = min(max(offset + slope / z, -limit), limit)
                                    c[i] = v
                                    m = max(m, abs(v))
                                    nearest = min(nearest, v)
                                }
                                bm[band] = m / 2
                                bn[band] = nearest
                            }
                        }
                    }
                }
            }
        }
        if let bad = bandBad.first(where: { $0 >= 0 }) {
            throw .badDepth(x: bad % w, y: bad / w, value: depth.data[bad])
        }
        var maxR = bandMax.max() ?? 0
        self.width = w
        self.height = h
        self.color = image.data
        self.coc = coc
        nearestCoC = n > 0 ? bandNearest.min()! : 0

        var hIndex: [Int32] = [], hColor: [Float] = [], hCoC: [Float] = []
        // Only an occluder in front of focus (or at it) uncovers what lies behind its edge, within
        // the largest such occluder's blur radius (at least half a pixel).
        let nearest = nearestCoC
        let frontReach = Self.uncovering(nearest) > 0 ? max(-nearest, 1) / 2 : 0
        if hiddenLayer && frontReach > 0 {
            (hIndex, hColor, hCoC) = Self.hiddenLayer(
                color: image.data, coc: coc, width: w, height: h, reach: frontReach, threads: threads)
            for c in hCoC { maxR = max(maxR, abs(c) / 2) }
        }
        self.hiddenIndex = hIndex
        self.hiddenColor = hColor
        self.hiddenCoC = hCoC
        self.hiddenWeight = hIndex.map { Self.uncovering(coc[Int($0)]) }
        self.maxRadius = maxR
    }

    static func hiddenLayer(color: [Float], coc: [Float], width w: Int, height h: Int, reach: Float, threads: Int)
        -> ([Int32], [Float], [Float])
    {
        let n = w * h, tau = edgeThreshold
        // Per 4×4 block: the farthest CoC, and whether a pixel in it is the near side of a depth
        // edge (a neighbour farther by more than tau). Block rows in parallel.
        let b = 4, bw = (w + b - 1) / b, bh = (h + b - 1) / b
        var blockFar = [Float](repeating: -.infinity, count: bw * bh)
        // Minus the nearest CoC per block (negated so that a maximum filter finds the nearest).
        var blockNear = [Float](repeating: -.infinity, count: bw * bh)
        var blockEdge = [Float](repeating: 0, count: bw * bh)
        coc.withUnsafeBufferPointer { c in
            blockFar.withUnsafeMutableBufferPointer { bf in
                blockNear.withUnsafeMutableBufferPointer { bn in
                    blockEdge.withUnsafeMutableBufferPointer { be in
                        let ctx = Shared((c, bf, be, bn))
                        parallelFor(bh, threads: threads) { by in
                            let (c, bf, be, bn) = ctx.value
                            // The 3×3 maximum, separably: the horizontal maximum of each row the
                            // block's rows touch, then the vertical maximum of three of those.
                            let yTop = max(by &* b &- 1, 0), yBottom = min(by &* b &+ b, h &- 1)
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: (b &+ 2) &* w) { rowMax in
                                let rm = rowMax.baseAddress!
                                for y in yTop...yBottom {
                                    let src = c.baseAddress! + y &* w, dst = rm + (y &- yTop) &* w
                                    // The ends clamped, the inside in straight lines (vectorised).
                                    dst[0] = max(src[0], src[min(1, w &- 1)])
                                    if w > 2 {
                                        for x in 1..<(w &- 1) { dst[x] = max(src[x &- 1], max(src[x], src[x &+ 1])) }
                                    }
                                    if w > 1 { dst[w &- 1] = max(src[w &- 2], src[w &- 1]) }
                                }
                                for y in (by &* b)..<min(by &* b &+ b, h) {
                                    let above = rm + (max(y &- 1, 0) &- yTop) &* w, here = rm + (y &- yTop) &* w,
                                        below = rm + (min(y &+ 1, h &- 1) &- yTop) &* w
                                    let src = c.baseAddress! + y &* w
                                    var bx = 0
                                    while bx &* b < w {
                                        var near = -Float.infinity, step = -Float.infinity, nearest = Float.infinity
                                        for x in (bx &* b)..<min(bx &* b &+ b, w) {
                                            let v = src[x]
                                            near = max(near, v)
                                            nearest = min(nearest, v)
                                            step = max(step, max(above[x], max(here[x], below[x])) - v)
                                        }
                                        let k = by &* bw &+ bx
                                        if near > bf[k] { bf[k] = near }
                                        if -nearest > bn[k] { bn[k] = -nearest }
                                        if step > tau { be[k] = 1 }
                                        bx &+= 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard blockEdge.contains(where: { $0 > 0 }) else { return ([], [], []) }
        // Grow the edge into the near side as far as the largest blur can reveal. Both the
        // farthest CoC within reach and the grown edge are computed on the block maxima with a
        // window one block wider than the reach (conservative: never smaller than exact).
        let radius = Int((reach / Float(b)).rounded(.up)) + 1
        let farthest = MaxFilter.apply(blockFar, width: bw, height: bh, radius: radius, threads: threads)
        let grown = MaxFilter.apply(blockEdge, width: bw, height: bh, radius: radius, threads: threads)
        // What a hole reveals lies behind the occluder, so the occluder does not feed the fill:
        // a pixel in front of focus that is the nearest thing within twice the reach (by tau),
        // with something farther there, is left out of it (twice: a hole's fill is drawn from
        // about that far). A surface behind an occluder still feeds it.
        let farther = MaxFilter.apply(blockFar, width: bw, height: bh, radius: 2 * radius, threads: threads)
        let nearer = MaxFilter.apply(blockNear, width: bw, height: bh, radius: 2 * radius, threads: threads)
        // Holes: pixels with something farther within reach, by more than tau. A mask (1: hole,
        // 2: left out of the fill) and the holes per band of rows, in parallel.
        let bands = min(16, h)
        var hole = [UInt8](repeating: 0, count: n)
        var bandHoles = [Int](repeating: 0, count: bands)
        coc.withUnsafeBufferPointer { c in
            hole.withUnsafeMutableBufferPointer { hm in
                bandHoles.withUnsafeMutableBufferPointer { bhc in
                    farthest.withUnsafeBufferPointer { far in
                        grown.withUnsafeBufferPointer { g in
                            farther.withUnsafeBufferPointer { far2 in
                                nearer.withUnsafeBufferPointer { near2 in
                                    let ctx = Shared((c, hm, bhc, far, g, far2, near2))
                                    parallelFor(bands, threads: threads) { band in
                                        let (c, hm, bhc, far, g, far2, near2) = ctx.value
                                        var count = 0
                                        for y in (h * band / bands)..<(h * (band + 1) / bands) {
                                            let row = (y / b) &* bw
                                            for x in 0..<w {
                                                let i = y &* w &+ x, k = row &+ x / b
                                                guard Self.uncovering(c[i]) > 0 else { continue }
                                                if g[k] > 0.5 && far[k] - c[i] > tau {
                                                    hm[i] = 1; count &+= 1
                                                } else if far2[k] - c[i] > tau && c[i] + near2[k] < tau {
                                                    hm[i] = 2
                                                }
                                            }
                                        }
                                        bhc[band] = count
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let holes = bandHoles.reduce(0, +)
        guard holes > 0 else { return ([], [], []) }
        // Fill colour and CoC behind the holes from everything else (pull-push from half
        // resolution; the hidden layer is a smooth extension of the background).
        let hw = (w + 1) / 2, hh2 = (h + 1) / 2, hn = hw * hh2
        var half = [Float](repeating: 0, count: 4 * hn), halfValid = [Bool](repeating: false, count: hn)
        color.withUnsafeBufferPointer { col in
            coc.withUnsafeBufferPointer { c in
                hole.withUnsafeBufferPointer { hm in
                    half.withUnsafeMutableBufferPointer { hf in
                        halfValid.withUnsafeMutableBufferPointer { hv in
                            let ctx = Shared((col, c, hm, hf, hv))
                            parallelFor(min(16, hh2), threads: threads) { band in
                                let (col, c, hm, hf, hv) = ctx.value
                                let bands = min(16, hh2)
                                for y in (hh2 * band / bands)..<(hh2 * (band + 1) / bands) {
                                    for x in 0..<hw {
                                        var sum = SIMD4<Float>.zero, count: Float = 0
                                        for q in 0..<4 {
                                            let sx = 2 &* x &+ (q & 1), sy = 2 &* y &+ (q >> 1)
                                            guard sx < w, sy < h else { continue }
                                            let i = sy &* w &+ sx
                                            guard hm[i] == 0 else { continue }
                                            // Lights enter the fill at white: behind an edge they
                                            // show only through their own splats.
                                            var v = SIMD4(col[i], col[n &+ i], col[2 &* n &+ i], c[i])
                                            let luma = ColorTransfer.luminance(v.x, v.y, v.z)
                                            if luma > 1 {
                                                let k = 1 / luma
                                                v.x *= k; v.y *= k; v.z *= k
                                            }
                                            sum += v
                                            count += 1
                                        }
                                        let k = y &* hw &+ x
                                        if count > 0 {
                                            let v = sum / count
                                            hf[k] = v.x; hf[hn &+ k] = v.y; hf[2 &* hn &+ k] = v.z;
                                            hf[3 &* hn &+ k] = v.w
                                            hv[k] = true
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let filled = PullPush.fill(
            planes: half, channels: 4, width: hw, height: hh2, valid: halfValid, threads: threads)
        // The holes in pixel order, each band writing its own slice.
        var index = [Int32](repeating: 0, count: holes), rgb = [Float](repeating: 0, count: 3 * holes),
            hc = [Float](repeating: 0, count: holes)
        var bandStart = [Int](repeating: 0, count: bands)
        for band in 1..<max(1, bands) { bandStart[band] = bandStart[band - 1] + bandHoles[band - 1] }
        coc.withUnsafeBufferPointer { c in
            hole.withUnsafeBufferPointer { hm in
                filled.withUnsafeBufferPointer { filled in
                    index.withUnsafeMutableBufferPointer { index in
                        rgb.withUnsafeMutableBufferPointer { rgb in
                            hc.withUnsafeMutableBufferPointer { hc in
                                let ctx = Shared((c, hm, filled, index, rgb, hc, bandStart))
                                parallelFor(bands, threads: threads) { band in
                                    let (c, hm, filled, index, rgb, hc, bandStart) = ctx.value
                                    var j = bandStart[band]
                                    for y in (h * band / bands)..<(h * (band + 1) / bands) {
                                        // Bilinear sample of the half-resolution fill at each hole's centre.
                                        let fy = min(max((Float(y) + 0.5) / 2 - 0.5, 0), Float(hh2 - 1))
                                        let y0 = Int(fy), y1 = min(y0 + 1, hh2 - 1), ty = fy - Float(y0)
                                        for x in 0..<w where hm[y &* w &+ x] == 1 {
                                            let fx = min(max((Float(x) + 0.5) / 2 - 0.5, 0), Float(hw - 1))
                                            let x0 = Int(fx), x1 = min(x0 + 1, hw - 1), tx = fx - Float(x0)
                                            func sample(_ ch: Int) -> Float {
                                                let o = ch &* hn
                                                let top =
                                                    filled[o &+ y0 &* hw &+ x0] * (1 - tx) + filled[o &+ y0 &* hw &+ x1]
                                                    * tx
                                                let bottom =
                                                    filled[o &+ y1 &* hw &+ x0] * (1 - tx) + filled[o &+ y1 &* hw &+ x1]
                                                    * tx
                                                return top * (1 - ty) + bottom * ty
                                            }
                                            let i = y &* w &+ x
                                            index[j] = Int32(i)
                                            rgb[3 &* j] = sample(0); rgb[3 &* j &+ 1] = sample(1);
                                            rgb[3 &* j &+ 2] = sample(2)
                                            hc[j] = max(sample(3), c[i] + tau)
                                            j &+= 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (index, rgb, hc)
    }
}
