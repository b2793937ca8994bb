import Dispatch
import Foundation
import RackFocusImage

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
/// own rows, so there is no locking. Buffers (`FrameBuffers`) are allocated once per frame size
/// and reused: a frame allocates only its splat lists and its output.
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

    /// Buffers owned for the last frame size, reused while the size stays.
    private var buffers: FrameBuffers?

    public init(
        spacing: Float = 0.12, linearRange: Float = 2, halfResolutionRadius: Float = 4,
        threads: Int = defaultThreadCount
    ) {
        self.spacing = spacing
        self.linearRange = linearRange
        self.halfResolutionRadius = halfResolutionRadius
        self.threads = max(1, threads)
    }

    @inline(__always)
    static func layerCoordinate(_ c: Float, linearRange: Float, spacing: Float) -> Float {
        asinhf(c / linearRange) / spacing
    }

    /// Renders the frame: the blurred image (linear RGB, 3 planes) and where the time went.
    public func render(scene: DefocusScene, kernel: ApertureKernel) -> (image: PlanarImage, timings: RenderTimings) {
        let w = scene.width, h = scene.height
        var timings = RenderTimings()
        var clock = DispatchTime.now().uptimeNanoseconds
        func lap(_ stage: String) {
            let now = DispatchTime.now().uptimeNanoseconds
            timings.stages.append((stage, Double(now - clock) / 1e6))
            clock = now
        }
        let layers = buildLayers(scene, kernel: kernel)
        lap("sort into layers")
        let bands = max(1, min(threads == 1 ? 1 : threads * 4, h))
        if buffers.map({ !$0.fits(width: w, height: h, bands: bands) }) ?? true {
            buffers = FrameBuffers(width: w, height: h, bands: bands)
        }
        let frameBuffers = buffers!
        var out = [Float](repeating: 0, count: 3 * w * h)
        layers.fine.withUnsafeBufferPointer { fine in
            layers.coarse.withUnsafeBufferPointer { coarse in
                scene.color.withUnsafeBufferPointer { color in
                    out.withUnsafeMutableBufferPointer { out in
                        let work = BandWork(
                            fine: fine, coarse: coarse, layers: layers, kernel: kernel, buffers: frameBuffers,
                            color: color, out: out,
                            width: w, height: h)
                        parallelFor(bands, threads: threads) { band in
                            Self.composite(work, rows: (h * band / bands)..<(h * (band + 1) / bands), band: band)
                        }
                    }
                }
            }
        }
        lap("scatter and composite")
        return (PlanarImage(width: w, height: h, channels: 3, data: out), timings)
    }
}

/// Where a render's time went, stage by stage, in milliseconds.
public struct RenderTimings: Sendable {
    public var stages: [(stage: String, ms: Double)] = []
    public init() {}
}

/// The renderer's working buffers for one frame size and band count, owned (allocated once,
/// freed with the renderer) so a frame's hot loops take no allocation and no array copies:
/// full-resolution difference rows and accumulators, and each band's half-resolution scratch.
/// Every buffer is left zeroed (difference rows, half-resolution values) or reset (row extents)
/// by the pass that uses it, so the next frame finds it ready.
final class FrameBuffers: @unchecked Sendable {
    let width: Int, height: Int, bands: Int
    /// Half-resolution rows a band can touch: half its height, plus the bilinear margin.
    let halfRows: Int
    let diff: UnsafeMutableBufferPointer<SIMD4<Float>>
    /// r, g, b premultiplied; w = the weight still free.
    let accum: UnsafeMutableBufferPointer<SIMD4<Float>>
    let rowMin: UnsafeMutableBufferPointer<Int32>, rowMax: UnsafeMutableBufferPointer<Int32>
    let hdiff: UnsafeMutablePointer<SIMD4<Float>>, hval: UnsafeMutablePointer<SIMD4<Float>>
    let hmin: UnsafeMutablePointer<Int32>, hmax: UnsafeMutablePointer<Int32>
    let used: UnsafeMutablePointer<SIMD2<Int32>>, vmix: UnsafeMutablePointer<SIMD4<Float>>

    init(width w: Int, height h: Int, bands: Int) {
        width = w; height = h; self.bands = bands
        let hw = max(1, w / 2)
        halfRows = (h + bands - 1) / bands / 2 + 4
        func zeroed<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
            p.initialize(repeating: value)
            return p
        }
        diff = zeroed((w + 2) * h, .zero)
        accum = zeroed(w * h, .zero)
        rowMin = zeroed(h, 0); rowMax = zeroed(h, 0)
        hdiff = zeroed(bands * (hw + 2) * halfRows, SIMD4<Float>.zero).baseAddress!
        hval = zeroed(bands * hw * halfRows, SIMD4<Float>.zero).baseAddress!
        hmin = zeroed(bands * halfRows, Int32(0)).baseAddress!
        hmax = zeroed(bands * halfRows, Int32(0)).baseAddress!
        used = zeroed(bands * halfRows, SIMD2<Int32>.zero).baseAddress!
        vmix = zeroed(bands * hw, SIMD4<Float>.zero).baseAddress!
    }

    func fits(width w: Int, height h: Int, bands b: Int) -> Bool { (width, height, bands) == (w, h, b) }

    deinit {
        diff.deallocate(); accum.deallocate(); rowMin.deallocate(); rowMax.deallocate()
        hdiff.deallocate(); hval.deallocate(); hmin.deallocate(); hmax.deallocate(); used.deallocate();
        vmix.deallocate()
    }
}
