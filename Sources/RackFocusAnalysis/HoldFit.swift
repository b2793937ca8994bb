import Foundation

/// Where focus stood at the clip's two ends, and the lens's blur scale, from the blur of tiles
/// that focus passed.
///
/// The tiles sharpest at an end only bound that end's focus: focus stood at them, or short of
/// them along the move, in empty space (a rack to 9 m between a figure at 6 m and a wall at 30 m
/// leaves the wall sharpest at the end). A tile that focus passed during the move is blurred at
/// both ends by K·|focus − tile| (K pixels of blur circle per dioptre), so its blur at the two ends
/// places them. The fit starts from both ends at their tiles and frees an end (searching it
/// between its tiles and the nearest focus placed by a passing tile) only when that explains the
/// blur clearly better; with passed tiles at one depth only the ratio of the two ends' blur is
/// known, so at least one end stays at its tiles.
package enum HoldFit {
    /// One tile's blur-circle diameter (pixels) at the opening (`atClosing` false) or closing hold.
    package struct Sample: Sendable, Equatable {
        package var dioptres: Double
        package var atClosing: Bool
        package var diameter: Double
        package init(dioptres: Double, atClosing: Bool, diameter: Double) {
            self.dioptres = dioptres
            self.atClosing = atClosing
            self.diameter = diameter
        }
    }

    package struct Result: Sendable, Equatable {
        /// The holds, dioptres.
        package var opening: Double
        package var closing: Double
        /// Blur-circle diameter per dioptre of defocus, pixels.
        package var pixelsPerDioptre: Double
        /// Whether each end was moved off its tiles by the fit.
        package var openingFreed: Bool
        package var closingFreed: Bool
    }

    /// A freer model is taken only when its summed residual is below this share of the simpler one's.
    package static let improvement = 0.85
    /// Defocus below which a sample does not set K (its diameter is mostly measurement error).
    static let minimumDefocus = 0.03
    static let steps = 100

    /// Nil with fewer than 3 samples that set K, or no K that explains them.
    package static func fit(_ samples: [Sample], bounds b: FocusDistanceEstimator.Bounds) -> Result? {
        guard samples.count >= 3 else { return nil }
        var ratios = [Double]()
        ratios.reserveCapacity(samples.count)
        /// K (the median diameter per dioptre) and the summed absolute residual with the holds at
        /// `o` and `c`.
        func cost(_ o: Double, _ c: Double) -> (k: Double, cost: Double)? {
            ratios.removeAll(keepingCapacity: true)
            for s in samples {
                let u = abs((s.atClosing ? c : o) - s.dioptres)
                if u >= minimumDefocus { ratios.append(s.diameter / u) }
            }
            guard ratios.count >= 3 else { return nil }
            ratios.sort()
            let k = ratios[ratios.count / 2]
            guard k > 0 else { return nil }
            // Relative residuals (a diameter's error grows with it), softened by a pixel.
            var sum = 0.0
            for s in samples { sum += abs(log((s.diameter + 1) / (k * abs((s.atClosing ? c : o) - s.dioptres) + 1))) }
            return (k, sum)
        }
        func grid(_ a: Double, _ b: Double) -> [Double] {
            abs(b - a) < 1e-9 ? [a] : (0...steps).map { a + (b - a) * Double($0) / Double(steps) }
        }
        let openings = grid(b.firstPoint, b.openingTiles), closings = grid(b.lastPoint, b.closingTiles)
        func best(_ os: [Double], _ cs: [Double]) -> (o: Double, c: Double, k: Double, cost: Double)? {
            var out: (o: Double, c: Double, k: Double, cost: Double)?
            for o in os {
                for c in cs {
                    if let r = cost(o, c), r.cost < (out?.cost ?? .infinity) { out = (o, c, r.k, r.cost) }
                }
            }
            return out
        }
        guard var chosen = best([b.openingTiles], [b.closingTiles]) else {
            // No K at the tiles' edges: only a freed end can explain the samples.
            return best(openings, closings).map {
                Result(
                    opening: $0.o, closing: $0.c, pixelsPerDioptre: $0.k, openingFreed: true, closingFreed: true)
            }
        }
        var freed = (opening: false, closing: false)
        let one = [
            best(openings, [b.closingTiles]).map { ($0, (true, false)) },
            best([b.openingTiles], closings).map { ($0, (false, true)) },
        ].compactMap { $0 }.min { $0.0.cost < $1.0.cost }
        if let one, one.0.cost < improvement * chosen.cost {
            chosen = one.0
            freed = one.1
            // Both ends free needs passed tiles at more than one depth to separate K from the holds.
            let depths = samples.map(\.dioptres)
            if depths.max()! - depths.min()! >= 0.1, let two = best(openings, closings),
                two.cost < improvement * chosen.cost
            {
                chosen = two
                freed = (true, true)
            }
        }
        return Result(
            opening: chosen.o, closing: chosen.c, pixelsPerDioptre: chosen.k, openingFreed: freed.opening,
            closingFreed: freed.closing)
    }
}
