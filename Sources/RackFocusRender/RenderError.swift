/// Problems with a render's inputs: what kind (`code`), where (the depth file and frame, when the
/// caller knows them) and the fix.
public struct RenderError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable, Equatable {
        /// The image and its depth map differ in size.
        case sizeMismatch
        /// A depth value that is not a positive distance (NaN, infinite, zero or negative).
        case badDepth
    }

    public var code: Code
    /// The depth input the frame came from, when the caller sets it (`located(file:frame:)`).
    public var file: String?
    /// The frame of a clip, when the caller sets it.
    public var frame: Int?
    /// What is wrong and how to fix it.
    public var message: String

    public init(_ code: Code, _ message: String, file: String? = nil, frame: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.frame = frame
    }

    public var description: String {
        ([file, frame.map { "frame \($0)" }].compactMap { $0 } + [message]).joined(separator: ": ")
    }

    /// The same error, placed in a file and frame.
    public func located(file: String?, frame: Int?) -> RenderError {
        var e = self
        e.file = file ?? e.file
        e.frame = frame ?? e.frame
        return e
    }

    static func sizeMismatch(image: (Int, Int), depth: (Int, Int)) -> RenderError {
        RenderError(
            .sizeMismatch,
            "the image is \(image.0)x\(image.1) but the depth map is \(depth.0)x\(depth.1); give a depth map of the same size"
        )
    }

    static func badDepth(x: Int, y: Int, value: Float) -> RenderError {
        let what = value.isNaN ? "NaN" : value.isInfinite ? "infinite" : value == 0 ? "zero" : "negative (\(value))"
        return RenderError(
            .badDepth,
            "depth at pixel (\(x), \(y)) is \(what); depth must be a positive distance in metres (fill holes in the depth map, or clamp the sky to a large distance)"
        )
    }
}
