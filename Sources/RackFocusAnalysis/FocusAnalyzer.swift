import Foundation
import RackFocusRender

/// A named part of the frame whose sharpness is followed.
public struct AnalysisRegion: Sendable, Hashable {
    public var name: String
    public var rect: PixelRect
    public init(name: String, rect: PixelRect) { self.name = name; self.rect = rect }

    /// A grid of `columns × rows` tiles named by row letter and column number (A1 top left).
    public static func grid(columns: Int, rows: Int, width: Int, height: Int) -> [AnalysisRegion] {
        var out: [AnalysisRegion] = []
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for r in 0..<rows {
            for c in 0..<columns {
                let x0 = width * c / columns, x1 = width * (c + 1) / columns
                let y0 = height * r / rows, y1 = height * (r + 1) / rows
                out.append(AnalysisRegion(name: "\(letters[r % 26])\(c + 1)", rect: PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)))
            }
        }
        return out
    }
}

/// Streams a clip's frames (and optionally its depth maps) and keeps per frame only the figures
/// analysis needs: one measure per region, and with depth one measure and one depth per tile.
/// Memory grows with frames × (regions + tiles) numbers, never with pixels.
public final class FocusAnalyzer {
    public let regions: [AnalysisRegion]
    public let measure: FocusMeasure
    /// Side of the square tiles used with depth, in pixels.
    public let tileSize: Int
    public private(set) var frameCount = 0
    /// Frames either side searched for the noise level of a frame.
    public var noiseWindow = 36
    var values: [[Double]]
    /// Band ratio parts per region and frame: fine and coarse gradient energy, and the temporal
    /// noise variance at the fine level (from the difference with the previous frame).
    var fineEnergy: [[Double]], coarseEnergy: [[Double]], noiseVariance: [[Double]]
    var previousFine: [Float] = []
    var tiles: [PixelRect] = []
    var tileSharpness: [[Float]] = []
    var tileDepth: [[Float]] = []
    var tileSpread: [Float] = []
    var pyramid = LumaPyramid()
    var depthScratch: [Float] = []

    public init(regions: [AnalysisRegion], measure: FocusMeasure = .standard, tileSize: Int = 32) {
        self.regions = regions
        self.measure = measure
        self.tileSize = tileSize
        values = Array(repeating: [], count: regions.count)
        fineEnergy = values; coarseEnergy = values; noiseVariance = values
    }

    /// Adds the next frame (linear RGB), with its depth map in metres when known.
    public func add(_ frame: PlanarImage, depth: PlanarImage? = nil) {
        pyramid.update(from: frame)
        if measure.isNoiseCompensated {
            let fine = pyramid.levels[1]
            let hasPrevious = previousFine.count == fine.data.count
            for (i, r) in regions.enumerated() {
                let rf = r.rect.atLevel(1, width: fine.width, height: fine.height)
                let (numerator, denominator) = measure.parts(pyramid, region: r.rect)
                fineEnergy[i].append(numerator)
                coarseEnergy[i].append(denominator)
                noiseVariance[i].append(hasPrevious ? FocusAnalyzer.halfMeanSquaredDifference(fine, previousFine, rf) : .infinity)
            }
            previousFine = fine.data
        } else {
            for (i, r) in regions.enumerated() { values[i].append(measure.evaluate(pyramid, region: r.rect)) }
        }
        if let depth {
            if tiles.isEmpty { makeTiles(width: frame.width, height: frame.height) }
            for (k, t) in tiles.enumerated() {
                tileSharpness[k].append(Float(FocusMeasure.standard.evaluate(pyramid, region: t)))
                let (median, spread) = tileDepthStats(depth, t)
                tileDepth[k].append(median)
                tileSpread[k] = max(tileSpread[k], spread)
            }
        }
        frameCount += 1
    }

    private func makeTiles(width: Int, height: Int) {
        let s = tileSize
        for y in stride(from: 0, through: height - s, by: s) {
            for x in stride(from: 0, through: width - s, by: s) { tiles.append(PixelRect(x: x, y: y, width: s, height: s)) }
        }
        tileSharpness = Array(repeating: [], count: tiles.count)
        tileDepth = Array(repeating: [], count: tiles.count)
        tileSpread = Array(repeating: 0, count: tiles.count)
    }

    /// Median depth of a tile and how far it spreads (90th over 10th percentile): a tile across a
    /// depth edge mixes two distances and says nothing clean about either.
    private func tileDepthStats(_ depth: PlanarImage, _ t: PixelRect) -> (Float, Float) {
        depthScratch.removeAll(keepingCapacity: true)
        let sx = Double(depth.width) / Double(pyramid.levels[0].width), sy = Double(depth.height) / Double(pyramid.levels[0].height)
        for y in stride(from: t.y, to: t.y + t.height, by: 2) {
            for x in stride(from: t.x, to: t.x + t.width, by: 2) {
                let v = depth[0, min(depth.width - 1, Int(Double(x) * sx)), min(depth.height - 1, Int(Double(y) * sy))]
                if v.isFinite && v > 0 { depthScratch.append(v) }
            }
        }
        guard depthScratch.count >= 4 else { return (.nan, .infinity) }
        depthScratch.sort()
        let n = depthScratch.count
        return (depthScratch[n / 2], depthScratch[n * 9 / 10] / depthScratch[n / 10])
    }

    /// The noise variance of one frame from its difference with the previous one over a
    /// rectangle, after matching the previous frame's gain and offset by least squares (so an
    /// exposure change is not taken for noise): half the residual variance.
    static func halfMeanSquaredDifference(_ p: LumaPlane, _ previous: [Float], _ r: (x0: Int, y0: Int, x1: Int, y1: Int)) -> Double {
        var sa: Double = 0, sb: Double = 0, saa: Double = 0, sbb: Double = 0, sab: Double = 0
        p.data.withUnsafeBufferPointer { a in
            previous.withUnsafeBufferPointer { b in
                for y in r.y0..<r.y1 {
                    var ra: Float = 0, rb: Float = 0, raa: Float = 0, rbb: Float = 0, rab: Float = 0
                    for x in r.x0..<r.x1 {
                        let u = a[y &* p.width &+ x], v = b[y &* p.width &+ x]
                        ra += u; rb += v; raa += u * u; rbb += v * v; rab += u * v
                    }
                    sa += Double(ra); sb += Double(rb); saa += Double(raa); sbb += Double(rbb); sab += Double(rab)
                }
            }
        }
        let n = Double(max(1, (r.x1 - r.x0) * (r.y1 - r.y0)))
        let va = saa / n - (sa / n) * (sa / n), vb = sbb / n - (sb / n) * (sb / n), cov = sab / n - (sa / n) * (sb / n)
        guard vb > 0 else { return max(0, va) / 2 }
        return max(0, va - cov * cov / vb) / 2
    }

    /// Each region's sharpness over the frames added so far.
    ///
    /// The ratio measures are corrected for noise: white noise of variance v at the fine level adds
    /// 4v of gradient energy there and v to the denominator (coarse gradient energy, or variance), which would raise the ratio of a
    /// region that darkens (its noise grows against its texture) as if it sharpened. v is the
    /// median frame-to-frame difference within `noiseWindow` frames either side (a moving focus
    /// inflates the difference of the frames it moves in, up to half the window; noise changes
    /// slowly, and the median of a steady trend is its centre), and at most half of each band's
    /// energy is taken away.
    public func curves() -> [SharpnessCurve] {
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
    public func focusDistances() -> [Double?] {
        guard !tiles.isEmpty else { return [] }
        var samples: [(tile: Int, curve: SharpnessCurve)] = []
        for k in tiles.indices where tileSpread[k] < 1.1 {
            let c = SharpnessCurve(name: "", raw: tileSharpness[k].map(Double.init))
            if c.changes { samples.append((k, c)) }
        }
        return FocusDistanceEstimator.estimate(frames: frameCount, samples: samples.map { s in
            (relative: s.curve.relative, dioptres: tileDepth[s.tile].map { 1 / Double($0) })
        })
    }
}

/// The focus distance of each frame from tiles of known depth and relative sharpness.
public enum FocusDistanceEstimator {
    /// For each frame: the dioptre at which a kernel regression of the tiles' relative sharpness
    /// against their dioptres peaks (refined by a parabola through the peak and its neighbours).
    /// Frames where no tile is clearly sharp (best < 0.5) give nil.
    public static func estimate(frames: Int, samples: [(relative: [Double], dioptres: [Double])]) -> [Double?] {
        guard !samples.isEmpty else { return Array(repeating: nil, count: frames) }
        let all = samples.flatMap { $0.dioptres.filter { $0.isFinite } }
        guard let lo = all.min(), let hi = all.max(), hi > lo else { return Array(repeating: nil, count: frames) }
        let steps = 200
        let bandwidth = max((hi - lo) / 60, 0.002)
        var out: [Double?] = []
        out.reserveCapacity(frames)
        var score = [Double](repeating: 0, count: steps + 1)
        for t in 0..<frames {
            for g in 0...steps {
                let d = lo + (hi - lo) * Double(g) / Double(steps)
                var num = 0.0, den = 0.0
                for s in samples {
                    let dt = s.dioptres[t]
                    guard dt.isFinite else { continue }
                    let x = (d - dt) / bandwidth
                    guard abs(x) < 4 else { continue }
                    let w = exp(-0.5 * x * x)
                    num += w * s.relative[t]; den += w
                }
                score[g] = den > 0.05 ? num / den : 0
            }
            var best = 0
            for g in 1...steps where score[g] > score[best] { best = g }
            guard score[best] >= 0.5 else { out.append(nil); continue }
            var offset = 0.0
            if best > 0 && best < steps {
                let a = score[best - 1], b = score[best], c = score[best + 1]
                let denom = a - 2 * b + c
                if denom < 0 { offset = 0.5 * (a - c) / denom }
            }
            let dioptre = lo + (hi - lo) * (Double(best) + offset) / Double(steps)
            out.append(dioptre > 0 ? 1 / dioptre : .infinity)
        }
        return out
    }
}
