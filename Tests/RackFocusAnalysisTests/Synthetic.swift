import Foundation
import RackFocusImage
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

@testable import RackFocusAnalysis

/// Racks rendered by the engine (320×180) on an 85 mm at f/1.8, with focus following a known curve.
enum Synthetic {
    static let width = 320, height = 180
    /// Two textured cards, the near one (1.5 m) on the left and the far one (6 m) on the right,
    /// in front of a wall at 20 m along the top: the texture has detail at every scale (octaves
    /// of value noise, 1/f-like), as skin, fabric and foliage do.
    static let scene: (image: PlanarImage, depth: PlanarImage) = {
        var img = PlanarImage(width: width, height: height, channels: 3)
        var dep = PlanarImage(width: width, height: height, channels: 1)
        func hash(_ x: Int, _ y: Int, _ o: Int) -> Float {
            var h = UInt32(truncatingIfNeeded: x &* 374761393 &+ y &* 668265263 &+ o &* 2147483647)
            h = (h ^ (h >> 13)) &* 1274126177
            return Float(h & 0xFFFF) / 65535
        }
        func noise(_ x: Int, _ y: Int) -> Float {
            var v: Float = 0, amp: Float = 0.5
            for o in 0..<5 {
                let cell = 1 << o  // 1, 2, 4, 8, 16 px
                v += amp * hash(x / cell, y / cell, o)
                amp *= 0.8
            }
            return v / 1.6
        }
        for y in 0..<height {
            for x in 0..<width {
                let wall = y < 40
                let d: Float = wall ? 20 : (x < width / 2 ? 1.5 : 6)
                let t = noise(x, y)
                let base: SIMD3<Float> =
                    wall ? [0.4, 0.3, 0.25] : (x < width / 2 ? [0.8, 0.6, 0.45] : [0.35, 0.5, 0.75])
                for c in 0..<3 { img[c, x, y] = base[c] * (0.35 + 0.9 * t) }
                dep[0, x, y] = d
            }
        }
        return (img, dep)
    }()
    static let camera = Camera(sensor: .custom(widthMM: 36, heightMM: 20.25), focalLengthMM: 85, stop: Stop(1.8))
    static let near = 1.5, far = 6.0

    /// The near card and the far card (clear of the edges between them), in pixels.
    static let regions = [
        AnalysisRegion(name: "near", rect: PixelRect(x: 30, y: 80, width: 90, height: 80)),
        AnalysisRegion(name: "far", rect: PixelRect(x: 200, y: 80, width: 90, height: 80)),
    ]

    /// Focus distance per frame: hold `near`, move to `far` from `start` to `land` (plan frames:
    /// the last frame at the first mark and the first at the second), then hold.
    static func rack(frames: Int, start: Int, land: Int, easing: Easing, from a: Double = near, to b: Double = far)
        -> [Double]
    {
        (0..<frames).map { n in
            let u = Double(n - start) / Double(land - start)
            let e = easing.progress(u)
            return 1 / (1 / a + (1 / b - 1 / a) * e)
        }
    }

    /// The visible start and landing of a move between two subjects: the last frame at which the
    /// first subject's blur is still within 1 px (the engine draws circles under a pixel as sharp,
    /// as a sensor would), and the first frame from which the second's stays within 1 px.
    static func visibleMove(_ focus: [Double], from a: Double = near, to b: Double = far) -> (start: Int, land: Int) {
        var cam = camera
        cam.resolution = Resolution(width: width, height: height)
        func blur(_ subject: Double, _ f: Double) -> Double {
            abs(cam.frameBlurModel(focus: .meters(f)).pixels(dioptres: 1 / subject))
        }
        let start = (focus.firstIndex { blur(a, $0) > 1 } ?? focus.count) - 1
        var land = focus.count - 1
        while land > 0 && blur(b, focus[land - 1]) <= 1 { land -= 1 }
        return (start, land)
    }

    static func render(focus: Double, scene s: (image: PlanarImage, depth: PlanarImage) = scene) -> PlanarImage {
        try! LensBlur.render(
            image: s.image, depth: s.depth, settings: LensBlurSettings(camera: camera, focus: .meters(focus)))
    }

    /// Deterministic Gaussian noise (Box-Muller over a linear congruential generator).
    struct Noise {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u1 = Float((state >> 11) & 0xFFFFF) / Float(0x100000) + 1e-7
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let u2 = Float((state >> 11) & 0xFFFFF) / Float(0x100000)
            return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
        }
    }

    /// Adds sensor-like noise of standard deviation sigma in display (sRGB) space.
    static func noisy(_ img: PlanarImage, sigma: Float, seed: UInt64) -> PlanarImage {
        var out = img
        var rng = Noise(state: seed)
        for i in out.data.indices {
            let display = ColorTransfer.linearToSRGB(min(max(out.data[i], 0), 1)) + sigma * rng.next()
            out.data[i] = ColorTransfer.srgbToLinear(min(max(display, 0), 1))
        }
        return out
    }

    /// Analyses rendered frames for `focus` (optionally transformed) with the standard measure.
    static func analyse(_ focus: [Double], transform: (Int, PlanarImage) -> PlanarImage = { $1 }) -> (
        racks: [RackEvent], hunts: [HuntEvent], curves: [SharpnessCurve]
    ) {
        let analyzer = FocusAnalyzer(regions: regions)
        var cache: [Double: PlanarImage] = [:]
        for (n, f) in focus.enumerated() {
            let frame = cache[f] ?? render(focus: f)
            cache[f] = frame
            analyzer.add(transform(n, frame))
        }
        let curves = analyzer.curves()
        let found = RackDetector().detect(curves, fps: 24)
        return (found.racks, found.hunts, curves)
    }
}
