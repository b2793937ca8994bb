/// A media problem: what kind (`code`, for programs and tests), the file and frame it concerns,
/// and a message that says what to do.
package struct MediaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong, for matching without parsing messages.
    package enum Code: String, Sendable, Equatable {
        /// The input does not exist, is a folder, or cannot be read.
        case missingInput
        /// The file is not in a format or layout this tool reads or writes.
        case unsupportedFormat
        /// The file's data ends early or does not decode to what its header says.
        case damaged
        /// A depth map without a unit (integer values and no scale).
        case depthUnit
        /// ffmpeg or ffprobe is missing or could not be started.
        case toolMissing
        /// ffmpeg or ffprobe ran and failed.
        case toolFailed
        /// A frame of another size than the stream's.
        case frameSize
        /// The output could not be written (folder, permissions, space).
        case writeFailed
    }

    package var code: Code
    /// The file the problem concerns (nil for a missing tool).
    package var file: String?
    /// The frame, for problems inside a clip or sequence.
    package var frame: Int?
    /// What happened and how to fix it, without the file name.
    package var message: String

    package init(_ code: Code, file: String?, frame: Int? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.frame = frame
        self.message = message
    }

    package var description: String { file.map { "\($0): \(message)" } ?? message }
}
