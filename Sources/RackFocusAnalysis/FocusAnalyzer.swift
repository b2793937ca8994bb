import Foundation
import RackFocusImage

/// A named part of the frame whose sharpness is followed.
package struct AnalysisRegion: Sendable, Hashable {
    package var name: String
    package var rect: PixelRect
    package init(name: String, rect: PixelRect) { self.name = name; self.rect = rect }

    /// A grid of `columns × rows` tiles named by row letter and column number (A1 top left).
    package static func grid(columns: Int, rows: Int, width: Int, height: Int) -> [AnalysisRegion] {
        var out: [AnalysisRegion] = []
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for r in 0..<rows {
            for c in 0..<columns {
                let x0 = width * c / columns, x1 = width * (c + 1) / columns
                let y0 = height * r / rows, y1 = height * (r + 1) / rows
                out.append(
                    AnalysisRegion(
                        name: "\(letters[r % 26])\(c + 1)",
                        rect: PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)))
            }
        }
        return out
    }
}

/// Streams a clip's frames (and optionally its depth maps) and keeps per frame only the figures
/// analysis needs: one measure per region, and with depth one measure and one depth per tile.
/// Memory grows with frames × (regions + tiles) numbers, never with pixels.
package final class FocusAnalyzer {
    package let regions: [AnalysisRegion]
    package let measure: FocusMeasure
    /// Side of the square tiles used with depth, in pixels.
    package let tileSize: Int
    package private(set) var frameCount = 0
    /// Width and height of the frames added.
    package var frameSize: (Int, Int) {
        pyramid.levels.isEmpty ? (0, 0) : (pyramid.levels[0].width, pyramid.levels[0].height)
    }
    /// Frames either side whose noise estimates are pooled (median) for a frame.
    package var noiseWindow = 12
    var values: [[Double]]
    /// Ratio-measure parts per region and frame: the fine gradient energy, the denominator (coarse
    /// gradient energy or variance, `FocusMeasure.parts`), and the noise variance at the fine level.
    var fineEnergy: [[Double]], coarseEnergy: [[Double]], noiseVariance: [[Double]]
    var previousFine: [Float] = []
    var differenceScratch: [Float] = [], noiseScratch: [Float] = []
    var tiles: [PixelRect] = []
    var tileSharpness: [[Float]] = []
    /// Each tile's gradient energy per frame: unlike the ratio above, it can only fall as blur
    /// grows, so a tile whose ratio peaks where its energy does not was misled (a blurred
    /// low-contrast surface whose ratio rises on codec noise).
    var tileEnergy: [[Float]] = []
    var tileDepth: [[Float]] = []
    var tileSpread: [Float] = []
    /// Brightest luma seen in each tile: highlights (clipped, or scene-referred above 1) blur into
    /// crisp-edged bokeh discs, which focus measures read as detail, so tiles with them say nothing
    /// reliable about focus.
    var tileBrightest: [Float] = []
    var pyramid = LumaPyramid()
    var depthScratch: [Float] = []

    package init(regions: [AnalysisRegion], measure: FocusMeasure = .standard, tileSize: Int = 16) {
        self.regions = regions
        self.measure = measure
        self.tileSize = tileSize
        values = Array(repeating: [], count: regions.count)
        fineEnergy = values; coarseEnergy = values; noiseVariance = values
    }

    /// Adds the next frame (linear RGB), with its depth map in metres when known.
    package func add(_ frame: PlanarImage, depth: PlanarImage? = nil) {
        pyramid.update(from: frame)
        if measure.isNoiseCompensated {
            let fine = pyramid.levels[1]
            let hasPrevious = previousFine.count == fine.data.count
            for (i, r) in regions.enumerated() {
                let rf = r.rect.atLevel(1, width: fine.width, height: fine.height)
                let (numerator, denominator) = measure.parts(pyramid, region: r.rect)
                fineEnergy[i].append(numerator)
                coarseEnergy[i].append(denominator)
                noiseVariance[i].append(
                    hasPrevious
                        ? FocusAnalyzer.temporalNoiseVariance(
                            fine, previousFine, rf, difference: &differenceScratch, scratch: &noiseScratch) : .infinity)
            }
            previousFine = fine.data
        } else {
            for (i, r) in regions.enumerated() { values[i].append(measure.evaluate(pyramid, region: r.rect)) }
        }
        if let depth {
            if tiles.isEmpty { makeTiles(width: frame.width, height: frame.height) }
            for (k, t) in tiles.enumerated() {
                let (fine, variance) = FocusMeasure.gradientVariance.parts(pyramid, region: t)
                tileSharpness[k].append(Float((fine + 1e-12) / (variance + 1e-12)))
                tileEnergy[k].append(Float(fine))
                let (median, spread) = tileDepthStats(depth, t)
                tileDepth[k].append(median)
                tileSpread[k] = max(tileSpread[k], spread)
                tileBrightest[k] = max(tileBrightest[k], brightest(t))
            }
        }
        frameCount += 1
    }

    private func makeTiles(width: Int, height: Int) {
        let s = tileSize
        for y in stride(from: 0, through: height - s, by: s) {
            for x in stride(from: 0, through: width - s, by: s) {
                tiles.append(PixelRect(x: x, y: y, width: s, height: s))
            }
        }
        tileSharpness = Array(repeating: [], count: tiles.count)
        tileEnergy = tileSharpness
        tileDepth = Array(repeating: [], count: tiles.count)
        tileSpread = Array(repeating: 0, count: tiles.count)
        tileBrightest = Array(repeating: 0, count: tiles.count)
    }

    private func brightest(_ t: PixelRect) -> Float {
        let p = pyramid.levels[0]
        var m: Float = 0
        p.data.withUnsafeBufferPointer { d in
            for y in t.y..<min(p.height, t.y + t.height) {
                for x in t.x..<min(p.width, t.x + t.width) { m = max(m, d[y &* p.width &+ x]) }
            }
        }
        return m
    }

    /// Median depth of a tile and how far it spreads in dioptres (10th to 90th percentile): a tile
    /// across a depth edge mixes two distances and says nothing clean about either.
    private func tileDepthStats(_ depth: PlanarImage, _ t: PixelRect) -> (Float, Float) {
        depthScratch.removeAll(keepingCapacity: true)
        let sx = Double(depth.width) / Double(pyramid.levels[0].width),
            sy = Double(depth.height) / Double(pyramid.levels[0].height)
        for y in stride(from: t.y, to: t.y + t.height, by: 2) {
            for x in stride(from: t.x, to: t.x + t.width, by: 2) {
                let v = depth[0, min(depth.width - 1, Int(Double(x) * sx)), min(depth.height - 1, Int(Double(y) * sy))]
                if v.isFinite && v > 0 { depthScratch.append(v) }
            }
        }
        guard depthScratch.count >= 4 else { return (.nan, .infinity) }
        depthScratch.sort()
        let n = depthScratch.count
        return (depthScratch[n / 2], 1 / depthScratch[n / 10] - 1 / depthScratch[n * 9 / 10])
    }

    /// The noise variance of one frame from its difference with the previous one over a
    /// rectangle: the previous frame's gain and offset are matched by least squares (an exposure
    /// change is not noise), then Immerkær's operator [1 −2 1; −2 4 −2; 1 −2 1] is applied to the
    /// difference and its median absolute value taken. Static texture cancels in the difference;
    /// what a focus change leaves there lies along edges, sparse and smooth, which the operator
    /// and the median ignore; white noise gives the operator 36 times its variance, twice over (two
    /// frames), and a median absolute value of 0.6745 deviations.
    static func temporalNoiseVariance(
        _ p: PlanarImage, _ previous: [Float], _ r: (x0: Int, y0: Int, x1: Int, y1: Int),
        difference: inout [Float], scratch: inout [Float]
    ) -> Double {
        let w = p.width
        var sa: Double = 0, sb: Double = 0, sbb: Double = 0, sab: Double = 0
        p.data.withUnsafeBufferPointer { a in
            previous.withUnsafeBufferPointer { b in
                for y in r.y0..<r.y1 {
                    var ra: Float = 0, rb: Float = 0, rbb: Float = 0, rab: Float = 0
                    for x in r.x0..<r.x1 {
                        let u = a[y &* w &+ x], v = b[y &* w &+ x]; ra += u; rb += v; rbb += v * v; rab += u * v
                    }
                    sa += Double(ra); sb += Double(rb); sbb += Double(rbb); sab += Double(rab)
                }
            }
        }
        let rw = r.x1 - r.x0, rh = r.y1 - r.y0
        guard rw >= 3, rh >= 3 else { return 0 }
        let n = Double(rw * rh)
        let vb = sbb / n - (sb / n) * (sb / n), cov = sab / n - (sa / n) * (sb / n)
        let gain = vb > 0 ? Float(cov / vb) : 1, offset = Float(sa / n) - gain * Float(sb / n)
        difference.removeAll(keepingCapacity: true)
        p.data.withUnsafeBufferPointer { a in
            previous.withUnsafeBufferPointer { b in
                for y in 0..<rh {
                    for x in 0..<rw {
                        let i = (r.y0 + y) &* w &+ r.x0 &+ x
                        difference.append(a[i] - gain * b[i] - offset)
                    }
                }
            }
        }
        // The plane shares the scratch buffer's storage (no copy); it is gone before the next call.
        return spatialNoiseVariance(
            PlanarImage(width: rw, height: rh, data: difference), (0, 0, rw, rh), scratch: &scratch) / 2
    }

    /// The noise variance of a rectangle of one plane (Immerkær 1996, "Fast noise variance
    /// estimation"): the operator [1 −2 1; −2 4 −2; 1 −2 1] cancels smooth content and gives white
    /// noise of variance v a variance of 36v; its median absolute value is 0.6745 of its deviation.
    static func spatialNoiseVariance(
        _ p: PlanarImage, _ r: (x0: Int, y0: Int, x1: Int, y1: Int), scratch: inout [Float]
    ) -> Double {
        let w = p.width
        let x0 = max(1, r.x0), y0 = max(1, r.y0), x1 = min(p.width - 1, r.x1), y1 = min(p.height - 1, r.y1)
        guard x1 > x0, y1 > y0 else { return 0 }
        scratch.removeAll(keepingCapacity: true)
        p.data.withUnsafeBufferPointer { d in
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let i = y &* w &+ x
                    let v =
                        d[i &- w &- 1] + d[i &- w &+ 1] + d[i &+ w &- 1] + d[i &+ w &+ 1]
                        - 2 * (d[i &- w] + d[i &+ w] + d[i &- 1] + d[i &+ 1]) + 4 * d[i]
                    scratch.append(abs(v))
                }
            }
        }
        let k = scratch.count / 2
        scratch.withUnsafeMutableBufferPointer { b in
            // The median by selection (Hoare partition), not a full sort.
            var lo = 0, hi = b.count - 1
            while lo < hi {
                let pivot = b[(lo + hi) / 2]
                var i = lo, j = hi
                while i <= j {
                    while b[i] < pivot { i += 1 }
                    while b[j] > pivot { j -= 1 }
                    if i <= j { b.swapAt(i, j); i += 1; j -= 1 }
                }
                if k <= j { hi = j } else if k >= i { lo = i } else { break }
            }
        }
        let sigma = Double(scratch[k]) / 0.6745
        return sigma * sigma / 36
    }

    /// Each region's sharpness over the frames added so far.
    ///
    /// The ratio measures are corrected for noise: white noise of variance v at the fine level adds
    /// 4v of gradient energy there and v to the denominator (coarse gradient energy, or variance),
    /// which would raise the ratio of a region that darkens (its noise grows against its texture)
    /// as if it sharpened. v is the median over `noiseWindow` frames either side of the per-frame
    /// estimates (`temporalNoiseVariance`), and at most half of each energy is taken away.
    package func curves() -> [SharpnessCurve] {
        regions.indices.map { i in
            guard measure.isNoiseCompensated else { return SharpnessCurve(name: regions[i].name, raw: values[i]) }
            let n = fineEnergy[i].count, v = noiseVariance[i]
            let raw = (0..<n).map { t -> Double in
                let window = v[max(0, t - noiseWindow)...min(n - 1, t + noiseWindow)].filter { $0.isFinite }.sorted()
                let noise = window.isEmpty ? 0 : window[window.count / 2]
                let e1 = fineEnergy[i][t], e2 = coarseEnergy[i][t]
                return (max(e1 - 4 * noise, 0.5 * e1) + 1e-12) / (max(e2 - noise, 0.5 * e2) + 1e-12)
            }
            return SharpnessCurve(name: regions[i].name, raw: raw)
        }
    }

    /// With depth: the focus distance per frame (metres), where sharpness peaks across depth.
    package func focusDistances() -> [Double?] { focusEstimate().metres }

    /// The focus curve with what bounds its holds; `holds` (dioptres) places the opening and
    /// closing holds instead of the tiles sharp there (see `HoldFit`).
    package func focusEstimate(holds: (opening: Double, closing: Double)? = nil) -> FocusDistanceEstimator.Estimate {
        guard !tiles.isEmpty else { return .init(metres: [], holds: nil) }
        var samples: [FocusDistanceEstimator.Sample] = []
        for k in tiles.indices where tileSpread[k] < 0.15 && tileBrightest[k] < 0.99 {
            let c = SharpnessCurve(name: "", raw: tileSharpness[k].map(Double.init))
            guard c.changes else { continue }
            samples.append(
                .init(
                    relative: c.relative, dioptres: tileDepth[k].map { 1 / Double($0) },
                    energy: SharpnessCurve(name: "", raw: tileEnergy[k].map(Double.init)).relative))
        }
        return FocusDistanceEstimator.estimate(frames: frameCount, samples: samples, holds: holds)
    }
}
