import Foundation

/// Thin-lens depth of field. Formulas from the standard thin-lens derivation
/// (e.g. Wikipedia "Depth of field", "Circle of confusion"; Ray, *Applied Photographic Optics* §5):
/// with focal length f, f-number N, CoC limit c, focus distance s and subject distance d,
/// all measured from the lens:
///
///     blur(d)   = (f / N) · f · (d − s) / (d · (s − f))      signed image-plane blur diameter
///     H         = f² / (N c) + f                             hyperfocal distance
///     near      = s (H − f) / (H + s − 2f)
///     far       = s (H − f) / (H − s)     (∞ when s ≥ H)
///
/// `near` and `far` are exactly where |blur| = c.
extension Camera {
    /// Signed blur-disc diameter on the sensor, in millimetres: negative in front of the focus
    /// plane, positive behind it, zero on it.
    public func blurDiameterMM(subject d: Distance, focus s: Distance) -> Double {
        let f = focalLengthMM, a = apertureDiameterMM
        switch (d.isInfinite, s.isInfinite) {
        case (true, true): return 0
        case (true, false): return a * f / (s.millimeters - f)
        case (false, true): return -a * f / d.millimeters
        case (false, false):
            let dm = d.millimeters, sm = s.millimeters
            return a * f * (dm - sm) / (dm * (sm - f))
        }
    }

    /// Signed blur diameter in pixels of the delivery resolution.
    public func blurPixels(subject d: Distance, focus s: Distance) -> Double {
        blurDiameterMM(subject: d, focus: s) * pixelsPerMM
    }

    /// The circle-of-confusion limit in delivery pixels.
    public var cocPixels: Double { cocMM * pixelsPerMM }

    /// Hyperfocal distance H = f²/(N c) + f: focused there, everything from H/2 to ∞ is acceptably sharp.
    public var hyperfocal: Distance {
        .millimeters(focalLengthMM * focalLengthMM / (stop.number * cocMM) + focalLengthMM)
    }

    /// Depth of field when focused at `s`.
    public func depthOfField(focus s: Distance) -> DepthOfField {
        let f = focalLengthMM
        let h = hyperfocal.millimeters
        if s.isInfinite {
            return DepthOfField(focus: s, near: Distance(meters: (h - f) / 1000, system: s.system), far: .infinity)
        }
        let sm = s.millimeters
        let near = sm * (h - f) / (h + sm - 2 * f)
        let far = sm < h ? sm * (h - f) / (h - sm) : Double.infinity
        return DepthOfField(
            focus: s, near: Distance(meters: near / 1000, system: s.system),
            far: Distance(meters: far / 1000, system: s.system))
    }

    /// Magnification m = f / (s − f) of a subject at the focus distance (0 at infinity).
    public func magnification(focus s: Distance) -> Double {
        s.isInfinite ? 0 : focalLengthMM / (s.millimeters - focalLengthMM)
    }
}

/// Near and far limits of acceptable sharpness around a focus distance.
public struct DepthOfField: Sendable, Hashable {
    public var focus: Distance
    public var near: Distance
    public var far: Distance

    /// far − near; infinite when the far limit is.
    public var total: Distance { Distance(meters: far.meters - near.meters, system: focus.system) }
    public var inFront: Distance { Distance(meters: focus.meters - near.meters, system: focus.system) }
    public var behind: Distance { Distance(meters: far.meters - focus.meters, system: focus.system) }

    public func contains(_ d: Distance) -> Bool { d.meters >= near.meters && d.meters <= far.meters }
}
