import RackFocusImage
import Testing

@testable import RackFocusOptics
@testable import RackFocusRender

/// The splats beyond the frame's edge drawn as runs (closed form beside rows, a recurrence over
/// columns) against the same splats drawn one by one: the same sums in another order, so the
/// frames agree to float rounding.
@Suite("Runs beyond the frame's edge")
struct EdgeRunTests {
    /// Every edge pixel far from focus (discs of about 20-40 px, focus 0.5 m), nearest at the border
    /// (1 m, rising along each edge to 1.5 m, so every side holds runs in several layers) and
    /// farthest in the middle (8 m, another colour): what the scene beyond the edge covers shows.
    static func scene(width: Int = Scenes.width, height: Int = Scenes.height) throws -> DefocusScene {
        // The test camera's 15 px per mm at any frame size.
        let camera = Camera(
            sensor: .custom(widthMM: Double(width) / 15, heightMM: Double(height) / 15), focalLengthMM: 50,
            stop: Stop(1.4))
        var image = PlanarImage(width: width, height: height, channels: 3)
        var depth = PlanarImage(width: width, height: height, channels: 1)
        for y in 0..<height {
            for x in 0..<width {
                let border = Float(min(x, width - 1 - x, y, height - 1 - y)) / Float(max(min(width, height) / 2, 1))
                let d = 1 + 0.5 * Float(x + y) / Float(width + height) + 6.5 * border
                let c = Scenes.texture(x, y, seed: 11, base: d < 3 ? [0.8, 0.6, 0.4] : [0.1, 0.3, 0.9])
                image[0, x, y] = c.x; image[1, x, y] = c.y; image[2, x, y] = c.z
                depth[0, x, y] = d
            }
        }
        return try DefocusScene(image: image, depth: depth, camera: camera, focus: .meters(0.5))
    }

    /// Renders with and without runs; returns the largest difference and the largest value.
    static func compare(_ scene: DefocusScene, _ kernel: ApertureKernel, levels: [Float] = [4, 12]) -> (Float, Float) {
        let runs = LayeredRenderer(levelRadii: levels, threads: 2)
        let single = LayeredRenderer(levelRadii: levels, threads: 2)
        single.edgeRuns = false
        let a = runs.render(scene: scene, kernel: kernel).image.data
        let b = single.render(scene: scene, kernel: kernel).image.data
        var worst: Float = 0
        for i in a.indices { worst = max(worst, abs(a[i] - b[i])) }
        return (worst, b.max() ?? 0)
    }

    static let shapes: [(String, ApertureShape, Double)] = [
        ("circle", .circle, 1),
        ("six blades turned 17°", ApertureShape(blades: 6, rotationDegrees: 17), 1),
        ("seven blades, squeezed 1.8×", ApertureShape(blades: 7, rotationDegrees: 5), 1.8),
    ]

    @Test(arguments: shapes.indices)
    func runsDrawWhatTheSplatsDraw(index: Int) throws {
        let (name, shape, squeeze) = Self.shapes[index]
        let scene = try Self.scene()
        let kernel = ApertureKernel(shape: shape, squeeze: squeeze, maxRadius: scene.maxRadius)
        let (worst, top) = Self.compare(scene, kernel)
        #expect(scene.maxRadius > 10)
        print("\(name): runs vs splats beyond the edge, largest difference \(worst) (values up to \(top))")
        // Float sums of a few hundred terms of size ≤ 1 in another order: up to 3.2e-6 measured,
        // where leaving out the runs below the frame moved values by 0.06-0.08.
        #expect(worst <= 1e-4 * max(top, 1), "\(name): \(worst)")
    }

    /// Frames narrower or shorter than the discs (a disc is at most the frame's diagonal wide):
    /// runs beside a row reach past the opposite edge in a tall frame, runs in a column in a wide one.
    @Test(arguments: [(3, 12), (12, 3)])
    func runsInAFrameSmallerThanTheirDiscs(size: (Int, Int)) throws {
        let scene = try Self.scene(width: size.0, height: size.1)
        let kernel = ApertureKernel(shape: ApertureShape(blades: 5, rotationDegrees: 30), maxRadius: scene.maxRadius)
        let (worst, top) = Self.compare(scene, kernel, levels: [])
        print("\(size.0)x\(size.1) frame, discs up to \(2 * scene.maxRadius) px: largest difference \(worst)")
        #expect(scene.maxRadius > Float(min(size.0, size.1)))
        #expect(worst <= 1e-4 * max(top, 1), "\(worst)")
    }

    /// With a cat's eye each splat's shape depends on its place: no runs, the same frame exactly.
    @Test func aCatsEyeDrawsTheSplatsOneByOne() throws {
        let scene = try Self.scene()
        let eye = try #require(CatEye(amount: 0.6, width: scene.width, height: scene.height))
        let kernel = ApertureKernel(shape: .circle, catEye: eye, maxRadius: scene.maxRadius)
        let (worst, _) = Self.compare(scene, kernel)
        #expect(worst == 0)
    }
}
