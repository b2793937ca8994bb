/// A rectangle in pixels of the full frame: x, y of the top-left corner, width and height.
public struct PixelRect: Sendable, Hashable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// The same rectangle at pyramid level k (binned 2^k), at least 1 px each way, inside `w × h`.
    package func atLevel(_ k: Int, width w: Int, height h: Int) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        let x0 = min(max(0, x >> k), w - 1), y0 = min(max(0, y >> k), h - 1)
        let x1 = min(w, max(x0 + 1, (x + width) >> k)), y1 = min(h, max(y0 + 1, (y + height) >> k))
        return (x0, y0, x1, y1)
    }
}
