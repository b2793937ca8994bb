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
    /// Radii (px) from which splats are merged per 2×2 and 4×4 block within their layer and
    /// scattered at half and quarter resolution (upsampled bilinearly level by level); from each
    /// radius r to 1.25·r a splat is shared between the two levels. Highlights (luminance above 1)
    /// are never merged. `[]` disables merging. (An eighth-resolution level from 24 px was
    /// measured: 0.4–0.9 dB further from the oracle at CoCs of 60–80 px and no faster on the
    /// 1080p bench, so there are two coarse levels.)
    public let levelRadii: [Float]
    public let threads: Int
    /// Whether the splats beyond the left and right edges are drawn as runs in closed form
    /// (`scatterRuns`) where the kernel allows it; false draws each one (tests compare the two).
    var edgeRuns = true

    /// Buffers owned for the last frame size, reused while the size stays.
    private var buffers: FrameBuffers?
    /// The per-chunk splat builders and the sorted splats, kept across frames so a frame reuses
    /// their memory instead of faulting in fresh pages.
    var chunkBuilders: [ChunkBuilder] = []
    var splatStore = KeptBuffer<Splat>()
    /// Every splat's layer coordinate and each pixel's hidden splat, kept across frames likewise.
    var coordinateStore = KeptBuffer<Float>(), hiddenAtStore = KeptBuffer<Int32>()

    deinit {
        splatStore.deallocate(); coordinateStore.deallocate(); hiddenAtStore.deallocate()
    }

    public init(
        spacing: Float = 0.12, linearRange: Float = 2, levelRadii: [Float] = [4, 12],
        threads: Int = defaultThreadCount
    ) {
        self.spacing = spacing
        self.linearRange = linearRange
        precondition(levelRadii.count <= Self.levelCount - 1, "at most \(Self.levelCount - 1) coarse levels")
        self.levelRadii = levelRadii + Array(repeating: .infinity, count: Self.levelCount - 1 - levelRadii.count)
        self.threads = max(1, threads)
    }

    /// Layer coordinates asinh(c / c₀) / κ of `count` CoCs from `c` into `out`, eight at a time;
    /// returns their lowest and highest.
    static func layerCoordinates(
        _ c: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int, linearRange: Float,
        spacing: Float
    ) -> (lo: Float, hi: Float) {
        let scale = SIMD8<Float>(repeating: 1 / linearRange), inverseSpacing = SIMD8<Float>(repeating: 1 / spacing)
        var lo = SIMD8<Float>(repeating: .infinity), hi = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i < count {
            let lanes = min(8, count &- i)
            var v = SIMD8<Float>.zero
            if lanes == 8 {
                v = UnsafeRawPointer(c + i).loadUnaligned(as: SIMD8<Float>.self)
            } else {
                for j in 0..<lanes { v[j] = c[i &+ j] }
            }
            let l = asinh(v * scale) * inverseSpacing
            if lanes == 8 {
                UnsafeMutableRawPointer(out + i).storeBytes(of: l, as: SIMD8<Float>.self)
                // (Blends: `pointwiseMin`/`Max` are calls per vector.)
                lo.replace(with: l, where: l .< lo)
                hi.replace(with: l, where: l .> hi)
            } else {
                for j in 0..<lanes {
                    out[i &+ j] = l[j]
                    lo[j] = min(lo[j], l[j])
                    hi[j] = max(hi[j], l[j])
                }
            }
            i &+= 8
        }
        return (lo.min(), hi.max())
    }

    /// asinh per lane: ±log(|x| + √(x² + 1)), the logarithm from the exponent and a series in
    /// t = (m − 1)/(m + 1) of the mantissa m ∈ [√½, √2), |t| < 0.172: absolute error within 1e-6
    /// plus two float steps of the result for |x| up to 1e18 (a layer coordinate is then off by
    /// about a hundred-thousandth of a layer at most).
    @inline(__always)
    static func asinh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let ax = x.replacing(with: -x, where: x .< 0)
        let y = ax + (ax * ax + 1).squareRoot()
        let bits = unsafeBitCast(y, to: SIMD8<Int32>.self)
        let e = (bits &- 0x3f35_04f3) &>> 23
        let m = unsafeBitCast(bits &- (e &<< 23), to: SIMD8<Float>.self)
        let t = (m - 1) / (m + 1), t2 = t * t
        var p = t2 * (2 / 9 as Float) + 2 / 7
        p = p * t2 + 2 / 5
        p = p * t2 + 2 / 3
        p = p * t2 + 2
        let log = SIMD8<Float>(e) * (0.693_147_18 as Float) + t * p
        return log.replacing(with: -log, where: x .< 0)
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
        let layers = buildLayers(scene, kernel: kernel, lap: lap)
        lap("place in layers")
        let bands = max(1, min(threads == 1 ? 1 : threads * 4, h))
        if buffers.map({ !$0.fits(width: w, height: h, bands: bands) }) ?? true {
            buffers = FrameBuffers(width: w, height: h, bands: bands)
        }
        let frameBuffers = buffers!
        // Not zeroed first: the bands cover every row, and each band writes every pixel of its rows.
        let out = [Float](unsafeUninitializedCapacity: 3 * w * h) { out, initialized in
            let splats = UnsafeBufferPointer(layers.splats)
            scene.color.withUnsafeBufferPointer { color in
                let work = BandWork(
                    splats: splats, layers: layers, kernel: kernel.table, buffers: frameBuffers, color: color,
                    out: out,
                    width: w, height: h)
                parallelFor(bands, threads: threads) { band in
                    Self.composite(work, rows: (h * band / bands)..<(h * (band + 1) / bands), band: band)
                }
            }
            initialized = 3 * w * h
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

/// Storage that a renderer keeps from frame to frame, so a frame reuses pages already faulted in
/// instead of clearing fresh ones: grown (with a quarter spare) when a frame needs more, never shrunk.
struct KeptBuffer<T: BitwiseCopyable> {
    private var storage = UnsafeMutableBufferPointer<T>(start: nil, count: 0)

    /// The first `count` values (uninitialised after growing; the caller writes them all).
    mutating func take(_ count: Int) -> UnsafeMutableBufferPointer<T> {
        if storage.count < count {
            storage.deallocate()
            storage = .allocate(capacity: count + count / 4)
        }
        return UnsafeMutableBufferPointer(rebasing: storage[0..<count])
    }

    func deallocate() { storage.deallocate() }
}

/// `count` zero values of a plain type, from `calloc`: pages nothing touches are never faulted in
/// or cleared (a one-frame `still`, the beyond-the-edge buffer's columns far from the edges). The
/// caller releases it with `free`.
private func zeroedBuffer<T: BitwiseCopyable>(_ count: Int) -> UnsafeMutableBufferPointer<T> {
    let raw = calloc(max(count, 1), MemoryLayout<T>.stride)!
    return UnsafeMutableBufferPointer(start: raw.bindMemory(to: T.self, capacity: count), count: count)
}

/// `count` values, allocated and set to `value` (the caller deallocates).
private func filledBuffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: count)
    p.initialize(repeating: value, count: count)
    return p
}

/// The renderer's working buffers for one frame size and band count, owned (allocated once,
/// freed with the renderer) so a frame's hot loops take no allocation and no array copies:
/// full-resolution difference rows and accumulators, and each band's coarse-level scratch.
/// Every buffer is left zeroed (difference rows, coarse values) or reset (row extents) by the pass
/// that uses it, so the next frame finds it ready.
final class FrameBuffers: @unchecked Sendable {
    let width: Int, height: Int, bands: Int
    let diff: UnsafeMutableBufferPointer<SIMD4<Float>>
    /// r, g, b premultiplied; w = the weight still free.
    let accum: UnsafeMutableBufferPointer<SIMD4<Float>>
    let rowMin: UnsafeMutableBufferPointer<Int32>, rowMax: UnsafeMutableBufferPointer<Int32>
    /// Difference rows and row extents of the splats beyond the frame's edge (coverage only),
    /// and the coverage they took at each pixel.
    let beyondDiff: UnsafeMutableBufferPointer<SIMD4<Float>>
    let beyondMin: UnsafeMutableBufferPointer<Int32>, beyondMax: UnsafeMutableBufferPointer<Int32>
    /// Second differences of the coverage of runs beyond the edge (`scatterRuns`), one scalar
    /// per pixel, in the rows of `beyondDiff`.
    let beyondSlope: UnsafeMutableBufferPointer<Float>
    /// Per row, the last column the runs left of the frame reach (−1: none) and the first the
    /// runs right of it reach (the width: none).
    let runLeftEnd: UnsafeMutableBufferPointer<Int32>, runRightStart: UnsafeMutableBufferPointer<Int32>
    /// Per band, a row of differences for the runs above and below the frame (`scatterColumnRuns`).
    let columnScratch: UnsafeMutableBufferPointer<Float>
    let uncoloured: UnsafeMutableBufferPointer<Float>
    /// Levels 1, 2, ... (half, quarter, ... resolution).
    let levels: [LevelBuffers]
    /// Per band, one full-resolution row of the half level upsampled.
    let upsampled: UnsafeMutablePointer<SIMD4<Float>>

    init(width w: Int, height h: Int, bands: Int) {
        width = w; height = h; self.bands = bands
        diff = zeroedBuffer((w + 2) * h)
        accum = zeroedBuffer(w * h)
        rowMin = .init(start: filledBuffer(h, 0), count: h)
        rowMax = .init(start: filledBuffer(h, 0), count: h)
        beyondDiff = zeroedBuffer((w + 2) * h)
        beyondSlope = zeroedBuffer((w + 2) * h)
        runLeftEnd = .init(start: filledBuffer(h, -1), count: h)
        runRightStart = .init(start: filledBuffer(h, Int32(w)), count: h)
        columnScratch = zeroedBuffer(bands * (w + 2))
        beyondMin = .init(start: filledBuffer(h, 0), count: h)
        beyondMax = .init(start: filledBuffer(h, 0), count: h)
        uncoloured = zeroedBuffer(w * h)
        upsampled = filledBuffer(bands * w, .zero)
        var levels: [LevelBuffers] = []
        var rows = (0..<bands).map { (h * $0 / bands)..<(h * ($0 + 1) / bands) }
        var finerHeight = h, finerWidth = w
        for _ in 1..<LayeredRenderer.levelCount {
            let lw = max(1, finerWidth / 2), lh = max(1, finerHeight / 2)
            rows = rows.map { LevelBuffers.rows(sampledBy: $0, height: lh) }
            levels.append(LevelBuffers(width: lw, height: lh, bandRows: rows))
            finerWidth = lw; finerHeight = lh
        }
        self.levels = levels
    }

    func fits(width w: Int, height h: Int, bands b: Int) -> Bool { (width, height, bands) == (w, h, b) }

    deinit {
        free(diff.baseAddress); free(accum.baseAddress); free(beyondDiff.baseAddress); free(beyondSlope.baseAddress)
        free(uncoloured.baseAddress); free(columnScratch.baseAddress)
        rowMin.deallocate(); rowMax.deallocate(); upsampled.deallocate(); beyondMin.deallocate(); beyondMax.deallocate()
        runLeftEnd.deallocate(); runRightStart.deallocate()
    }
}

/// One coarse level's scratch for every band: the rows a band's finer rows sample, as
/// difference rows, integrated values, row extents and a row of vertical mix.
final class LevelBuffers: @unchecked Sendable {
    let width: Int, height: Int
    let bandRows: [Range<Int>]
    /// Rows each band can hold.
    let capacity: Int
    let diff: UnsafeMutablePointer<SIMD4<Float>>, value: UnsafeMutablePointer<SIMD4<Float>>
    let rowMin: UnsafeMutablePointer<Int32>, rowMax: UnsafeMutablePointer<Int32>
    let used: UnsafeMutablePointer<SIMD2<Int32>>, mix: UnsafeMutablePointer<SIMD4<Float>>

    /// Coarse rows (of a level `height` rows high) that finer rows `fine` sample bilinearly:
    /// finer row y reads coarse rows around (y + ½)/2 − ½.
    static func rows(sampledBy fine: Range<Int>, height: Int) -> Range<Int> {
        guard !fine.isEmpty else { return 0..<0 }
        let lo = max(0, Int(((Float(fine.lowerBound) + 0.5) / 2 - 0.5).rounded(.down)))
        let hi = min(height, Int(((Float(fine.upperBound - 1) + 0.5) / 2 - 0.5).rounded(.down)) + 2)
        return lo..<max(lo, hi)
    }

    init(width: Int, height: Int, bandRows: [Range<Int>]) {
        self.width = width; self.height = height; self.bandRows = bandRows
        let capacity = max(1, bandRows.map(\.count).max() ?? 1)
        self.capacity = capacity
        let bands = bandRows.count
        diff = filledBuffer(bands * (width + 2) * capacity, .zero)
        value = filledBuffer(bands * width * capacity, .zero)
        rowMin = filledBuffer(bands * capacity, Int32(width))
        rowMax = filledBuffer(bands * capacity, Int32(-1))
        used = filledBuffer(bands * capacity, SIMD2<Int32>(Int32(width), -1))
        mix = filledBuffer(bands * width, .zero)
    }

    /// Band `band`'s part of these buffers.
    func band(_ band: Int) -> LevelBand {
        LevelBand(
            width: width, height: height, rows: bandRows[band],
            diff: diff + band * (width + 2) * capacity, value: value + band * width * capacity,
            rowMin: rowMin + band * capacity, rowMax: rowMax + band * capacity, used: used + band * capacity,
            mix: mix + band * width)
    }

    deinit {
        diff.deallocate(); value.deallocate(); rowMin.deallocate(); rowMax.deallocate(); used.deallocate()
        mix.deallocate()
    }
}

/// One band's view of a coarse level (see `LevelBuffers`); rows are relative to `rows.lowerBound`.
final class LevelBand {
    let width: Int, height: Int, rows: Range<Int>
    let diff: UnsafeMutablePointer<SIMD4<Float>>, value: UnsafeMutablePointer<SIMD4<Float>>
    let rowMin: UnsafeMutablePointer<Int32>, rowMax: UnsafeMutablePointer<Int32>
    let used: UnsafeMutablePointer<SIMD2<Int32>>, mix: UnsafeMutablePointer<SIMD4<Float>>
    /// Whether the current layer left values in `value` (cleared after the layer).
    var hasData = false

    init(
        width: Int, height: Int, rows: Range<Int>, diff: UnsafeMutablePointer<SIMD4<Float>>,
        value: UnsafeMutablePointer<SIMD4<Float>>, rowMin: UnsafeMutablePointer<Int32>,
        rowMax: UnsafeMutablePointer<Int32>, used: UnsafeMutablePointer<SIMD2<Int32>>,
        mix: UnsafeMutablePointer<SIMD4<Float>>
    ) {
        self.width = width; self.height = height; self.rows = rows; self.diff = diff; self.value = value
        self.rowMin = rowMin; self.rowMax = rowMax; self.used = used; self.mix = mix
    }
}
