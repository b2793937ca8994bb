import RackFocusImage

/// Focus peaking as camera monitors draw it: edges whose display-space contrast is steep enough
/// to be in focus are painted in a signal colour over a dimmed, desaturated picture.
package struct FocusPeaking: Sendable {
    /// Sobel gradient magnitude of display-space luma (0...1 per pixel, Sobel/4) above which an
    /// edge is painted. A step edge of full contrast gives 0.5 when sharp; blurring it over n
    /// pixels divides that by about n.
    package var level: Float
    /// The paint colour, linear RGB.
    package var colour: SIMD3<Float>

    package init(level: Float = 0.12, colour: SIMD3<Float> = [1, 0.02, 0.02]) {
        self.level = level
        self.colour = colour
    }

    /// Paints `frame` (linear RGB) in place; `scratch` is reused from frame to frame.
    package func apply(_ frame: inout PlanarImage, scratch: inout [Float]) {
        let w = frame.width, h = frame.height, n = w * h
        if scratch.count != n { scratch = [Float](repeating: 0, count: n) }
        frame.data.withUnsafeMutableBufferPointer { d in
            scratch.withUnsafeMutableBufferPointer { y in
                for i in 0..<n {
                    let l = ColorTransfer.luminance(d[i], d[n &+ i], d[2 &* n &+ i])
                    y[i] = ColorTransfer.linearToSRGB(min(max(l, 0), 1))
                }
                for row in 0..<h {
                    for x in 0..<w {
                        let i = row &* w &+ x
                        var g: Float = 0
                        if row > 0 && row < h - 1 && x > 0 && x < w - 1 {
                            let gx =
                                (y[i &- w &+ 1] + 2 * y[i &+ 1] + y[i &+ w &+ 1])
                                - (y[i &- w &- 1] + 2 * y[i &- 1] + y[i &+ w &- 1])
                            let gy =
                                (y[i &+ w &- 1] + 2 * y[i &+ w] + y[i &+ w &+ 1])
                                - (y[i &- w &- 1] + 2 * y[i &- w] + y[i &- w &+ 1])
                            g = (gx * gx + gy * gy).squareRoot() / 4
                        }
                        if g > level {
                            d[i] = colour.x; d[n &+ i] = colour.y; d[2 &* n &+ i] = colour.z
                        } else {
                            // Dimmed grey picture under the paint, so the paint reads.
                            let grey = 0.5 * (ColorTransfer.luminance(d[i], d[n &+ i], d[2 &* n &+ i]))
                            d[i] = grey; d[n &+ i] = grey; d[2 &* n &+ i] = grey
                        }
                    }
                }
            }
        }
    }
}
