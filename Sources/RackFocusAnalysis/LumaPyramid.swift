import RackFocusImage

/// Luma in linear light (Rec.709 weights) at several scales: level k is the frame binned 2^k × 2^k.
///
/// Focus measures compare detail between levels, so one pyramid per frame serves every region.
/// Buffers are reused from frame to frame (`update(from:)`).
package struct LumaPyramid: Sendable {
    package private(set) var levels: [PlanarImage] = []
    package let levelCount: Int

    package init(levels: Int = 4) { levelCount = levels }

    /// A pyramid of one plane (already luma), for tests and evaluation.
    package init(luma: PlanarImage, levels: Int = 4) {
        levelCount = levels
        self.levels = [luma]
        buildLevels()
    }

    /// Refills the pyramid from a linear RGB frame (a grey frame of one plane is taken as luma).
    package mutating func update(from frame: PlanarImage) {
        let n = frame.pixelCount
        if levels.isEmpty || levels[0].width != frame.width || levels[0].height != frame.height {
            levels = [PlanarImage(width: frame.width, height: frame.height, data: [Float](repeating: 0, count: n))]
        }
        frame.data.withUnsafeBufferPointer { src in
            levels[0].data.withUnsafeMutableBufferPointer { dst in
                if frame.channels >= 3 {
                    for i in 0..<n { dst[i] = ColorTransfer.luminance(src[i], src[n &+ i], src[2 &* n &+ i]) }
                } else {
                    for i in 0..<n { dst[i] = src[i] }
                }
            }
        }
        buildLevels()
    }

    private mutating func buildLevels() {
        while levels.count < levelCount {
            let p = levels[levels.count - 1]
            let w = max(1, p.width / 2), h = max(1, p.height / 2)
            levels.append(PlanarImage(width: w, height: h, data: [Float](repeating: 0, count: w * h)))
        }
        for k in 1..<levelCount {
            let src = levels[k - 1]
            let w = levels[k].width, h = levels[k].height
            src.data.withUnsafeBufferPointer { s in
                levels[k].data.withUnsafeMutableBufferPointer { d in
                    let sw = src.width, sh = src.height
                    for y in 0..<h {
                        let y0 = min(2 &* y, sh &- 1), y1 = min(2 &* y &+ 1, sh &- 1)
                        for x in 0..<w {
                            let x0 = min(2 &* x, sw &- 1), x1 = min(2 &* x &+ 1, sw &- 1)
                            d[y &* w &+ x] =
                                0.25 * (s[y0 &* sw &+ x0] + s[y0 &* sw &+ x1] + s[y1 &* sw &+ x0] + s[y1 &* sw &+ x1])
                        }
                    }
                }
            }
        }
    }
}
