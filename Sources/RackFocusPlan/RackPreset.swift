import RackFocusOptics

/// The rack types users name, written as one focus entry (`preset:`) that expands into ordinary
/// marks and racks before the focus timeline is built. `rackfocus plan --expand` prints the
/// result. See docs/plan-format.md, "Presets".
public enum RackPreset: String, Sendable, CaseIterable {
    case foregroundToBackground = "foreground-to-background"
    case backgroundToForeground = "background-to-foreground"
    case reveal
    case dialogue
    case dualPlane = "dual-plane"

    /// Default blur of a revealed subject at the start of a reveal: 4% of the frame width
    /// (77 px at 1920), a quarter to a half of a face in a medium close-up, beyond recognition.
    public static let defaultSoftFraction = 0.04

    static let commonKeys = ["preset", "start", "land", "duration", "curve", "pace"]
    var keys: [String] {
        switch self {
        case .foregroundToBackground, .backgroundToForeground: return Self.commonKeys + ["from", "to"]
        case .reveal: return Self.commonKeys + ["subject", "from", "soft"]
        case .dualPlane: return Self.commonKeys + ["planes", "commit", "at"]
        case .dialogue: return ["preset", "pace", "curve", "lines", "lead", "minHold"]
        }
    }
}
