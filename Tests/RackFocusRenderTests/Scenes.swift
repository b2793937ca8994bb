import Foundation
import RackFocusImage

@testable import RackFocusOptics
@testable import RackFocusRender

/// Small synthetic scenes for comparing the fast renderer with the oracle.
///
/// The camera is a 50 mm f/1.4 on a 6.4 × 4.8 mm sensor, so a 96-pixel-wide frame has 15 px per mm
/// and blur discs of 10–25 px: large enough to exercise occlusion, small enough for the oracle.
enum Scenes {
    static let camera = Camera(sensor: .custom(widthMM: 6.4, heightMM: 4.8), focalLengthMM: 50, stop: Stop(1.4))
    static let width = 96, height = 72

    /// Deterministic texture: value noise plus a checker, in linear light.
    static func texture(_ x: Int, _ y: Int, seed: UInt64, base: SIMD3<Float>) -> SIMD3<Float> {
        var z = UInt64(truncatingIfNeeded: x &* 73856093 ^ y &* 19349663) ^ seed
        z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
        z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
        let noise = Float(z >> 40) / Float(1 << 24)
        let checker: Float = ((x / 6) + (y / 6)) % 2 == 0 ? 1 : 0.45
        return base * (0.55 + 0.3 * checker + 0.15 * noise)
    }

    static func build(_ f: (Int, Int) -> (SIMD3<Float>, Float)) -> (PlanarImage, PlanarImage) {
        var img = PlanarImage(width: width, height: height, channels: 3)
        var depth = PlanarImage(width: width, height: height, channels: 1)
        for y in 0..<height {
            for x in 0..<width {
                let (c, d) = f(x, y)
                img[0, x, y] = c.x; img[1, x, y] = c.y; img[2, x, y] = c.z
                depth[0, x, y] = d
            }
        }
        return (img, depth)
    }

    /// Left half near (1 m), right half far (5 m), with a diagonal boundary.
    static func stepEdge() -> (PlanarImage, PlanarImage) {
        build { x, y in
            x < 40 + y / 4
                ? (texture(x, y, seed: 1, base: [0.9, 0.5, 0.2]), 1)
                : (texture(x, y, seed: 2, base: [0.2, 0.5, 0.9]), 5)
        }
    }

    /// A 3-pixel bar at 1 m in front of a wall at 4 m.
    static func thinOccluder() -> (PlanarImage, PlanarImage) {
        build { x, y in
            (45...47).contains(x)
                ? (SIMD3<Float>(0.95, 0.9, 0.2), 1) : (texture(x, y, seed: 3, base: [0.3, 0.7, 0.4]), 4)
        }
    }

    /// Bright single-pixel lights (value 40) on a dark wall at 10 m.
    static let lights: [(Int, Int)] = [(20, 20), (60, 18), (40, 50), (78, 52)]
    static func pointLights() -> (PlanarImage, PlanarImage) {
        build { x, y in
            lights.contains { $0 == (x, y) } ? (SIMD3<Float>(40, 40, 40), 10) : (SIMD3<Float>(0.02, 0.02, 0.03), 10)
        }
    }

    /// A floor receding from 1 m (bottom) to 8 m (top), textured.
    static func slopedPlane() -> (PlanarImage, PlanarImage) {
        build { x, y in
            let t = Float(y) / Float(height - 1)
            return (texture(x, y, seed: 4, base: [0.7, 0.7, 0.6]), 8 * (1 - t) + 1 * t)
        }
    }

    /// One colour everywhere, random depths from 0.8 to 20 m.
    static func uniformField() -> (PlanarImage, PlanarImage) {
        build { x, y in
            let d = 0.8 + 19.2 * (texture(x, y, seed: 9, base: [1, 1, 1]).x)
            return (SIMD3<Float>(0.4, 0.3, 0.2), d)
        }
    }

    static func render(
        _ scene: (PlanarImage, PlanarImage), focus: Double, quality: RenderQuality,
        camera: Camera = camera
    ) throws -> PlanarImage {
        try LensBlur.render(
            image: scene.0, depth: scene.1,
            settings: LensBlurSettings(camera: camera, focus: .meters(focus), quality: quality, threads: 2))
    }
}
