import Foundation

/// An aperture setting: an f-number, or a T-stop used as one.
///
/// T-stops measure transmitted light; depth of field depends on the geometric f-number, which is
/// slightly smaller (a T2.1 lens is about f/1.9). RackFocus uses the number as given and notes it:
/// depth of field comes out a few percent deeper than the glass really gives.
public struct Stop: Sendable, Hashable, CustomStringConvertible {
    public var number: Double
    public var isTStop: Bool

    public init(_ number: Double, isTStop: Bool = false) {
        self.number = number
        self.isTStop = isTStop
    }

    public static let tStopNote = "T-stop used as an f-stop: true depth of field is slightly shallower"

    /// Parses `2.8`, `f/2.8`, `f2.8`, `T2.1`.
    public init(parsing text: String) throws(ValueError) {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        var t = false
        if s.hasPrefix("t") {
            t = true; s.removeFirst()
        } else if s.hasPrefix("f/") {
            s.removeFirst(2)
        } else if s.hasPrefix("f") {
            s.removeFirst()
        }
        guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw ValueError(
                "\"\(text)\" is not a stop", fix: "write an f-number like 2.8 or f/2.8, or a T-stop like T2.1")
        }
        guard v >= 0.5, v <= 128 else {
            throw ValueError("stop \(text) is outside 0.5-128", fix: "write an f-number like 2.8")
        }
        self.init(v, isTStop: t)
    }

    public var description: String {
        let n = number == number.rounded() ? String(Int(number)) : String(format: "%g", number)
        return isTStop ? "T\(n)" : "f/\(n)"
    }

    /// Standard third-stop scale, for advice ("open to T2").
    public static let thirdStops: [Double] = [
        0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.5, 2.8, 3.2, 3.5,
        4.0, 4.5, 5.0, 5.6, 6.3, 7.1, 8.0, 9.0, 10, 11, 13, 14, 16, 18, 20, 22, 25, 29, 32,
    ]

    /// The nearest marked third-stop at or below `n` (at least as open).
    public static func thirdStop(atMost n: Double) -> Double? { thirdStops.last(where: { $0 <= n * 1.0001 }) }
    /// The nearest marked third-stop at or above `n` (at least as closed).
    public static func thirdStop(atLeast n: Double) -> Double? { thirdStops.first(where: { $0 >= n * 0.9999 }) }
}
