import Foundation

/// A distance from the lens, stored in metres, remembering the unit system it was written in.
///
/// `Distance.infinity` is a valid focus distance (dioptres 0).
public struct Distance: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The distance in metres; `.infinity` for infinity focus.
    public var meters: Double
    /// How to print it back.
    public var system: UnitSystem

    public init(meters: Double, system: UnitSystem = .metric) {
        self.meters = meters
        self.system = system
    }

    public static func meters(_ m: Double) -> Distance { Distance(meters: m) }
    public static func millimeters(_ mm: Double) -> Distance { Distance(meters: mm / 1000) }
    public static func feet(_ ft: Double) -> Distance { Distance(meters: ft * 0.3048, system: .imperial) }
    public static let infinity = Distance(meters: .infinity)

    public var millimeters: Double { meters * 1000 }
    public var feet: Double { meters / 0.3048 }
    public var isInfinite: Bool { meters.isInfinite }
    /// Focus power in dioptres (1/m); 0 at infinity.
    public var dioptres: Double { isInfinite ? 0 : 1 / meters }

    /// The same distance printed in another unit system.
    public func printed(in system: UnitSystem) -> Distance { Distance(meters: meters, system: system) }

    public static func < (a: Distance, b: Distance) -> Bool { a.meters < b.meters }
    public static func == (a: Distance, b: Distance) -> Bool { a.meters == b.meters }
    public func hash(into h: inout Hasher) { h.combine(meters) }

    /// As a camera assistant writes it: `2.35 m` / `85 cm` or `12'6"`, `∞` for infinity.
    public var description: String { formatted() }

    /// Formats the distance in its unit system.
    ///
    /// Metric: metres with two decimals (centimetres below 1 m, for close marks).
    /// Imperial: feet and inches to the nearest half inch, inches alone below one foot.
    public func formatted() -> String {
        if isInfinite { return "∞" }
        switch system {
        case .metric:
            if abs(meters) < 1 {
                return String(format: "%.1f cm", meters * 100).replacingOccurrences(of: ".0 cm", with: " cm")
            }
            return String(format: "%.2f m", meters)
        case .imperial:
            let halfInches = (abs(meters) / 0.0254 * 2).rounded()
            let sign = meters < 0 ? "-" : ""
            let feet = Int(halfInches) / 24
            let inchHalves = Int(halfInches) % 24
            let inches = inchHalves % 2 == 0 ? "\(inchHalves / 2)" : "\(inchHalves / 2).5"
            return feet == 0 ? "\(sign)\(inches)\"" : "\(sign)\(feet)'\(inches)\""
        }
    }

    /// Parses `1.8m`, `180cm`, `1800mm`, `40ft`, `40'`, `6in`, `6"`, `12'6"`, `12ft 6in`, `inf`.
    ///
    /// A bare number is rejected: a focus distance without a unit is the classic on-set mistake.
    public init(parsing text: String) throws(ValueError) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if ["inf", "infinity", "∞"].contains(s) { self = .infinity; return }
        let unitFix = "write it with a unit, e.g. 1.8m, 180cm, 6ft or 12'6\""
        if s.isEmpty { throw ValueError("empty distance", fix: unitFix) }
        // Feet-inches forms: 12'6", 12' 6", 12ft 6in, 12ft6in
        let normalized = s.replacingOccurrences(of: "ft", with: "'")
            .replacingOccurrences(of: "in", with: "\"")
            .replacingOccurrences(of: "''", with: "\"")
            .replacingOccurrences(of: "”", with: "\"").replacingOccurrences(of: "’", with: "'")
            .replacingOccurrences(of: " ", with: "")
        if normalized.contains("'") || normalized.hasSuffix("\"") {
            var feet = 0.0, inches = 0.0
            var rest = Substring(normalized)
            if let q = rest.firstIndex(of: "'") {
                guard let f = Limits.decimal(rest[..<q]), f >= 0 else {
                    throw ValueError("\"\(text)\" is not a distance", fix: unitFix)
                }
                feet = f
                rest = rest[rest.index(after: q)...]
            }
            if !rest.isEmpty {
                guard rest.hasSuffix("\""), let i = Limits.decimal(rest.dropLast()), i >= 0 else {
                    throw ValueError("\"\(text)\" is not a distance", fix: unitFix)
                }
                inches = i
            }
            self = try Self.checked(Distance(meters: (feet * 12 + inches) * 0.0254, system: .imperial), text)
            return
        }
        let units: [(String, Double, UnitSystem)] = [("mm", 0.001, .metric), ("cm", 0.01, .metric), ("m", 1, .metric)]
        for (suffix, scale, system) in units where s.hasSuffix(suffix) {
            guard let v = Limits.decimal(s.dropLast(suffix.count)) else {
                throw ValueError("\"\(text)\" is not a distance", fix: unitFix)
            }
            self = try Self.checked(Distance(meters: v * scale, system: system), text)
            return
        }
        if Limits.decimal(s) != nil { throw ValueError("\"\(text)\" has no unit", fix: unitFix) }
        throw ValueError("\"\(text)\" is not a distance", fix: unitFix)
    }

    /// A parsed distance within `Limits.distanceMeters`.
    static func checked(_ d: Distance, _ text: String) throws(ValueError) -> Distance {
        guard d.meters > 0 else {
            throw ValueError(
                "distance \(d) is not in front of the lens",
                fix: "distances are measured from the lens and must be positive")
        }
        guard d.meters >= Limits.distanceMeters.lowerBound else {
            throw ValueError("\"\(text)\" is closer than 1 mm", fix: "write the distance from the lens, e.g. 0.5m")
        }
        guard d.meters <= Limits.distanceMeters.upperBound else {
            throw ValueError("\"\(text)\" is beyond 1,000 km", fix: "write inf for focus at infinity")
        }
        return d
    }
}
