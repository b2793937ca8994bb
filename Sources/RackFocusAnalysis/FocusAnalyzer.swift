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
                tileSharpness[k].append(Float(FocusMeasure.standard.evaluate(pyramid, region: t)))
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
    package func focusDistances() -> [Double?] {
        guard !tiles.isEmpty else { return [] }
        var samples: [(tile: Int, curve: SharpnessCurve)] = []
        for k in tiles.indices where tileSpread[k] < 0.15 && tileBrightest[k] < 0.99 {
            let c = SharpnessCurve(name: "", raw: tileSharpness[k].map(Double.init))
            if c.changes { samples.append((k, c)) }
        }
        return FocusDistanceEstimator.estimate(
            frames: frameCount,
            samples: samples.map { s in
                (relative: s.curve.relative, dioptres: tileDepth[s.tile].map { 1 / Double($0) })
            })
    }
}

/// The focus distance of each frame from tiles of known depth and relative sharpness.
///
/// A tile is sharpest (relative to the clip) where focus comes closest to its depth. A tile whose
/// sharpness peaks inside the clip (not on its first or last frame) marks a point of the focus
/// curve: at its peak frame, focus was at its depth; the median over tiles peaking at one frame is
/// that frame's focus. Frames between such points are interpolated in dioptres. The opening and
/// closing holds are bounded by the tiles at their peak there: focus sits at the edge of those
/// tiles' depths that faces the move (the near edge of everything beyond a far mark, since focus
/// never came closer to those tiles). Written for clips whose focus moves one way; frames it
/// cannot place are nil.
package enum FocusDistanceEstimator {
    /// Relative sharpness at or above which a tile counts as at its peak.
    package static let peakLevel = 0.95

    /// - Parameter samples: per tile, relative sharpness and dioptres per frame.
    package static func estimate(frames: Int, samples: [(relative: [Double], dioptres: [Double])]) -> [Double?] {
        guard frames >= 3, samples.count >= 3 else { return Array(repeating: nil, count: frames) }
        var points = [[Double]](repeating: [], count: frames)
        var opening: [Double] = [], closing: [Double] = []
        for s in samples {
            // Under a one-way move every honest tile rises to one peak and falls (or only rises,
            // or only falls); bokeh sweeping through a tile makes it rise and fall repeatedly.
            let turns = turningPoints(s.relative, hysteresis: 0.15)
            guard turns.count <= 1, turns.first.map({ s.relative[$0] > 0.5 }) ?? true else { continue }
            let peakFrames = (0..<frames).filter { s.relative[$0] >= peakLevel }
            guard let first = peakFrames.first, let last = peakFrames.last else { continue }
            let d = s.dioptres[(first + last) / 2]
            guard d.isFinite else { continue }
            if first == 0 && last == frames - 1 { continue }
            if first == 0 {
                opening.append(d)
            } else if last == frames - 1 {
                closing.append(d)
            } else if last - first <= 3 {
                points[(first + last) / 2].append(d)
            }
        }
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
        /// Each frame with points: the median of the points within ±2 frames (a lone tile peaking at
        /// one frame does not set it).
        func pooledMedians(_ p: [[Double]]) -> [Double?] {
            (0..<frames).map { t in
                guard !p[t].isEmpty else { return nil }
                return median(Array(p[max(0, t - 2)...min(frames - 1, t + 2)].joined()))
            }
        }
        var curve = pooledMedians(points)
        // Direction of travel: from the opening tiles' depths towards the closing tiles'.
        opening.sort(); closing.sort()
        if opening.count >= 2 && closing.count >= 2, median(closing) != median(opening) {
            let towardsFar = median(closing) < median(opening)
            // Each hold's tiles as the largest run of depths without a gap of 0.1 dioptre (tiles
            // that a blurred foreground spills over join the hold they do not belong to, apart).
            func cluster(_ v: [Double]) -> [Double] {
                var runs: [[Double]] = [[v[0]]]
                for d in v.dropFirst() {
                    if d - runs[runs.count - 1].last! > 0.1 { runs.append([d]) } else { runs[runs.count - 1].append(d) }
                }
                return runs.max { $0.count < $1.count }!
            }
            let o = cluster(opening), c = cluster(closing)
            // A quarter of the way in from the edge that faces the move: the extreme tile is often
            // a stray (a tile the rack passes early, read through codec noise).
            func edge(_ v: [Double], facingLow: Bool) -> Double {
                facingLow ? v[v.count / 4] : v[v.count - 1 - v.count / 4]
            }
            let openingEdge = edge(o, facingLow: towardsFar), closingEdge = edge(c, facingLow: !towardsFar)
            // Focus travelled between the two marks: a tile peaking outside them was misled.
            let lo = min(openingEdge, closingEdge) - 0.02, hi = max(openingEdge, closingEdge) + 0.02
            for t in 0..<frames { points[t].removeAll { $0 < lo || $0 > hi } }
            curve = monotone(pooledMedians(points), decreasing: towardsFar)
            // Holds: up to the first point, and from the last point on.
            let firstPoint = curve.firstIndex { $0 != nil } ?? frames, lastPoint = curve.lastIndex { $0 != nil } ?? -1
            // The holds end and begin where the median of their tiles leaves or reaches its peak.
            let leaves = samples.compactMap { s -> Int? in
                s.relative[0] >= peakLevel ? (0..<frames).first { s.relative[$0] < peakLevel } : nil
            }.sorted()
            let reaches = samples.compactMap { s -> Int? in
                s.relative[frames - 1] >= peakLevel
                    ? (0..<frames).last { s.relative[$0] < peakLevel }.map { $0 + 1 } : nil
            }.sorted()
            let holdEnd = leaves.isEmpty ? 0 : max(0, leaves[leaves.count / 2] - 1)
            let holdStart = reaches.isEmpty ? frames - 1 : reaches[reaches.count / 2]
            for t in 0...min(frames - 1, min(holdEnd, firstPoint - 1)) where t < firstPoint { curve[t] = openingEdge }
            for t in max(0, max(holdStart, lastPoint + 1))..<frames where t > lastPoint { curve[t] = closingEdge }
        }
        // Interpolate in dioptres between placed frames.
        var t = 0
        while t < frames {
            guard curve[t] == nil, let a = (0..<t).last(where: { curve[$0] != nil }),
                let b = (t..<frames).first(where: { curve[$0] != nil })
            else { t += 1; continue }
            for u in (a + 1)..<b { curve[u] = curve[a]! + (curve[b]! - curve[a]!) * Double(u - a) / Double(b - a) }
            t = b
        }
        return curve.map { $0.map { $0 > 0 ? 1 / $0 : .infinity } }
    }

    /// Keeps the longest run of placed frames whose dioptres move one way (within 0.01 dioptre);
    /// the others (tiles fooled late or early, e.g. by a blurred periodic texture) are dropped.
    static func monotone(_ curve: [Double?], decreasing: Bool) -> [Double?] {
        let placed = curve.indices.filter { curve[$0] != nil }
        guard placed.count > 2 else { return curve }
        let v = placed.map { curve[$0]! * (decreasing ? -1 : 1) }
        var length = [Int](repeating: 1, count: v.count), previous = [Int](repeating: -1, count: v.count)
        for i in v.indices {
            for j in 0..<i where v[j] <= v[i] + 0.01 && length[j] + 1 > length[i] {
                length[i] = length[j] + 1; previous[i] = j
            }
        }
        var keep = Set<Int>()
        var i = length.indices.max { length[$0] < length[$1] }!
        while i >= 0 { keep.insert(placed[i]); i = previous[i] }
        return curve.indices.map { keep.contains($0) ? curve[$0] : nil }
    }

    /// Alternating extrema standing `hysteresis` above or below their neighbours.
    static func turningPoints(_ v: [Double], hysteresis: Double) -> [Int] {
        RackDetector().turningPoints(v, from: 0, to: v.count - 1, hysteresis: hysteresis)
    }
}
