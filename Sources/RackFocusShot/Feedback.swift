/// How long work reports to whoever runs it: notes, warnings and progress. The command line
/// prints them to stderr; tests collect them; `.silent` drops them.
package struct Feedback: Sendable {
    package var note: @Sendable (String) -> Void
    package var warn: @Sendable (String) -> Void
    /// `label` names the pass ("render", "subjects"); `total` is nil when unknown. Called with
    /// `done == -1` when the pass ends.
    package var progress: @Sendable (_ label: String, _ done: Int, _ total: Int?) -> Void

    package init(
        note: @escaping @Sendable (String) -> Void, warn: @escaping @Sendable (String) -> Void,
        progress: @escaping @Sendable (_ label: String, _ done: Int, _ total: Int?) -> Void = { _, _, _ in }
    ) {
        self.note = note
        self.warn = warn
        self.progress = progress
    }

    package static let silent = Feedback(note: { _ in }, warn: { _ in })
}
