/// Problems with a render's inputs, each with the place and the fix.
public struct RenderError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

    static func sizeMismatch(image: (Int, Int), depth: (Int, Int)) -> RenderError {
        RenderError("the image is \(image.0)x\(image.1) but the depth map is \(depth.0)x\(depth.1); give a depth map of the same size")
    }

    static func badDepth(x: Int, y: Int, value: Float) -> RenderError {
        let what = value.isNaN ? "NaN" : value.isInfinite ? "infinite" : value == 0 ? "zero" : "negative (\(value))"
        return RenderError("depth at pixel (\(x), \(y)) is \(what); depth must be a positive distance in metres (fill holes in the depth map, or clamp the sky to a large distance)")
    }
}
