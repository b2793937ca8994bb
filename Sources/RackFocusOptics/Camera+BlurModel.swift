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
    /// The linear blur model for focus distance `s`, in pixels of a frame `frameWidth` pixels
    /// across the sensor's width (nil: the camera's delivery resolution), as the lens frames it at
    /// `s` (the thin-lens blur, as `blurPixels`).
    public func blurModel(focus s: Distance, frameWidth: Int? = nil) -> BlurModel {
        let a = apertureDiameterMM, f = focalLengthMM
        let ppm = frameWidth.map { Double($0) / (sensor.widthMM * squeeze) } ?? pixelsPerMM
        if s.isInfinite { return BlurModel(offsetPixels: 0, pixelsPerDioptre: -a * f / 1000 * ppm) }
        let c = a * f / (s.millimeters - f) * ppm
        return BlurModel(offsetPixels: c, pixelsPerDioptre: -c * s.meters)
    }
}

extension Camera {
    /// The blur model in pixels of the frame *as framed at infinity focus* — the frame a sharp
    /// (pinhole) input image is — which is what the render engine uses.
    ///
    /// Focused at s, a thin lens moves its image to v = f·s/(s − f), magnifying the frame by
    /// v/f = s/(s − f) (breathing). Measured against the infinity-focus framing, the thin-lens
    /// blur is therefore smaller by (s − f)/s: blur = A·f·(d − s)/(d·s). This is also the blur of
    /// a path tracer's thin-lens camera with a fixed field of view (Cycles). Focus breathing
    /// (`frameScale`, 1 + β·m) rescales the frame afterwards; with β = 1 it restores the thin-lens
    /// blur exactly, since 1 + m = s/(s − f).
    ///
    /// `frameWidth` is the width in pixels of the frame rendered (nil: the delivery resolution).
    public func frameBlurModel(focus s: Distance, frameWidth: Int? = nil) -> BlurModel {
        var model = blurModel(focus: s, frameWidth: frameWidth)
        guard !s.isInfinite else { return model }
        let k = (s.millimeters - focalLengthMM) / s.millimeters
        model.offsetPixels *= k
        model.pixelsPerDioptre *= k
        return model
    }
}
