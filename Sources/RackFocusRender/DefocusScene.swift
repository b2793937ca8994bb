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
/// The hidden layer (see docs/render-model.md): pixels on the near side of a depth edge, within
/// reach of the largest blur, get a second splat behind them whose colour and CoC are filled in by
/// pull-push from the pixels that are not near-side (the background around the edge).
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
    /// Largest splat radius (px).
    public let maxRadius: Float

    /// For each pixel, the index of the hidden splat behind it, or −1 (at most one per pixel).
    public func hiddenSplatByPixel() -> [Int32] {
        var at = [Int32](repeating: -1, count: width * height)
        for (j, i) in hiddenIndex.enumerated() { at[Int(i)] = Int32(j) }
        return at
    }

    /// A depth step larger than this (in CoC diameter, px) between neighbours is a depth edge.
    public static let edgeThreshold: Float = 1

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
        var coc = [Float](repeating: 0, count: n)
        // Per band: the largest radius, or the first invalid depth.
        let bands = 16
        var bandMax = [Float](repeating: 0, count: bands)
        var bandBad = [Int](repeating: -1, count: bands)
        depth.data.withUnsafeBufferPointer { d in
            coc.withUnsafeMutableBufferPointer { c in
                bandMax.withUnsafeMutableBufferPointer { bm in
                    bandBad.withUnsafeMutableBufferPointer { bb in
                        let ctx = Shared((d, c, bm, bb))
                        parallelFor(bands, threads: threads) { band in
                            let (d, c, bm, bb) = ctx.value
                            var m: Float = 0
                            for i in (n * band / bands)..<(n * (band + 1) / bands) {
                                let z = d[i]
                                guard z.isFinite, z > 0 else { bb[band] = i; return }
                                let v = offset + slope / z
                                c[i] = v
                                m = max(m, abs(v))
                            }
                            bm[band] = m / 2
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

        var hIndex: [Int32] = [], hColor: [Float] = [], hCoC: [Float] = []
        if hiddenLayer {
            (hIndex, hColor, hCoC) = Self.hiddenLayer(
                color: image.data, coc: coc, width: w, height: h, reach: maxR, threads: threads)
            for c in hCoC { maxR = max(maxR, abs(c) / 2) }
        }
        self.hiddenIndex = hIndex
        self.hiddenColor = hColor
        self.hiddenCoC = hCoC
        self.maxRadius = maxR
    }

    static func hiddenLayer(color: [Float], coc: [Float], width w: Int, height h: Int, reach: Float, threads: Int)
        -> ([Int32], [Float], [Float])
    {
        let n = w * h, tau = edgeThreshold
        // Near side of a depth edge: a neighbour is farther by more than tau.
        var edge = [Bool](repeating: false, count: n)
        coc.withUnsafeBufferPointer { c in
            edge.withUnsafeMutableBufferPointer { e in
                let ctx = Shared((c, e))
                parallelFor(16, threads: threads) { band in
                    let (c, e) = ctx.value
                    for y in (h * band / 16)..<(h * (band + 1) / 16) {
                        let ya = max(y - 1, 0), yb = min(y + 1, h - 1)
                        for x in 0..<w {
                            let xa = max(x - 1, 0), xb = min(x + 1, w - 1)
                            var far = c[ya &* w &+ xa]
                            for yy in ya...yb { for xx in xa...xb { far = max(far, c[yy &* w &+ xx]) } }
                            e[y &* w &+ x] = far - c[y &* w &+ x] > tau
                        }
                    }
                }
            }
        }
        let anyEdge = edge.contains(true)
        guard anyEdge else { return ([], [], []) }
        // Grow the edge into the near side as far as the largest blur can reveal. Both the
        // farthest CoC within reach and the grown edge are computed on 4×4 block maxima with a
        // window one block wider than the reach (conservative: never smaller than exact).
        let b = 4, bw = (w + b - 1) / b, bh = (h + b - 1) / b
        var blockFar = [Float](repeating: -.infinity, count: bw * bh)
        var blockEdge = [Float](repeating: 0, count: bw * bh)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x, k = (y / b) * bw + x / b
                blockFar[k] = max(blockFar[k], coc[i])
                if edge[i] { blockEdge[k] = 1 }
            }
        }
        let radius = Int((reach / Float(b)).rounded(.up)) + 1
        let farthest = MaxFilter.apply(blockFar, width: bw, height: bh, radius: radius)
        let grown = MaxFilter.apply(blockEdge, width: bw, height: bh, radius: radius)
        var hole = [Bool](repeating: false, count: n)
        var holes = 0
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x, k = (y / b) * bw + x / b
                if grown[k] > 0.5 && farthest[k] - coc[i] > tau { hole[i] = true; holes += 1 }
            }
        }
        guard holes > 0 else { return ([], [], []) }
        // Fill colour and CoC behind the holes from everything else (pull-push from half
        // resolution; the hidden layer is a smooth extension of the background).
        let hw = (w + 1) / 2, hh2 = (h + 1) / 2, hn = hw * hh2
        var half = [Float](repeating: 0, count: 4 * hn), halfValid = [Bool](repeating: false, count: hn)
        for y in 0..<hh2 {
            for x in 0..<hw {
                var sum = SIMD4<Float>.zero, count: Float = 0
                for q in 0..<4 {
                    let sx = 2 * x + (q & 1), sy = 2 * y + (q >> 1)
                    guard sx < w, sy < h else { continue }
                    let i = sy * w + sx
                    guard !hole[i] else { continue }
                    sum += SIMD4(color[i], color[n + i], color[2 * n + i], coc[i])
                    count += 1
                }
                let k = y * hw + x
                if count > 0 {
                    let v = sum / count
                    half[k] = v.x; half[hn + k] = v.y; half[2 * hn + k] = v.z; half[3 * hn + k] = v.w
                    halfValid[k] = true
                }
            }
        }
        let filled = PullPush.fill(planes: half, channels: 4, width: hw, height: hh2, valid: halfValid)
        var index: [Int32] = [], rgb: [Float] = [], hc: [Float] = []
        index.reserveCapacity(holes); rgb.reserveCapacity(3 * holes); hc.reserveCapacity(holes)
        for i in 0..<n where hole[i] {
            let x = i % w, y = i / w
            // Bilinear sample of the half-resolution fill at this pixel's centre.
            let fx = min(max((Float(x) + 0.5) / 2 - 0.5, 0), Float(hw - 1)),
                fy = min(max((Float(y) + 0.5) / 2 - 0.5, 0), Float(hh2 - 1))
            let x0 = Int(fx), y0 = Int(fy), x1 = min(x0 + 1, hw - 1), y1 = min(y0 + 1, hh2 - 1)
            let tx = fx - Float(x0), ty = fy - Float(y0)
            func sample(_ c: Int) -> Float {
                let o = c * hn
                let top = filled[o + y0 * hw + x0] * (1 - tx) + filled[o + y0 * hw + x1] * tx
                let bottom = filled[o + y1 * hw + x0] * (1 - tx) + filled[o + y1 * hw + x1] * tx
                return top * (1 - ty) + bottom * ty
            }
            index.append(Int32(i))
            rgb.append(sample(0)); rgb.append(sample(1)); rgb.append(sample(2))
            hc.append(max(sample(3), coc[i] + tau))
        }
        return (index, rgb, hc)
    }
}
