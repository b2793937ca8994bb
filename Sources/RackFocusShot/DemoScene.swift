import Foundation
import RackFocusImage
import RackFocusOptics

/// The built-in demo's scene: a textured near subject (left), a far subject (right), a receding
/// checker floor, a back wall and small bright lights far away that bloom into bokeh.
/// Depths: near subject 1.5 m (front of a sphere; its rim 1.65 m), far subject 6 m, floor from 1.2 m (bottom) to 30 m, wall and lights 30 m.
package enum DemoScene {
    package static func make(width: Int, height: Int) -> (image: PlanarImage, depth: PlanarImage) {
        var img = PlanarImage(width: width, height: height, channels: 3)
        var dep = PlanarImage(width: width, height: height, channels: 1)
        let sx = Float(width) / 640, sy = Float(height) / 360
        let horizon = Int(150 * sy)
        for y in 0..<height {
            for x in 0..<width {
                // Colour is the mean of 4×4 samples (no aliasing on the receding checker);
                // depth is the pixel centre's.
                var sum = SIMD3<Float>.zero
                for q in 0..<16 {
                    let ox = (Float(q % 4) + 0.5) / 4 - 0.5, oy = (Float(q / 4) + 0.5) / 4 - 0.5
                    sum += sample((Float(x) + ox) / sx, (Float(y) + oy) / sy, horizon: Float(horizon) / sy).color
                }
                let centre = sample(Float(x) / sx, Float(y) / sy, horizon: Float(horizon) / sy)
                let c = sum / 16
                img[0, x, y] = c.x; img[1, x, y] = c.y; img[2, x, y] = c.z
                dep[0, x, y] = centre.depth
            }
        }
        return (img, dep)
    }

    /// Colour and depth at a point of the 640×360 design frame.
    static func sample(_ fx: Float, _ fy: Float, horizon: Float) -> (color: SIMD3<Float>, depth: Float) {
        do {
            do {
                var c = SIMD3<Float>(0.3, 0.28, 0.26), d: Float = 30
                if fy < horizon {
                    // Wall: soft bricks.
                    let brick = (Int(fx / 40) + Int(fy / 20)) % 2 == 0
                    c = brick ? [0.42, 0.22, 0.16] : [0.5, 0.3, 0.2]
                    if Int(fy) % 20 == 0 || Int(fx + (Int(fy / 20) % 2 == 0 ? 0 : 20)) % 40 == 0 {
                        c = [0.18, 0.16, 0.15]
                    }
                    // Lights: a loose row of small bright points.
                    let lx = fx.truncatingRemainder(dividingBy: 53), ly = fy - 40 - 25 * sinf(fx / 90)
                    if lx < 2 && abs(ly) < 1.5 { c = [24, 20, 14] }
                } else {
                    // Floor: checker receding from the horizon (30 m) to 1.2 m at the bottom, linear in 1/d.
                    let t = (fy - horizon) / (360 - horizon)
                    d = 1 / ((1 - t) / 30 + t / 1.2)
                    // Perspective: world x = screen x · d / f; squares of 0.5 m.
                    let u = (fx - 320) * d / 300, v = d
                    let checker = (Int(floor(u / 0.5)) + Int(floor(v / 0.5))) & 1 == 0
                    c = checker ? [0.75, 0.74, 0.7] : [0.12, 0.12, 0.14]
                }
                // Far subject: a standing figure-like block at 6 m, striped.
                if fx > 400 && fx < 470 && fy > 60 && fy < 250 {
                    d = 6
                    c = Int(fy / 10) % 2 == 0 ? [0.15, 0.35, 0.7] : [0.85, 0.8, 0.3]
                    if fy < 100 { c = [0.8, 0.6, 0.5] }
                }
                // Near subject: a textured sphere whose front is 1.5 m away (where a tape measure
                // lands), lower left.
                let dx = fx - 170, dy = fy - 230, r: Float = 95
                if dx * dx + dy * dy < r * r {
                    d = 1.65 - 0.15 * (1 - (dx * dx + dy * dy) / (r * r)).squareRoot()
                    let band = abs(dx - 0.3 * dy) < 12
                    let grain = 0.85 + 0.15 * sinf(fx * 0.9) * sinf(fy * 1.3)
                    c = band ? [0.25, 0.18, 0.12] : SIMD3<Float>(0.82, 0.66, 0.48) * grain
                }
                return (c, d)
            }
        }
    }
}
