/// A float image stored as contiguous planes (all of channel 0, then channel 1, ...).
///
/// Colour images are linear-light RGB (3 planes); depth maps are 1 plane of metres.
public struct PlanarImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var data: [Float]

    public init(width: Int, height: Int, channels: Int, fill: Float = 0) {
        precondition(width > 0 && height > 0 && channels > 0, "image dimensions must be positive")
        self.width = width
        self.height = height
        self.channels = channels
        self.data = [Float](repeating: fill, count: width * height * channels)
    }

    public init(width: Int, height: Int, channels: Int, data: [Float]) {
        precondition(
            data.count == width * height * channels, "pixel data does not match \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.data = data
    }

    /// A single plane (luma, depth, a mask) of `width × height` values, row-major.
    public init(width: Int, height: Int, data: [Float]) {
        self.init(width: width, height: height, channels: 1, data: data)
    }

    public var pixelCount: Int { width * height }

    @inline(__always)
    public subscript(channel: Int, x: Int, y: Int) -> Float {
        get { data[channel &* pixelCount &+ y &* width &+ x] }
        set { data[channel &* pixelCount &+ y &* width &+ x] = newValue }
    }

    /// Each channel's values, as slices sharing this image's storage (nothing is copied).
    public var planes: [ArraySlice<Float>] {
        (0..<channels).map { data[($0 * pixelCount)..<(($0 + 1) * pixelCount)] }
    }

    /// One channel as its own single-plane image.
    public func plane(_ c: Int) -> PlanarImage {
        PlanarImage(
            width: width, height: height, channels: 1, data: Array(data[(c * pixelCount)..<((c + 1) * pixelCount)]))
    }

    /// A copy of a rectangle of every channel (the rectangle must lie inside the image).
    public func crop(_ r: PixelRect) -> PlanarImage {
        precondition(
            r.x >= 0 && r.y >= 0 && r.x + r.width <= width && r.y + r.height <= height, "crop outside the image")
        var out = [Float](repeating: 0, count: r.width * r.height * channels)
        for c in 0..<channels {
            for y in 0..<r.height {
                let src = c * pixelCount + (r.y + y) * width + r.x, dst = (c * r.height + y) * r.width
                for x in 0..<r.width { out[dst + x] = data[src + x] }
            }
        }
        return PlanarImage(width: r.width, height: r.height, channels: channels, data: out)
    }
}
