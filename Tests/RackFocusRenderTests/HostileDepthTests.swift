import Testing

@testable import RackFocusImage
@testable import RackFocusOptics
@testable import RackFocusRender

/// Depth nearer than the lens can focus (a depth map's 1e-9 m) made `still` allocate 40 GB, and
/// 1e-4 m ran for minutes: the blur circle is now capped at the frame's diagonal.
@Suite("Hostile depth")
struct HostileDepthTests {
    @Test(arguments: [Float(1e-9), 1e-4, 0.01])
    func depthNearerThanTheLensIsAVeilNotAnAllocation(z: Float) throws {
        let w = 64, h = 36
        let image = PlanarImage(width: w, height: h, channels: 3, fill: 0.5)
        let depth = PlanarImage(width: w, height: h, channels: 1, fill: z)
        let camera = Camera(sensor: .custom(widthMM: 36, heightMM: 20.25), focalLengthMM: 50, stop: Stop(2))
        let scene = try DefocusScene(image: image, depth: depth, camera: camera, focus: .meters(2))
        let limit = DefocusScene.cocLimit(width: w, height: h)
        #expect(scene.maxRadius <= limit / 2 + 1e-3)
        #expect(scene.coc.allSatisfy { abs($0) <= limit })
        // And it renders: a uniform frame stays uniform.
        let out = try LensBlur.render(
            image: image, depth: depth, settings: LensBlurSettings(camera: camera, focus: .meters(2)))
        #expect(out.data.allSatisfy { abs($0 - 0.5) < 1e-3 })
    }
}
