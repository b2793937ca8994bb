/// The ranges every value read from a plan or a command line must fall in, so that no input
/// reaches a conversion that traps, an allocation that cannot succeed, or a `nan` in the output
/// (docs/plan-format.md, "Limits").
public enum Limits {
    /// The longest plan, moment or duration: 24 hours.
    public static let maxSeconds = 86_400.0
    /// Frame rates.
    public static let fps: ClosedRange<Double> = 1...1000
    /// Distances: from 1 mm to 1,000 km (`inf` for infinity).
    public static let distanceMeters: ClosedRange<Double> = 0.001...1_000_000
    /// Lengths in millimetres (focal lengths, sensor sizes, CoC): up to 10 m.
    public static let maxMillimeters = 10_000.0
    /// A plan file, and a track file, in bytes.
    public static let planBytes = 4 << 20
    /// Subjects, and entries under focus (after presets expand).
    public static let maxSubjects = 1_000
    public static let maxFocusEntries = 10_000

    /// A plain decimal number, `12`, `-1.5`, `.5`, `2e3`: no hexadecimal (`0x3`), no `nan` or
    /// `inf` spellings, and finite.
    public static func decimal<S: StringProtocol>(_ text: S) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        var digits = 0, seenDot = false, seenExponent = false, exponentDigits = 0
        var previous: Character?
        for c in s {
            switch c {
            case "0"..."9":
                if seenExponent { exponentDigits += 1 } else { digits += 1 }
            case ".":
                guard !seenDot, !seenExponent else { return nil }
                seenDot = true
            case "e", "E":
                guard !seenExponent, digits > 0 else { return nil }
                seenExponent = true
            case "+", "-":
                guard previous == nil || previous == "e" || previous == "E" else { return nil }
            default:
                return nil
            }
            previous = c
        }
        guard digits > 0, !seenExponent || exponentDigits > 0, let v = Double(s), v.isFinite else { return nil }
        return v
    }
}
