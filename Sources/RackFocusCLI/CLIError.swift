import RackFocusOptics
import RackFocusPlan
import RackFocusShot

/// A user mistake on the command line: printed as one line, exit status 1, no stack trace.
/// Errors from the modules (`PlanError`, `MediaError`, `RenderError`, `ShotError`) are printed
/// the same way, from their own descriptions.
package struct CLIError: Error, CustomStringConvertible, Sendable {
    package var description: String

    package init(_ message: String) { description = message }

    /// `--focus: "3" has no unit; write it with a unit, e.g. 1.8m ...`
    package init(option: String, _ error: ValueError) { description = "\(option): \(error)" }
}

/// Parses an option's text, naming the option in the error.
func parseOption<T>(_ option: String, _ text: String, _ parse: (String) throws(ValueError) -> T) throws(CLIError) -> T {
    do { return try parse(text) } catch { throw CLIError(option: option, error) }
}

/// Loads a plan (every problem one line naming the file, line and key) and, with a depth map,
/// reads its subjects placed in the image; without one, every subject focus lands on must have
/// a measured distance.
func loadPlan(_ path: String, depth: DepthSettings? = nil) throws -> PlanWithDepth {
    try PlanWithDepth.resolve(
        try ShotPlan.load(contentsOf: path), file: path, depth: depth, feedback: Progress.terminal)
}
