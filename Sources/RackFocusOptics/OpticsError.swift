/// A value that could not be understood, with the fix a user can apply.
///
/// The message names the offending text; the caller adds where it came from
/// (a command-line option or a plan's key path).
public struct ValueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, quoting the bad value.
    public var message: String
    /// How to write it correctly.
    public var fix: String

    public init(_ message: String, fix: String) {
        self.message = message
        self.fix = fix
    }

    public var description: String { fix.isEmpty ? message : "\(message); \(fix)" }
}
