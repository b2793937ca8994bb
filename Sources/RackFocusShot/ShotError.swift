/// A problem with a shot's inputs found while wiring them together: what kind (`code`), the file
/// and frame when known, and a message that says how to fix it.
package struct ShotError: Error, Sendable, CustomStringConvertible, Equatable {
    package enum Code: String, Sendable, Equatable {
        /// A command needs a depth map and none was given.
        case depthMissing
        /// A depth input that holds no map, or too few for the clip.
        case depthCount
        /// A depth map whose size or aspect ratio does not fit the frame.
        case depthSize
        /// Depth where a subject stands is not a positive distance.
        case subjectDepth
        /// The depth options contradict each other or lack what the kind needs.
        case depthOptions
        /// The plan asks for more than the clip holds.
        case planPastClip
        /// A clip that decodes fewer frames than its container states.
        case truncated
        /// The analysis could not measure what was asked.
        case unmeasurable
        /// An option's value that does not fit the input (a region outside the frame, a bad grid).
        case options
        /// An output path that is one of the inputs.
        case outputIsInput
    }

    package var code: Code
    package var file: String?
    package var frame: Int?
    package var message: String

    package init(_ code: Code, file: String? = nil, frame: Int? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.frame = frame
        self.message = message
    }

    package var description: String { file.map { "\($0): \(message)" } ?? message }
}
