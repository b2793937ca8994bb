import Foundation
import RackFocusImage

/// The lens's blur scale from the footage itself: how many pixels of blur circle one dioptre of
/// defocus makes, from which the effective stop follows.
///
/// A tile whose sharpness peaks inside the clip was in focus at its peak frame (focus passed its
/// depth). Blurring that sharp crop with discs of growing diameter until it matches the same tile
/// at a frame where focus stood elsewhere gives the blur circle there; divided by the defocus in
/// dioptres (from the depth map and the estimated focus curve) that is K, pixels per dioptre. In
/// the frame as framed at infinity focus, K = A·f·ppm/1000 with A = f/N, so N = f²·ppm/(1000·K).
package enum BlurScale {
    /// One tile to measure: sharp at one frame, soft at the clip's ends.
    package struct Probe: Sendable {
        /// The crop to compare, in pixels of pyramid level `level`: the tile and a margin for the
        /// blur to reach into.
        package var crop: PixelRect
        package var level: Int
        /// The tile inside the crop (crop coordinates).
        package var inner: PixelRect
        package var sharpFrame: Int
        /// The first and/or last frame, where focus holds and the tile is blurred but not wiped out.
        package var softFrames: [Int]
        /// The tile's depth where it is sharp, dioptres.
        package var dioptres: Double
    }

    /// Margin around a tile, in pixels of the probe's level: blur diameters up to about twice
    /// this are measurable.
    package static let margin = 24

    /// The pyramid level probes work at: one binning per doubling of the width beyond 640 px,
    /// so that the blur of a 1080p or 4K frame fits the margin.
    package static func level(width: Int) -> Int { max(0, min(3, Int(log2(Double(width) / 640)))) }

    /// Up to `limit` probes: depth-flat tiles that peak inside the clip (truly in focus there),
    /// each with the ends of the clip where it is soft; tiles soft at both ends first, spread
    /// over their depths.
    package static func probes(_ analyzer: FocusAnalyzer, focus: [Double?], limit: Int = 40) -> [Probe] {
        let frames = analyzer.frameCount
        guard focus.count == frames, let tileSide = analyzer.tiles.first?.width else { return [] }
        let (fw, fh) = analyzer.frameSize
        let level = Self.level(width: fw), scale = 1 << level
        let (w, h) = (fw >> level, fh >> level), size = max(2, tileSide >> level)
        var out: [Probe] = []
        for k in analyzer.tiles.indices where analyzer.tileSpread[k] < 0.08 && analyzer.tileBrightest[k] < 0.99 {
            let curve = SharpnessCurve(name: "", raw: analyzer.tileSharpness[k].map(Double.init))
            guard curve.changes else { continue }
            let peak = (0..<frames).filter { curve.relative[$0] >= FocusDistanceEstimator.peakLevel }
            guard let first = peak.first, let last = peak.last, first > 0, last < frames - 1, last - first <= 3 else {
                continue
            }
            // Sharp where the focus curve says focus was at its depth, or it was fooled (bokeh
            // from a light nearby sweeping through it).
            let p = (first + last) / 2
            let dioptres = 1 / Double(analyzer.tileDepth[k][p])
            guard let atPeak = focus[p], abs(1 / atPeak - dioptres) < 0.05 else { continue }
            // Blurred, but not so far that no detail is left to match.
            let soft = [0, frames - 1].filter { (0.05...0.85).contains(curve.relative[$0]) }
            guard !soft.isEmpty else { continue }
            let full = analyzer.tiles[k]
            let t = PixelRect(x: full.x / scale, y: full.y / scale, width: size, height: size)
            guard t.x >= margin, t.y >= margin, t.x + size + margin <= w, t.y + size + margin <= h else { continue }
            out.append(
                Probe(
                    crop: PixelRect(
                        x: t.x - margin, y: t.y - margin, width: size + 2 * margin, height: size + 2 * margin),
                    level: level, inner: PixelRect(x: margin, y: margin, width: size, height: size),
                    sharpFrame: p, softFrames: soft, dioptres: dioptres))
        }
        // Evenly over depth within each group, so that no one surface fills the budget.
        var chosen: [Probe] = []
        for group in [out.filter { $0.softFrames.count == 2 }, out.filter { $0.softFrames.count == 1 }] {
            let room = limit - chosen.count
            guard room > 0, !group.isEmpty else { continue }
            let sorted = group.sorted { $0.dioptres < $1.dioptres }
            if sorted.count <= room {
                chosen += sorted
            } else {
                chosen += (0..<room).map { sorted[$0 * sorted.count / room] }
            }
        }
        return chosen
    }

    /// Each probe's blur at each of its soft frames, as hold-fit samples (pixels of the full frame).
    package static func samples(
        _ probes: [Probe], lastFrame: Int, crop: (_ probe: Int, _ frame: Int) -> PlanarImage?
    ) -> [HoldFit.Sample] {
        var out: [HoldFit.Sample] = []
        for (i, p) in probes.enumerated() {
            guard let sharp = crop(i, p.sharpFrame) else { continue }
            for f in p.softFrames {
                guard let soft = crop(i, f), let d = diameter(sharp: sharp, soft: soft, inner: p.inner) else {
                    continue
                }
                out.append(
                    HoldFit.Sample(dioptres: p.dioptres, atClosing: f == lastFrame, diameter: d * Double(1 << p.level)))
            }
        }
        return out
    }

    /// The blur-circle diameter (pixels) that turns `sharp` into `soft` over the inner rectangle:
    /// the engine's circular footprints from 0 to 2·margin px, each compared after a least-squares gain and
    /// offset; nil when no diameter explains the soft crop clearly better than none.
    package static func diameter(sharp: PlanarImage, soft: PlanarImage, inner: PixelRect) -> Double? {
        var errors: [(Double, Double)] = []
        var blurred = [Float](repeating: 0, count: inner.width * inner.height)
        // The render engine's own anti-aliased footprint of a circular aperture.
        let kernel = ApertureKernel(shape: .circle, maxRadius: Float(margin))
        var diameter = 0.0
        while diameter <= Double(2 * margin - 2) {
            let r = Float(diameter / 2)
            let reach = Int(r.rounded(.up)) + 1
            var weights: [(Int, Int, Float)] = []
            for dy in -reach...reach {
                for dx in -reach...reach {
                    let w = kernel.weight(radius: r, dx: dx, dy: dy)
                    if w > 0 { weights.append((dx, dy, w)) }
                }
            }
            let total = weights.reduce(0) { $0 + $1.2 }
            for y in 0..<inner.height {
                for x in 0..<inner.width {
                    var s: Float = 0
                    for (dx, dy, w) in weights {
                        let sx = min(max(inner.x + x + dx, 0), sharp.width - 1),
                            sy = min(max(inner.y + y + dy, 0), sharp.height - 1)
                        s += w * sharp.data[sy * sharp.width + sx]
                    }
                    blurred[y * inner.width + x] = s / total
                }
            }
            // Least-squares gain and offset, then the residual.
            var sb: Double = 0, ss: Double = 0, sbb: Double = 0, sbs: Double = 0, sss: Double = 0
            for y in 0..<inner.height {
                for x in 0..<inner.width {
                    let b = Double(blurred[y * inner.width + x]),
                        s = Double(soft.data[(inner.y + y) * soft.width + inner.x + x])
                    sb += b; ss += s; sbb += b * b; sbs += b * s; sss += s * s
                }
            }
            let n = Double(inner.width * inner.height)
            let vb = sbb / n - (sb / n) * (sb / n), cov = sbs / n - (sb / n) * (ss / n),
                vs = sss / n - (ss / n) * (ss / n)
            let residual = vb > 1e-12 ? vs - cov * cov / vb : vs
            errors.append((diameter, max(0, residual)))
            diameter += diameter < 4 ? 0.5 : 1
        }
        guard let best = errors.indices.min(by: { errors[$0].1 < errors[$1].1 }), best > 0, best < errors.count - 1
        else { return nil }
        // Clearly better than no blur at all, or the soft crop is not a blurred copy of the sharp one.
        guard errors[best].1 < 0.5 * errors[0].1 else { return nil }
        let (x0, e0) = errors[best - 1], (x1, e1) = errors[best], (x2, e2) = errors[best + 1]
        let denom = (x0 - x1) * (x0 - x2) * (x1 - x2)
        let a = (x2 * (e1 - e0) + x1 * (e0 - e2) + x0 * (e2 - e1)) / denom
        let b = (x2 * x2 * (e0 - e1) + x1 * x1 * (e2 - e0) + x0 * x0 * (e1 - e2)) / denom
        return a > 0 ? min(max(-b / (2 * a), x0), x2) : x1
    }

    /// The f-number whose blur scale is K pixels per dioptre: K = A·f·ppm/1000 with A = f/N in the
    /// frame as framed at infinity focus, so N = f²·ppm/(1000·K).
    package static func fNumber(pixelsPerDioptre k: Double, focalLengthMM f: Double, pixelsPerMM ppm: Double) -> Double
    {
        f * f * ppm / (1000 * k)
    }

}
