import Foundation

/// Everything about the camera and lens that the optics need.
///
/// Distances are measured from the lens (thin-lens model); focal length, sensor and CoC in mm.
public struct Camera: Sendable, Hashable {
    public var sensor: Sensor
    /// Focal length in millimetres (for anamorphics, the taking focal length: vertical).
    public var focalLengthMM: Double
    public var stop: Stop
    /// The circle-of-confusion limit in millimetres on the sensor.
    public var cocMM: Double
    /// Delivery resolution, for blur in pixels.
    public var resolution: Resolution
    /// Anamorphic squeeze factor (1 = spherical).
    public var squeeze: Double
    /// Focus breathing coefficient β: the fraction of a unit-focusing thin lens's magnification
    /// change this lens shows. 0 = breathing-compensated, 1 = thin lens, negative = widens when
    /// focused closer. See `frameScale(focus:)`.
    public var breathing: Double
    /// Closest focus; focus marks nearer than this are errors when it was stated.
    public var minFocus: Distance
    /// True when `minFocus` came from the plan or the command line, not the generic default.
    public var minFocusIsStated: Bool
    public var aperture: ApertureShape
    /// Optical vignetting ("cat's eye"), 0 (none) to 0.9: the share of a corner bokeh disc's width,
    /// along the line to the frame's centre, that the lens barrel cuts away (render-model.md §6).
    public var catEye: Double = 0

    public init(
        sensor: Sensor, focalLengthMM: Double, stop: Stop, cocMM: Double? = nil,
        resolution: Resolution = Resolution(width: 1920, height: 1080), squeeze: Double = 1,
        breathing: Double = 0, minFocus: Distance? = nil, aperture: ApertureShape = .circle
    ) {
        self.sensor = sensor
        self.focalLengthMM = focalLengthMM
        self.stop = stop
        self.cocMM = cocMM ?? sensor.cocMM
        self.resolution = resolution
        self.squeeze = squeeze
        self.breathing = breathing
        self.minFocus = minFocus ?? Camera.genericMinFocus(focalLengthMM: focalLengthMM)
        self.minFocusIsStated = minFocus != nil
        self.aperture = aperture
    }

    /// A generic cine prime's close focus when none is stated: ten focal lengths, at least 25 cm.
    public static func genericMinFocus(focalLengthMM: Double) -> Distance {
        .meters(max(0.25, focalLengthMM * 10 / 1000))
    }

    /// Entrance pupil diameter A = f / N, in millimetres.
    public var apertureDiameterMM: Double { focalLengthMM / stop.number }

    /// Delivery pixels per millimetre of sensor, along the long (vertical-equivalent) axis of the blur.
    ///
    /// The delivery width spans the sensor width × squeeze once desqueezed.
    public var pixelsPerMM: Double { Double(resolution.width) / (sensor.widthMM * squeeze) }
}

/// The shape of the iris: a circle, or N straight or curved blades.
public struct ApertureShape: Sendable, Hashable {
    /// 0 = circular.
    public var blades: Int
    /// Rotation of the polygon in degrees, as Blender/Cycles define it: at 0 a flat side faces
    /// right; positive turns it counter-clockwise on screen.
    public var rotationDegrees: Double
    /// 0 = straight blades (polygon), 1 = fully rounded (circle).
    public var curvature: Double

    public init(blades: Int = 0, rotationDegrees: Double = 0, curvature: Double = 0) {
        self.blades = blades
        self.rotationDegrees = rotationDegrees
        self.curvature = curvature
    }

    public static let circle = ApertureShape()
}

/// Circle-of-confusion limits as users write them.
public enum CircleOfConfusion {
    /// Parses `0.025mm` (on the sensor), `1px` (pixels of the delivery resolution) or
    /// `1px@4k` / `2px@1920x1080` (pixels of a named resolution), returning millimetres on a
    /// sensor of the given width.
    ///
    /// "1 pixel of 4K" on a 24.89 mm wide sensor is 24.89 / 3840 = 0.0065 mm.
    public static func millimeters(parsing text: String, sensorWidthMM: Double, delivery: Resolution) throws(ValueError)
        -> Double
    {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let px = s.range(of: "px") {
            guard let n = Double(s[..<px.lowerBound].trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw ValueError("\"\(text)\" is not a pixel count", fix: "write 1px, 2px@4k or 1px@1920x1080")
            }
            var res = delivery
            let rest = s[px.upperBound...].trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("@") {
                res = try Resolution(parsing: String(rest.dropFirst()))
            } else if !rest.isEmpty {
                throw ValueError("\"\(text)\" is not a pixel count", fix: "write 1px, 2px@4k or 1px@1920x1080")
            }
            return n * sensorWidthMM / Double(res.width)
        }
        let mm = try Length.millimeters(parsing: s)
        guard mm > 0, mm < 1 else {
            throw ValueError("circle of confusion \(text) is outside 0-1 mm", fix: "write e.g. 0.025mm or 1px@4k")
        }
        return mm
    }
}
