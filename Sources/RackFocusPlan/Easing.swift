/// The shape of a focus move: progress e(u) in [0, 1] over normalised time u in [0, 1].
///
/// Every curve is monotonic with e(0) = 0 and e(1) = 1, so a move never overshoots or hunts.
/// Progress is applied in dioptres (1/distance), the way a focus ring maps.
public enum Easing: String, Sendable, CaseIterable, Codable {
    /// Constant speed: e = u.
    case linear
    /// Starts still, ends at full speed: e = u².
    case easeIn = "ease-in"
    /// Starts at full speed, ends still: e = 1 − (1 − u)².
    case easeOut = "ease-out"
    /// Smoothstep: e = 3u² − 2u³; still at both ends, fastest mid-way.
    case easeInOut = "ease-in-out"
    /// A focus puller's landing: e = 1 − (1 − u)⁴ (1 + 4u), speed 20u(1 − u)³. Brisk away from
    /// the first mark (peak speed at a quarter of the move), then a long deceleration onto the
    /// mark, arriving with zero speed and zero acceleration.
    case landing

    /// Parses `ease-in-out`, `easeInOut`, `ease_in_out`, `smooth` (= ease-in-out), `land`.
    public init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
        let compact = key.replacingOccurrences(of: "-", with: "")
        switch compact {
        case "linear": self = .linear
        case "easein": self = .easeIn
        case "easeout": self = .easeOut
        case "easeinout", "smooth": self = .easeInOut
        case "landing", "land": self = .landing
        default: return nil
        }
    }

    /// Progress at normalised time u (clamped to [0, 1]).
    @inline(__always)
    public func progress(_ u: Double) -> Double {
        let u = min(max(u, 0), 1)
        switch self {
        case .linear: return u
        case .easeIn: return u * u
        case .easeOut: return 1 - (1 - u) * (1 - u)
        case .easeInOut: return u * u * (3 - 2 * u)
        case .landing:
            let v = 1 - u
            return 1 - v * v * v * v * (1 + 4 * u)
        }
    }

    /// Speed de/du at u: used for peak ring speed.
    public func speed(_ u: Double) -> Double {
        let u = min(max(u, 0), 1)
        switch self {
        case .linear: return 1
        case .easeIn: return 2 * u
        case .easeOut: return 2 * (1 - u)
        case .easeInOut: return 6 * u * (1 - u)
        case .landing: return 20 * u * (1 - u) * (1 - u) * (1 - u)
        }
    }

    /// The largest speed de/du over the move (linear 1, ease-in/out 2, ease-in-out 1.5,
    /// landing 20·(1/4)(3/4)³ = 2.109).
    public var peakSpeed: Double {
        switch self {
        case .linear: return 1
        case .easeIn, .easeOut: return 2
        case .easeInOut: return 1.5
        case .landing: return 20 * 0.25 * 0.421875
        }
    }
}
