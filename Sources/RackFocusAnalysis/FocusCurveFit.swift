import RackFocusPlan

/// A focus move fitted to a measured focus curve: the cue frames, marks and easing that reproduce it.
package struct FittedMove: Sendable, Equatable {
    /// The index of the rack it reproduces, among the racks given to the fit.
    package var rack: Int
    /// The last frame at the first mark and the first frame at the second (plan cues).
    package var startFrame: Int
    package var landFrame: Int
    package var fromMeters: Double
    package var toMeters: Double
    package var easing: Easing
    /// Root-mean-square difference between the fitted and the measured curve over the fitted
    /// window, in dioptres.
    package var rmsDioptres: Double
}

/// Fits plan moves to the focus curve `analyze` measures from depth, so that a render with the
/// resulting plan reproduces the plate's rack.
package enum FocusCurveFit {
    /// One move per detected rack that landed. The marks are the median focus of the holds either
    /// side; the cue frames (searched up to `reach` frames outside the visible start and landing,
    /// since an eased move is invisible at its ends) and the easing minimise the squared error in
    /// dioptres over the frames between the neighbouring racks. Moves never overlap: each starts at
    /// or after the previous one's landing, as a plan requires.
    package static func fit(focus: [Double?], racks: [RackEvent], reach: Int = 18) -> [FittedMove] {
        let frames = focus.count
        let dioptres = focus.map { $0.map { $0.isFinite ? 1 / $0 : 0 } }
        var out: [FittedMove] = []
        let landedIndices = racks.indices.filter { racks[$0].landFrame != nil }
        let landed = landedIndices.map { racks[$0] }
        for (k, rack) in landed.enumerated() {
            let land = rack.landFrame!
            let windowStart = k > 0 ? landed[k - 1].landFrame! : 0
            let windowEnd = k + 1 < landed.count ? landed[k + 1].startFrame : frames - 1
            guard windowStart <= rack.startFrame, land <= windowEnd, windowEnd < frames else { continue }
            func median(_ r: ClosedRange<Int>) -> Double? {
                let v = r.compactMap { dioptres[$0] }.sorted()
                return v.isEmpty ? nil : v[v.count / 2]
            }
            guard let d0 = median(windowStart...rack.startFrame), let d1 = median(land...windowEnd), d0 != d1 else {
                continue
            }
            var best: FittedMove?
            var bestError = Double.infinity
            // A move starts no earlier than the one before it lands: a plan's moves may not overlap
            // (the earlier one may end as late as this rack's visible start, and this one start as
            // early as that rack's visible landing). The last fit lands by this rack's visible start.
            let earliest = max(windowStart, rack.startFrame - reach, out.last?.landFrame ?? 0)
            for s in earliest...rack.startFrame {
                for e in land...min(windowEnd, land + reach) where e > s {
                    for easing in Easing.allCases {
                        var sum = 0.0, n = 0
                        for t in windowStart...windowEnd {
                            guard let d = dioptres[t] else { continue }
                            let model = d0 + (d1 - d0) * easing.progress(Double(t - s) / Double(e - s))
                            sum += (model - d) * (model - d); n += 1
                        }
                        if n > 0 && sum < bestError {
                            bestError = sum
                            best = FittedMove(
                                rack: landedIndices[k], startFrame: s, landFrame: e, fromMeters: 1 / d0,
                                toMeters: 1 / d1, easing: easing,
                                rmsDioptres: (sum / Double(n)).squareRoot())
                        }
                    }
                }
            }
            if let best { out.append(best) }
        }
        return out
    }
}
