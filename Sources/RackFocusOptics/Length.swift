import Foundation

/// Parses small optical lengths (focal length, sensor size, circle of confusion) into millimetres.
///
/// Accepts `50mm`, `5cm`, `0.03mm`, `1.5in`; a bare number is read as millimetres, the unit
/// every lens barrel and sensor sheet uses.
public enum Length {
    public static func millimeters(parsing text: String) throws(ValueError) -> Double {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let fix = "write it in millimetres, e.g. 50mm"
        let table: [(String, Double)] = [("mm", 1), ("cm", 10), ("in", 25.4), ("\"", 25.4), ("m", 1000)]
        for (suffix, scale) in table where s.hasSuffix(suffix) {
            if let v = Limits.decimal(s.dropLast(suffix.count)), v > 0, v * scale <= Limits.maxMillimeters {
                return v * scale
            }
            throw ValueError("\"\(text)\" is not a length", fix: fix)
        }
        if let v = Limits.decimal(s), v > 0, v <= Limits.maxMillimeters { return v }
        throw ValueError("\"\(text)\" is not a length", fix: fix)
    }

    /// `0.030 mm`, `50 mm`: trailing zeros trimmed to at most three decimals.
    public static func format(millimeters mm: Double) -> String {
        var s = String(format: "%.3f", mm)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s + " mm"
    }
}
