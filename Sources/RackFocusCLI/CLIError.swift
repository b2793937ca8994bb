import RackFocusOptics
import RackFocusRender

/// A user mistake on the command line or in an input file: printed as one line per problem,
/// exit status 1, no stack trace.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ message: String) { description = message }

    /// `--focus: "3" has no unit; write it with a unit, e.g. 1.8m ...`
    public init(option: String, _ error: ValueError) { description = "\(option): \(error)" }
}

/// Parses an option's text, naming the option in the error.
func parseOption<T>(_ option: String, _ text: String, _ parse: (String) throws(ValueError) -> T) throws(CLIError) -> T {
    do { return try parse(text) } catch { throw CLIError(option: option, error) }
}

/// `--quality preview|final|reference`.
func parseQuality(_ text: String) throws(CLIError) -> RenderQuality {
    guard let q = RenderQuality(rawValue: text) else {
        throw CLIError("--quality: unknown quality \"\(text)\"; use preview, final or reference")
    }
    return q
}
