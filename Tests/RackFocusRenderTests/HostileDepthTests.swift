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

    /// The CoC map goes eight depths at a time with the rest one by one: frames of no pixels and
    /// of fewer than eight have only the rest, and the first invalid depth is found wherever it is
    /// (a vector or the rest), named by its pixel.
    @Test(arguments: [(0, 0), (1, 1), (3, 1), (7, 2), (9, 3)])
    func smallFramesAndTheFirstBadDepth(size: (Int, Int)) throws {
        let (w, h) = size
        let camera = Camera(sensor: .custom(widthMM: 36, heightMM: 20.25), focalLengthMM: 50, stop: Stop(2))
        // From their values: `init(width:height:channels:fill:)` refuses an empty frame (in
        // builds that check preconditions), while one decoded or cropped to nothing has no values.
        let image = PlanarImage(width: w, height: h, channels: 3, data: [Float](repeating: 0.5, count: 3 * w * h))
        var depth = PlanarImage(width: w, height: h, channels: 1, data: [Float](repeating: 4, count: w * h))
        let scene = try DefocusScene(image: image, depth: depth, camera: camera, focus: .meters(2))
        let model = camera.frameBlurModel(focus: .meters(2), frameWidth: max(w, 1))
        let limit = DefocusScene.cocLimit(width: w, height: h)
        let expected = min(max(Float(model.offsetPixels) + Float(model.pixelsPerDioptre) / 4, -limit), limit)
        #expect(scene.coc.count == w * h)
        #expect(scene.coc.allSatisfy { $0 == expected })
        #expect(scene.nearestCoC == (w * h > 0 ? expected : 0))
        guard w * h > 0 else { return }
        // The last pixel bad, then the first too: the first is named.
        depth[0, w - 1, h - 1] = -2
        let last = #expect(throws: RenderError.self) {
            try DefocusScene(image: image, depth: depth, camera: camera, focus: .meters(2))
        }
        #expect(last?.description.hasPrefix("depth at pixel (\(w - 1), \(h - 1))") == true)
        depth[0, 0, 0] = .nan
        let first = #expect(throws: RenderError.self) {
            try DefocusScene(image: image, depth: depth, camera: camera, focus: .meters(2))
        }
        #expect(first?.description.hasPrefix("depth at pixel (0, 0) is NaN") == true)
    }
}
