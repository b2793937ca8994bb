import Foundation

extension Camera {
    /// The focus distance that blurs two subjects equally: the harmonic mean 2·d1·d2 / (d1 + d2).
    ///
    /// From blur(d) ∝ |d − s| / d: equal blur needs (s − d1)/d1 = (d2 − s)/d2. With d2 = ∞ it is 2·d1.
    public func splitFocus(_ a: Distance, _ b: Distance) -> Distance {
        let (d1, d2) = a <= b ? (a, b) : (b, a)
        let system = a.system
        if d2.isInfinite { return Distance(meters: 2 * d1.meters, system: system) }
        return Distance(meters: 2 * d1.meters * d2.meters / (d1.meters + d2.meters), system: system)
    }

    /// The f-number that holds both subjects within the CoC limit when focused at the split.
    ///
    /// Solving blur(d1) = c at s = split: N = f² (s − d1) / (c · d1 · (s − f)).
    public func stopToHold(_ a: Distance, _ b: Distance) -> Double {
        let d1 = min(a, b).millimeters
        let s = splitFocus(a, b).millimeters
        let f = focalLengthMM
        return f * f * (s - d1) / (cocMM * d1 * (s - f))
    }
}
