import Foundation

/// An image sensor (or film gate): its active size and the circle-of-confusion limit used with it.
public struct Sensor: Sendable, Hashable {
    /// Preset name (`super35`) or `custom`.
    public var name: String
    /// Human name for reports.
    public var title: String
    /// Active width and height in millimetres.
    public var widthMM: Double
    public var heightMM: Double
    /// Conventional circle-of-confusion limit in millimetres for this format.
    public var cocMM: Double

    public init(name: String, title: String, widthMM: Double, heightMM: Double, cocMM: Double) {
        self.name = name
        self.title = title
        self.widthMM = widthMM
        self.heightMM = heightMM
        self.cocMM = cocMM
    }

    public var diagonalMM: Double { (widthMM * widthMM + heightMM * heightMM).squareRoot() }

    /// The presets. Sizes are the common active areas; the CoC values are the conventions
    /// camera assistants' calculators use (see docs/optics.md for sources):
    /// - super35 24.89 × 18.66 mm (4-perf full aperture), 0.025 mm: the motion-picture
    ///   convention of 0.001 inch (ASC Manual depth-of-field tables).
    /// - fullframe 36 × 24 mm, 0.030 mm: the 35 mm still convention (diagonal / 1442).
    /// - apsc 23.6 × 15.6 mm, 0.020 mm: full frame's 0.030 mm over the 1.5× crop.
    /// - mft 17.3 × 13.0 mm, 0.015 mm: full frame's 0.030 mm over the 2× crop.
    /// - twothirds 9.59 × 5.39 mm (2/3-inch 16:9 broadcast), 0.011 mm: diagonal / 1000.
    /// - lf65 54.12 × 25.58 mm (ARRI ALEXA 65 open gate), 0.042 mm: diagonal / 1442.
    /// - phone 9.8 × 7.3 mm (a 1/1.3-inch main camera), 0.0085 mm: diagonal / 1442.
    public static let presets: [Sensor] = [
        Sensor(name: "super35", title: "Super 35", widthMM: 24.89, heightMM: 18.66, cocMM: 0.025),
        Sensor(name: "fullframe", title: "full frame", widthMM: 36, heightMM: 24, cocMM: 0.030),
        Sensor(name: "apsc", title: "APS-C", widthMM: 23.6, heightMM: 15.6, cocMM: 0.020),
        Sensor(name: "mft", title: "Micro Four Thirds", widthMM: 17.3, heightMM: 13.0, cocMM: 0.015),
        Sensor(name: "twothirds", title: "2/3-inch", widthMM: 9.59, heightMM: 5.39, cocMM: 0.011),
        Sensor(name: "lf65", title: "large format 65 mm", widthMM: 54.12, heightMM: 25.58, cocMM: 0.042),
        Sensor(name: "phone", title: "phone main camera", widthMM: 9.8, heightMM: 7.3, cocMM: 0.0085),
    ]

    public static var presetNames: [String] { presets.map(\.name) }

    /// A preset by name (case-insensitive; `ff`, `s35`, `m43` accepted as aliases).
    public static func preset(named name: String) throws(ValueError) -> Sensor {
        let aliases = [
            "ff": "fullframe", "full-frame": "fullframe", "s35": "super35", "m43": "mft",
            "aps-c": "apsc", "2/3": "twothirds", "65mm": "lf65",
        ]
        let key = name.lowercased()
        if let s = presets.first(where: { $0.name == (aliases[key] ?? key) }) { return s }
        throw ValueError(
            "unknown sensor \"\(name)\"",
            fix: "use one of \(presetNames.joined(separator: ", ")), or give width and height in mm")
    }

    /// A custom sensor; its default CoC follows the diagonal / 1442 convention.
    public static func custom(widthMM: Double, heightMM: Double, cocMM: Double? = nil) -> Sensor {
        let d = (widthMM * widthMM + heightMM * heightMM).squareRoot()
        return Sensor(
            name: "custom",
            title: "custom \(Length.format(millimeters: widthMM)) × \(Length.format(millimeters: heightMM))",
            widthMM: widthMM, heightMM: heightMM, cocMM: cocMM ?? d / 1442)
    }
}
