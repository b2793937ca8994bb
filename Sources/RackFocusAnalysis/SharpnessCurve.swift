/// One region's focus measure over a clip, and the same curve relative to its own range.
package struct SharpnessCurve: Sendable {
    package var name: String
    /// The operator's value per frame.
    package var raw: [Double]
    /// 0 at the region's softest frame of the clip, 1 at its sharpest (after a 3-frame median,
    /// which removes single-frame codec spikes without moving edges).
    package var relative: [Double]
    /// Frame-to-frame noise of `relative`: a robust standard deviation of its first differences.
    package var noise: Double
    /// Whether the region's sharpness really changes over the clip (its range is well above its
    /// noise and a real share of its level). A static region's relative curve is noise stretched to
    /// 0...1, and is never read as a rack.
    package var changes: Bool

    package init(name: String, raw: [Double]) {
        self.name = name
        self.raw = raw
        let smooth = SharpnessCurve.median3(raw)
        let lo = smooth.min() ?? 0, hi = smooth.max() ?? 0
        let range = hi - lo
        relative = smooth.map { range > 0 ? ($0 - lo) / range : 0 }
        noise = SharpnessCurve.noise(relative)
        changes = range > 0 && range / max(hi, 1e-12) >= 0.08 && noise < 0.05
    }

    static func median3(_ v: [Double]) -> [Double] {
        guard v.count >= 3 else { return v }
        var out = v
        for i in 1..<(v.count - 1) {
            let a = v[i - 1], b = v[i], c = v[i + 1]
            out[i] = max(min(a, b), min(max(a, b), c))
        }
        return out
    }

    /// 1.4826 · median |Δ| / √2: the noise of one sample, from first differences (moves cover a
    /// minority of frames, so the median ignores them).
    static func noise(_ v: [Double]) -> Double {
        guard v.count >= 3 else { return 0 }
        var d = zip(v.dropFirst(), v).map { abs($0 - $1) }
        d.sort()
        return 1.4826 * d[d.count / 2] / 2.0.squareRoot()
    }
}
