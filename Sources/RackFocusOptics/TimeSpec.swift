import Foundation

/// A moment or a duration as written in a plan: seconds (`1.5s`, `500ms`), frames (`36f`)
/// or SMPTE timecode (`00:00:04:12`, drop-frame `00:00:04;12`).
///
/// It resolves to frames or seconds only against a frame rate.
public enum TimeSpec: Sendable, Hashable, CustomStringConvertible {
    case seconds(Double)
    case frames(Double)
    /// A timecode string, kept verbatim until a rate resolves it.
    case timecode(String)

    public static let unitFix = "write 1.5s, 500ms, 36f or timecode 00:00:04:12"

    public init(parsing text: String) throws(ValueError) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s.isEmpty { throw ValueError("empty time", fix: Self.unitFix) }
        if s.contains(":") || s.contains(";") {
            // Validated for shape now; the rate checks the frame field later.
            let parts = s.split(whereSeparator: { $0 == ":" || $0 == ";" })
            guard parts.count == 4, parts.allSatisfy({ Int($0) != nil }) else {
                throw ValueError("\"\(text)\" is not timecode", fix: "write timecode as HH:MM:SS:FF")
            }
            self = .timecode(s)
            return
        }
        let table: [(String, (Double) -> TimeSpec)] = [
            ("ms", { .seconds($0 / 1000) }), ("sec", { .seconds($0) }), ("s", { .seconds($0) }),
            ("frames", { .frames($0) }), ("fr", { .frames($0) }), ("f", { .frames($0) }),
        ]
        for (suffix, make) in table where s.hasSuffix(suffix) {
            let number = s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let v = Limits.decimal(number) else {
                throw ValueError("\"\(text)\" is not a time", fix: Self.unitFix)
            }
            self = make(v)
            // Frames are checked against the rate when resolved; seconds now.
            if case .seconds(let sec) = self, abs(sec) > Limits.maxSeconds {
                throw ValueError("\"\(text)\" is longer than 24 hours", fix: "plans cover at most 24 h")
            }
            return
        }
        if Limits.decimal(s) != nil { throw ValueError("\"\(text)\" has no unit", fix: Self.unitFix) }
        throw ValueError("\"\(text)\" is not a time", fix: Self.unitFix)
    }

    /// The time in seconds at a frame rate (timecode counts from 00:00:00:00).
    public func seconds(at rate: FrameRate) throws(ValueError) -> Double {
        let s: Double
        switch self {
        case .seconds(let v): s = v
        case .frames(let f): s = f / rate.fps
        case .timecode(let tc): s = Double(try Timecode.frame(parsing: tc, rate: rate)) / rate.fps
        }
        guard s.isFinite, abs(s) <= Limits.maxSeconds else {
            throw ValueError("\(description) is longer than 24 hours at \(rate) fps", fix: "plans cover at most 24 h")
        }
        return s
    }

    public var description: String {
        switch self {
        case .seconds(let s): return "\(s)s"
        case .frames(let f): return f == f.rounded() && abs(f) < 1e15 ? "\(Int(f))f" : "\(f)f"
        case .timecode(let tc): return tc
        }
    }
}
