/// A stream of frames read one at a time into a reused buffer: a clip or sequence decoded by
/// RackFocusMedia, or frames held in memory (`MemoryFrames`) in tests and built-in scenes.
public protocol FrameSource: AnyObject {
    /// Reads the next frame into `frame` (allocated on first use, reused after); false at the end.
    func next(into frame: inout PlanarImage?) throws -> Bool
    /// Stops reading and releases what the source holds (a decoder process, a file).
    func close()
}

/// Where rendered frames go, all-or-nothing: `finish()` makes the output appear complete,
/// `cancel()` leaves nothing behind.
public protocol FrameSink: AnyObject {
    func write(_ frame: PlanarImage) throws
    func finish() throws
    func cancel()
}

/// Frames held in memory, as a source (each read copies the next frame; `repeating` serves the
/// last one forever, as a locked-off shot's single depth map).
public final class MemoryFrames: FrameSource {
    public private(set) var frames: [PlanarImage]
    public let repeatsLast: Bool
    private var index = 0

    public init(_ frames: [PlanarImage], repeatsLast: Bool = false) {
        self.frames = frames
        self.repeatsLast = repeatsLast
    }

    public func next(into frame: inout PlanarImage?) throws -> Bool {
        guard !frames.isEmpty, index < frames.count || repeatsLast else { return false }
        frame = frames[min(index, frames.count - 1)]
        index += 1
        return true
    }

    public func close() {}
}

/// A sink that keeps every frame in memory (tests, contact sheets).
public final class FrameCollector: FrameSink {
    public private(set) var frames: [PlanarImage] = []
    public private(set) var finished = false

    public init() {}

    public func write(_ frame: PlanarImage) throws { frames.append(frame) }
    public func finish() throws { finished = true }
    public func cancel() { frames = [] }
}
