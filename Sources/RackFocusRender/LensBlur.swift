import Dispatch
import Foundation
import RackFocusImage
import RackFocusOptics

/// How hard the renderer works.
public enum RenderQuality: String, Sendable, CaseIterable {
    /// Half resolution, coarser layers: fast look-dev.
    case preview
    /// The fast renderer at full resolution: what ships.
    case final
    /// The exact oracle: slow; for checking.
    case reference
}

/// Boost for clipped highlights in display-referred (LDR) input, so point lights bloom into bright
/// bokeh as they do in real footage: linear values whose luminance is above `threshold` are
/// multiplied by 1 + gain · ((Y − threshold) / (1 − threshold))², so a fully clipped pixel gains
/// `gain`× its value and values below the threshold are untouched.
public struct HighlightBoost: Sendable, Hashable {
    public var threshold: Float
    public var gain: Float
    public init(threshold: Float = 0.9, gain: Float = 8) {
        self.threshold = threshold
        self.gain = gain
    }

    /// The factor for a pixel of luminance y.
    @inline(__always)
    func factor(luminance y: Float) -> Float {
        guard y > threshold else { return 1 }
        let u = min((y - threshold) / (1 - threshold), 1)
        return 1 + gain * u * u
    }

    /// Planar RGB (`n` pixels per plane) with the boost applied, written once into a new array
    /// (the input is left as it is), rows of pixels across `threads` cores.
    public func applied(to rgb: [Float], pixels n: Int, threads: Int = defaultThreadCount) -> [Float] {
        precondition(rgb.count >= 3 * n, "three planes of \(n) pixels")
        return [Float](unsafeUninitializedCapacity: 3 * n) { out, count in
            rgb.withUnsafeBufferPointer { src in
                let ctx = Shared((src, out, self))
                let parts = max(1, min(threads * 4, n / 4096 + 1))
                parallelFor(parts, threads: threads) { part in
                    let (src, out, boost) = ctx.value
                    let s = src.baseAddress!, o = out.baseAddress!
                    for i in (n * part / parts)..<(n * (part + 1) / parts) {
                        let r = s[i], g = s[n &+ i], b = s[2 &* n &+ i]
                        let k = boost.factor(luminance: ColorTransfer.luminance(r, g, b))
                        o[i] = r * k; o[n &+ i] = g * k; o[2 &* n &+ i] = b * k
                    }
                }
            }
            count = 3 * n
        }
    }
}

/// Everything a lens-blur render needs besides the pixels.
public struct LensBlurSettings: Sendable {
    /// Lens and sensor: focal length, stop, sensor width, aperture shape, squeeze, cat's eye, breathing.
    /// Its resolution is ignored: CoC is always computed for the frame being rendered.
    public var camera: Camera
    public var focus: Distance
    public var quality: RenderQuality
    public var highlights: HighlightBoost?
    /// When set and the camera breathes, the frame is rescaled about its centre by
    /// frameScale(focus) / frameScale(breathingReference): the input is taken as framed at that distance.
    public var breathingReference: Distance?
    public var threads: Int

    public init(
        camera: Camera, focus: Distance, quality: RenderQuality = .final, highlights: HighlightBoost? = nil,
        breathingReference: Distance? = nil, threads: Int = defaultThreadCount
    ) {
        self.camera = camera
        self.focus = focus
        self.quality = quality
        self.highlights = highlights
        self.breathingReference = breathingReference
        self.threads = threads
    }
}

/// The lens-blur engine's front door.
public enum LensBlur {
    /// Renders the frame a real lens would record focused at `settings.focus`.
    ///
    /// - Parameters:
    ///   - image: linear-light RGB (3 planes).
    ///   - depth: planar depth in metres (1 plane), same size.
    ///   - renderer: a fast renderer to reuse across frames (its buffers stay allocated).
    public static func render(
        image: PlanarImage, depth: PlanarImage, settings: LensBlurSettings,
        renderer: LayeredRenderer? = nil
    ) throws(RenderError) -> PlanarImage {
        try renderTimed(image: image, depth: depth, settings: settings, renderer: renderer).image
    }

    /// `render`, with where the time went: the scene (CoC map, hidden layer, kernel), then the
    /// renderer's own stages.
    public static func renderTimed(
        image: PlanarImage, depth: PlanarImage, settings: LensBlurSettings,
        renderer: LayeredRenderer? = nil
    ) throws(RenderError) -> (image: PlanarImage, timings: RenderTimings) {
        guard image.width == depth.width, image.height == depth.height else {
            throw .sizeMismatch(image: (image.width, image.height), depth: (depth.width, depth.height))
        }
        let color =
            settings.highlights?.applied(to: image.data, pixels: image.pixelCount, threads: settings.threads)
            ?? image.data
        var source = PlanarImage(width: image.width, height: image.height, channels: 3, data: color)
        var sourceDepth = depth
        if settings.quality == .preview {
            source = Resample.halve(source); sourceDepth = Resample.halve(depth, nearest: true)
        }
        // The scene and its kernel, once per frame.
        let t0 = DispatchTime.now().uptimeNanoseconds
        let scene = try DefocusScene(
            image: source, depth: sourceDepth, camera: settings.camera, focus: settings.focus, threads: settings.threads
        )
        let kernel = ApertureKernel(
            shape: settings.camera.aperture, squeeze: settings.camera.squeeze,
            catEye: CatEye(amount: settings.camera.catEye, width: scene.width, height: scene.height),
            maxRadius: scene.maxRadius)
        var timings = RenderTimings()
        timings.stages.append(("CoC + hidden layer", Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6))
        var result: PlanarImage
        switch settings.quality {
        case .reference:
            result = PlanarImage(
                width: scene.width, height: scene.height, channels: 3,
                data: ReferenceRenderer.render(scene: scene, kernel: kernel, threads: settings.threads))
        case .final:
            let r = (renderer ?? LayeredRenderer(threads: settings.threads)).render(scene: scene, kernel: kernel)
            result = r.image
            timings.stages += r.timings.stages
        case .preview:
            let r = LayeredRenderer(spacing: 0.25, threads: settings.threads).render(scene: scene, kernel: kernel)
            result = Resample.resize(r.image, width: image.width, height: image.height)
            timings.stages += r.timings.stages
        }
        if let reference = settings.breathingReference, settings.camera.breathing != 0 {
            let scale = settings.camera.frameScale(focus: settings.focus) / settings.camera.frameScale(focus: reference)
            if abs(scale - 1) > 1e-6 { result = Resample.scaleAboutCentre(result, factor: scale) }
        }
        return (result, timings)
    }
}
