import Foundation

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
    /// Tiles at a hold's edge that may be strays.
    static let strays = 3

    /// What bounds the holds at the clip's ends, in dioptres.
    package struct Bounds: Sendable, Equatable {
        /// The opening and closing holds as placed (by their tiles, or as given).
        package var opening: Double
        package var closing: Double
        /// The tiles sharp at each end: focus stood at them, or short of them along the move.
        package var openingTiles: Double
        package var closingTiles: Double
        /// The first and last focus placed by a tile passing its peak: focus stood on the near
        /// side of the first and the far side of the last (along the move).
        package var firstPoint: Double
        package var lastPoint: Double

        /// Holds fixed at the curve's first and last focus (nil where either is unknown).
        package init?(fixedAt metres: [Double?]) {
            guard let a = metres.first ?? nil, let b = metres.last ?? nil else { return nil }
            self.init(
                opening: 1 / a, closing: 1 / b, openingTiles: 1 / a, closingTiles: 1 / b, firstPoint: 1 / a,
                lastPoint: 1 / b)
        }

        package init(
            opening: Double, closing: Double, openingTiles: Double, closingTiles: Double, firstPoint: Double,
            lastPoint: Double
        ) {
            self.opening = opening
            self.closing = closing
            self.openingTiles = openingTiles
            self.closingTiles = closingTiles
            self.firstPoint = firstPoint
            self.lastPoint = lastPoint
        }
    }

    package struct Estimate: Sendable {
        /// Metres per frame (nil: undetermined).
        package var metres: [Double?]
        /// Nil when the clip's focus does not move one way between two holds.
        package var holds: Bounds?

        package init(metres: [Double?], holds: Bounds? = nil) {
            self.metres = metres
            self.holds = holds
        }
    }

    /// One tile's curves over the clip.
    package struct Sample: Sendable {
        /// Relative sharpness (0 at its least, 1 at its most).
        package var relative: [Double]
        package var dioptres: [Double]
        /// Relative gradient energy, which must peak where the sharpness does (empty: unchecked).
        package var energy: [Double]
        package init(relative: [Double], dioptres: [Double], energy: [Double] = []) {
            self.relative = relative
            self.dioptres = dioptres
            self.energy = energy
        }
    }

    /// - Parameters:
    ///   - samples: per tile, relative sharpness and dioptres per frame.
    ///   - holds: the opening and closing holds in dioptres, to use instead of the tiles' edges.
    package static func estimate(frames: Int, samples: [Sample], holds: (opening: Double, closing: Double)? = nil)
        -> Estimate
    {
        guard frames >= 3, samples.count >= 3 else { return Estimate(metres: Array(repeating: nil, count: frames)) }
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
            // Blur only takes energy away: where focus was nearest the tile, its energy peaks too.
            if s.energy.count == frames {
                let energyPeak = (0..<frames).filter { s.energy[$0] >= peakLevel }
                guard let ef = energyPeak.first, let el = energyPeak.last else { continue }
                let agrees =
                    first == 0 ? ef == 0 : last == frames - 1 ? el == frames - 1 : abs((ef + el) - (first + last)) <= 6
                guard agrees else { continue }
            }
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
        var bounds: Bounds?
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
            // Focus never passed a hold's tiles, so the hold is at or short of the nearest of them
            // along the move. A few tiles in from the edge that faces the move (at most a quarter):
            // the extreme tile is often a stray (a tile the rack passes early, read through codec
            // noise); more would pull the edge into a larger surface behind (a wall behind the
            // landing subject).
            func edge(_ v: [Double], facingLow: Bool) -> Double {
                let k = min(v.count / 4, strays)
                return facingLow ? v[k] : v[v.count - 1 - k]
            }
            let openingTiles = edge(o, facingLow: towardsFar), closingTiles = edge(c, facingLow: !towardsFar)
            let openingEdge = holds?.opening ?? openingTiles, closingEdge = holds?.closing ?? closingTiles
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
            for t in 0..<min(frames, holdEnd + 1, firstPoint) { curve[t] = openingEdge }
            for t in max(0, max(holdStart, lastPoint + 1))..<frames where t > lastPoint { curve[t] = closingEdge }
            if firstPoint < frames {
                bounds = Bounds(
                    opening: openingEdge, closing: closingEdge, openingTiles: openingTiles, closingTiles: closingTiles,
                    firstPoint: curve[firstPoint]!, lastPoint: curve[lastPoint]!)
            }
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
        return Estimate(metres: curve.map { $0.map { $0 > 0 ? 1 / $0 : .infinity } }, holds: bounds)
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
