import Foundation

/// Angle of view, focus breathing and anamorphic squeeze.
///
/// A lens focused at s forms its image at v = f (1 + m), m = f/(s − f). A unit-focusing thin lens
/// therefore narrows its field as it focuses closer ("breathing"). Real lenses show a fraction β of
/// that: the effective image distance is f (1 + β·m). Angles use the desqueezed width (w × squeeze).
extension Camera {
    /// Image scale relative to infinity focus: 1 + β·m(s). 1.02 means subjects look 2% larger.
    public func frameScale(focus s: Distance) -> Double { 1 + breathing * magnification(focus: s) }

    /// Horizontal angle of view in degrees at focus `s` (infinity by default), desqueezed.
    public func horizontalAngleOfView(focus s: Distance = .infinity) -> Double {
        angle(span: sensor.widthMM * squeeze, focus: s)
    }

    /// Vertical angle of view in degrees.
    public func verticalAngleOfView(focus s: Distance = .infinity) -> Double {
        angle(span: sensor.heightMM, focus: s)
    }

    /// Diagonal angle of view in degrees.
    public func diagonalAngleOfView(focus s: Distance = .infinity) -> Double {
        let w = sensor.widthMM * squeeze, h = sensor.heightMM
        return angle(span: (w * w + h * h).squareRoot(), focus: s)
    }

    private func angle(span: Double, focus s: Distance) -> Double {
        let v = focalLengthMM * frameScale(focus: s)
        return 2 * atan(span / (2 * v)) * 180 / .pi
    }
}
