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

    /// As `hiddenSplatByPixel()`, written into `at` (`width · height` values, all overwritten;
    /// cleared in parts across `threads`).
    func hiddenSplatByPixel(into at: UnsafeMutableBufferPointer<Int32>, threads: Int = 1) {
        let n = width * height
        precondition(at.count == n)
        let parts = max(1, min(16, n / 65536))
        let out = Shared(at)
        parallelFor(parts, threads: threads) { part in
            let range = (n * part / parts)..<(n * (part + 1) / parts)
            UnsafeMutableBufferPointer(rebasing: out.value[range]).update(repeating: -1)
        }
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
        // Not cleared first: the bands write every value, or the frame is refused.
        var coc = [Float](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
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
                                let range = (n * band / bands)..<(n * (band + 1) / bands)
                                // An empty band keeps its 0 and ∞ (an empty frame has no storage).
                                guard !range.isEmpty else { return }
                                guard
                                    let (m, nearest) = Self.cocs(
                                        depth: d.baseAddress! + range.lowerBound,
                                        into: c.baseAddress! + range.lowerBound,
                                        count: range.count, offset: offset, slope: slope, limit: limit)
                                else {
                                    bb[band] = range.first { !(d[$0].isFinite && d[$0] > 0) }!
                                    return
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

    /// Signed CoC diameters min(max(offset + slope / z, −limit), limit) of `count` depths, eight
    /// at a time; returns the largest |CoC| and the lowest CoC, or nil when a depth is not a
    /// positive finite number (then what was written is partial).
    static func cocs(
        depth d: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>, count: Int, offset: Float, slope: Float,
        limit: Float
    ) -> (largest: Float, lowest: Float)? {
        let o = SIMD8<Float>(repeating: offset), s = SIMD8<Float>(repeating: slope)
        let lo = SIMD8<Float>(repeating: -limit), hi = SIMD8<Float>(repeating: limit)
        var m = SIMD8<Float>.zero, nearest = SIMD8<Float>(repeating: .infinity)
        var i = 0
        while i &+ 8 <= count {
            let z = UnsafeRawPointer(d + i).loadUnaligned(as: SIMD8<Float>.self)
            // Positive and finite: NaN fails both comparisons.
            guard all(z .> 0 .& z .< .infinity) else { return nil }
            // (Comparisons and blends: `pointwiseMin`/`Max` and `clamped` are calls per vector.)
            var v = o + s / z
            v.replace(with: lo, where: v .< lo)
            v.replace(with: hi, where: v .> hi)
            UnsafeMutableRawPointer(c + i).storeBytes(of: v, as: SIMD8<Float>.self)
            let magnitude = unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: SIMD8<Float>.self)
            m.replace(with: magnitude, where: magnitude .> m)
            nearest.replace(with: v, where: v .< nearest)
            i &+= 8
        }
        var largest = m.max(), lowest = nearest.min()
        while i < count {
            let z = d[i]
            guard z.isFinite, z > 0 else { return nil }
            let v = min(max(offset + slope / z, -limit), limit)
            c[i] = v
            largest = max(largest, abs(v))
            lowest = min(lowest, v)
            i &+= 1
        }
        return (largest, lowest)
    }
}
