/// The signed blur diameter in pixels as a linear function of scene dioptres (1/metres).
///
/// From blur(d) = A f (d − s) / (d (s − f)) = C · (1 − s/d) with C = A f / (s − f): with D = 1/d,
/// blur = C − C·s·D. At infinity focus, blur = −A f · D (metres → mm: A f / 1000 per dioptre).
/// The render engine evaluates this per pixel: one multiply-add, no divisions by focus.
public struct BlurModel: Sendable, Hashable {
    /// Blur of a subject at infinity, in pixels.
    public var offsetPixels: Double
    /// Change in blur per dioptre of subject distance (negative: nearer subjects blur the other way).
    public var pixelsPerDioptre: Double

    @inline(__always)
    public func pixels(dioptres: Double) -> Double { offsetPixels + pixelsPerDioptre * dioptres }
}

extension Camera {
    /// The linear blur model for focus distance `s` at this camera's resolution.
    public func blurModel(focus s: Distance) -> BlurModel {
        let a = apertureDiameterMM, f = focalLengthMM
        if s.isInfinite { return BlurModel(offsetPixels: 0, pixelsPerDioptre: -a * f / 1000 * pixelsPerMM) }
        let c = a * f / (s.millimeters - f) * pixelsPerMM
        return BlurModel(offsetPixels: c, pixelsPerDioptre: -c * s.meters)
    }
}
