import Foundation
import RackFocusImage
import RackFocusOptics

/// A synthetic frame for benchmarks and smoke tests, built so its blur spans a chosen range.
///
/// Full frame 50 mm f/1.4 focused at 3 m. A receding textured floor fills the lower half (blur
/// from −max/2 at the bottom to +max at the horizon), a wall at +max fills the upper half, a
/// foreground pillar on the left sits at −max, a sharp box stands at the focus distance, and a
/// grid of bright lights on the wall turns into bokeh. "max" is the largest CoC diameter in pixels.
package enum BenchmarkScene {
    package static let camera = Camera(
        sensor: try! Sensor.preset(named: "fullframe"), focalLengthMM: 50, stop: Stop(1.4))
    package static let focus = Distance.meters(3)

    /// Depth (m) whose blur in a frame `width` wide is `coc` pixels.
    static func depth(forCoC coc: Double, width: Int, height: Int) -> Float {
        let m = camera.frameBlurModel(focus: focus, frameWidth: width)
        let dioptres = (coc - m.offsetPixels) / m.pixelsPerDioptre
        return dioptres <= 1e-4 ? 1e4 : Float(1 / dioptres)
    }

    package static func make(width: Int, height: Int, maxCoC: Double) -> (image: PlanarImage, depth: PlanarImage) {
        var img = PlanarImage(width: width, height: height, channels: 3)
        var dep = PlanarImage(width: width, height: height, channels: 1)
        let wall = depth(forCoC: maxCoC, width: width, height: height)
        let pillar = depth(forCoC: -maxCoC, width: width, height: height)
        let nearFloor = depth(forCoC: -maxCoC / 2, width: width, height: height)
        let horizon = height / 2
        for y in 0..<height {
            for x in 0..<width {
                var c = SIMD3<Float>(0.5, 0.45, 0.4), d = wall
                let brick = ((x / 48) + (y / 24)) % 2 == 0
                if y < horizon {
                    c = brick ? [0.55, 0.3, 0.25] : [0.6, 0.4, 0.3]
                    if (x % 160 == 80) && (y % 120 == 60) { c = [30, 28, 24] }
                } else {
                    // Floor: inverse depth linear in rows from the wall (horizon) to nearFloor (bottom).
                    let t = Float(y - horizon) / Float(height - 1 - horizon)
                    d = 1 / ((1 - t) / wall + t / nearFloor)
                    let checker = ((x / 64) + (y / 32)) % 2 == 0
                    c = checker ? [0.8, 0.8, 0.75] : [0.15, 0.15, 0.18]
                }
                if x < width / 8 { c = [0.2, 0.35, 0.6]; d = pillar }
                if x > width / 2 && x < width / 2 + width / 10 && y > height / 3 && y < height * 3 / 4 {
                    c = ((x / 8 + y / 8) % 2 == 0) ? [0.9, 0.8, 0.1] : [0.1, 0.5, 0.2]; d = Float(focus.meters)
                }
                img[0, x, y] = c.x; img[1, x, y] = c.y; img[2, x, y] = c.z
                dep[0, x, y] = d
            }
        }
        return (img, dep)
    }
}
