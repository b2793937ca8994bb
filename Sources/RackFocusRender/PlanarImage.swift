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
        precondition(data.count == width * height * channels, "pixel data does not match \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.data = data
    }

    public var pixelCount: Int { width * height }

    @inline(__always)
    public subscript(channel: Int, x: Int, y: Int) -> Float {
        get { data[channel &* pixelCount &+ y &* width &+ x] }
        set { data[channel &* pixelCount &+ y &* width &+ x] = newValue }
    }

    /// One channel as its own single-plane image.
    public func plane(_ c: Int) -> PlanarImage {
        PlanarImage(width: width, height: height, channels: 1, data: Array(data[(c * pixelCount)..<((c + 1) * pixelCount)]))
    }
}
