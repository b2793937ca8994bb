/// The unit system a user wrote a quantity in, so answers are printed back the same way.
public enum UnitSystem: String, Sendable, Codable, CaseIterable {
    /// Metres, centimetres, millimetres.
    case metric
    /// Feet and inches.
    case imperial
}
