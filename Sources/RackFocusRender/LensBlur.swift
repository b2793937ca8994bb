import RackFocusImage
import Dispatch
import Foundation
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

    public func apply(_ rgb: inout [Float], pixels n: Int) {
        for i in 0..<n {
            let y = 0.2126 * rgb[i] + 0.7152 * rgb[n + i] + 0.0722 * rgb[2 * n + i]
            guard y > threshold else { continue }
            let u = min((y - threshold) / (1 - threshold), 1)
            let k = 1 + gain * u * u
            rgb[i] *= k; rgb[n + i] *= k; rgb[2 * n + i] *= k
        }
    }
}

/// Everything a lens-blur render needs besides the pixels.
public struct LensBlurSettings: Sendable {
    /// Lens and sensor: focal length, stop, sensor width, aperture shape, squeeze, breathing.
    /// Its resolution is ignored: CoC is always computed for the frame being rendered.
    public var camera: Camera
    public var focus: Distance
    public var quality: RenderQuality
    public var highlights: HighlightBoost?
    /// When set and the camera breathes, the frame is rescaled about its centre by
    /// frameScale(focus) / frameScale(breathingReference): the input is taken as framed at that distance.
    public var breathingReference: Distance?
    public var threads: Int

    public init(camera: Camera, focus: Distance, quality: RenderQuality = .final, highlights: HighlightBoost? = nil,
                breathingReference: Distance? = nil, threads: Int = defaultThreadCount) {
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
    public static func render(image: PlanarImage, depth: PlanarImage, settings: LensBlurSettings,
                              renderer: LayeredRenderer? = nil) throws(RenderError) -> PlanarImage {
        guard image.width == depth.width, image.height == depth.height else {
            throw .sizeMismatch(image: (image.width, image.height), depth: (depth.width, depth.height))
        }
        var color = image.data
        settings.highlights?.apply(&color, pixels: image.pixelCount)
        let source = PlanarImage(width: image.width, height: image.height, channels: 3, data: color)
        var result: PlanarImage
        switch settings.quality {
        case .reference:
            let scene = try DefocusScene(image: source, depth: depth, camera: settings.camera, focus: settings.focus, threads: settings.threads)
            let kernel = ApertureKernel(shape: settings.camera.aperture, squeeze: settings.camera.squeeze, maxRadius: scene.maxRadius)
            result = PlanarImage(width: image.width, height: image.height, channels: 3,
                                 data: ReferenceRenderer.render(scene: scene, kernel: kernel, threads: settings.threads))
        case .final:
            let t0 = DispatchTime.now().uptimeNanoseconds
            let scene = try DefocusScene(image: source, depth: depth, camera: settings.camera, focus: settings.focus, threads: settings.threads)
            let kernel = ApertureKernel(shape: settings.camera.aperture, squeeze: settings.camera.squeeze, maxRadius: scene.maxRadius)
            let prepared = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            let r = renderer ?? LayeredRenderer(threads: settings.threads)
            result = PlanarImage(width: image.width, height: image.height, channels: 3, data: r.render(scene: scene, kernel: kernel))
            r.preparationTime = prepared
        case .preview:
            let small = Resample.halve(source), smallDepth = Resample.halve(depth, nearest: true)
            let scene = try DefocusScene(image: small, depth: smallDepth, camera: settings.camera, focus: settings.focus, threads: settings.threads)
            let kernel = ApertureKernel(shape: settings.camera.aperture, squeeze: settings.camera.squeeze, maxRadius: scene.maxRadius)
            let r = LayeredRenderer(spacing: 0.25, threads: settings.threads)
            let blurred = PlanarImage(width: small.width, height: small.height, channels: 3, data: r.render(scene: scene, kernel: kernel))
            result = Resample.resize(blurred, width: image.width, height: image.height)
        }
        if let reference = settings.breathingReference, settings.camera.breathing != 0 {
            let scale = settings.camera.frameScale(focus: settings.focus) / settings.camera.frameScale(focus: reference)
            if abs(scale - 1) > 1e-6 { result = Resample.scaleAboutCentre(result, factor: scale) }
        }
        return result
    }
}
