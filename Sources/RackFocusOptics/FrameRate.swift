import Foundation

/// A frame rate as an exact ratio, so 23.976 is 24000/1001 and frame counts never drift.
public struct FrameRate: Sendable, Hashable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(numerator: Int, denominator: Int = 1) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Frames per second.
    public var fps: Double { Double(numerator) / Double(denominator) }
    /// The integer rate timecode counts in (24 for 23.976, 30 for 29.97).
    public var timecodeBase: Int { Int((fps).rounded()) }
    /// True for the NTSC rates (x/1001), where drop-frame timecode is allowed at 29.97 and 59.94.
    public var isNTSC: Bool { denominator == 1001 }
    /// Drop-frame timecode exists only for 29.97 and 59.94.
    public var supportsDropFrame: Bool { isNTSC && (timecodeBase == 30 || timecodeBase == 60) }

    public var description: String {
        if denominator == 1 { return "\(numerator)" }
        return String(format: "%.3f", fps).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }

    /// Parses `24`, `25`, `23.976`, `23.98`, `29.97`, `59.94`, `24000/1001`, `24fps`.
    ///
    /// Decimal NTSC rates map to their exact x/1001 ratio.
    public init(parsing text: String) throws(ValueError) {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s.hasSuffix("fps") { s = String(s.dropLast(3)).trimmingCharacters(in: .whitespaces) }
        let fix = "write a frame rate such as 24, 23.976, 25, 29.97 or 24000/1001"
        if let slash = s.firstIndex(of: "/") {
            guard let n = Int(s[..<slash]), let d = Int(s[s.index(after: slash)...]), n > 0, d > 0,
                Limits.fps.contains(Double(n) / Double(d))
            else {
                throw ValueError("\"\(text)\" is not a frame rate", fix: fix)
            }
            self.init(numerator: n, denominator: d)
            return
        }
        guard let v = Limits.decimal(s), Limits.fps.contains(v) else {
            throw ValueError("\"\(text)\" is not a frame rate from 1 to 1000 fps", fix: fix)
        }
        if v == v.rounded() { self.init(numerator: Int(v)); return }
        for base in [24, 30, 48, 60, 120] {
            let ntsc = Double(base) * 1000 / 1001
            if abs(v - ntsc) < 0.006 { self.init(numerator: base * 1000, denominator: 1001); return }
        }
        // Any other fractional rate: keep it to the millihertz.
        self.init(numerator: Int((v * 1000).rounded()), denominator: 1000)
    }
}
