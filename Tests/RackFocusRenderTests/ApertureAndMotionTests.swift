import Foundation
import RackFocusImage
import Testing

@testable import RackFocusMedia
@testable import RackFocusOptics
@testable import RackFocusRender

@Suite("Aperture shapes, highlights, breathing and racks")
struct ApertureAndMotionTests {
    /// Lit area of the bokeh of light 2 (x 40, y 50), in pixels.
    func litArea(_ img: PlanarImage) -> Int {
        var count = 0
        for y in 36...64 { for x in 26...54 where img[0, x, y] > 0.12 { count += 1 } }
        return count
    }

    func lightScene(_ shape: ApertureShape, squeeze: Double = 1) throws -> PlanarImage {
        var cam = Scenes.camera
        cam.aperture = shape
        cam.squeeze = squeeze
        return try Scenes.render(Scenes.pointLights(), focus: 2, quality: .final, camera: cam)
    }

    @Test func kernelFootprintsConserveEnergy() {
        for shape in [
            ApertureShape.circle, ApertureShape(blades: 6, rotationDegrees: 15),
            ApertureShape(blades: 5, curvature: 0.5),
        ] {
            let kernel = ApertureKernel(shape: shape, maxRadius: 30)
            for r in stride(from: Float(0), through: 25, by: 1.37) {
                var total: Float = 0
                for dy in -30...30 { for dx in -30...30 { total += kernel.weight(radius: r, dx: dx, dy: dy) } }
                #expect(abs(total - 1) < 1e-4, "radius \(r)")
            }
        }
    }

    @Test func sixBladesMakeHexagonalBokeh() throws {
        let round = litArea(try lightScene(.circle))
        let hex = litArea(try lightScene(ApertureShape(blades: 6)))
        // A regular hexagon fills 3√3/(2π) = 0.827 of its circumscribed circle.
        let ratio = Double(hex) / Double(round)
        #expect(abs(ratio - 0.827) < 0.08, "ratio \(ratio)")
    }

    /// Blade rotation means what it means in Blender/Cycles. The fixture is a Cycles render
    /// (scripts/scenes/make_bokeh.py, 5 blades at rotation 20°, 50 mm f/2 focused at 0.6 m, a light
    /// at 10 m, 256 samples): the 48×48 pixels around the light, and the light in the pinhole frame.
    /// The same rotation must match it better than any other turn of the pentagon, and clearly
    /// better than the old convention (a vertex at the rotation angle, 36° off) or a mirror image.
    @Test func bladesTurnAsInBlender() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bokeh")
        let truth = try PFM.read(folder.appendingPathComponent("cycles-5-blades-20deg.pfm").path)
        let light = try PFM.read(folder.appendingPathComponent("pinhole-light.pfm").path)
        var image = PlanarImage(width: 48, height: 48, channels: 3)
        for c in 0..<3 { for i in 0..<(48 * 48) { image.data[c * 48 * 48 + i] = light.data[i] } }
        let depth = PlanarImage(width: 48, height: 48, channels: 1, fill: 10)
        func correlation(rotation: Double) throws -> Double {
            // The crop is 48 of the render's 512 columns on a 36 mm sensor: the same pixel scale.
            var cam = Camera(
                sensor: .custom(widthMM: 36 * 48 / 512, heightMM: 36 * 48 / 512), focalLengthMM: 50, stop: Stop(2))
            cam.aperture = ApertureShape(blades: 5, rotationDegrees: rotation)
            let out = try LensBlur.render(
                image: image, depth: depth,
                settings: LensBlurSettings(camera: cam, focus: .meters(0.6), quality: .final, threads: 2))
            let a = (0..<(48 * 48)).map { Double(out.data[$0]) }, b = truth.data.map(Double.init)
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            var ab = 0.0, aa = 0.0, bb = 0.0
            for i in a.indices {
                ab += (a[i] - ma) * (b[i] - mb); aa += (a[i] - ma) * (a[i] - ma); bb += (b[i] - mb) * (b[i] - mb)
            }
            return ab / (aa * bb).squareRoot()
        }
        let right = try correlation(rotation: 20)
        let turns = try stride(from: 26.0, to: 88, by: 6).map { try correlation(rotation: $0) }
        print("correlation with Cycles: \(right) at 20°, \(turns) from 26° to 86°")
        #expect(turns.allSatisfy { $0 < right }, "\(right) vs \(turns)")
        #expect(try correlation(rotation: 20 + 36) < right - 0.02)  // the old convention's pentagon
        #expect(try correlation(rotation: -20) < right - 0.02)  // a mirror image
    }

    @Test func anamorphicSqueezeMakesOvals() throws {
        let img = try lightScene(.circle, squeeze: 2)
        let row = (25...55).filter { img[0, $0, 50] > 0.12 }.count
        let column = (35...65).filter { img[0, 40, $0] > 0.12 }.count
        #expect(abs(Double(column) / Double(row) - 2) < 0.4, "\(column) tall, \(row) wide")
    }

    /// The cat's eye clips a footprint by where it sits: nothing at the frame's centre, a
    /// radially narrowed disc toward a corner (widths from the two-disc geometry), energy kept.
    @Test(arguments: [ApertureShape.circle, ApertureShape(blades: 6, rotationDegrees: 10)])
    func catEyeNarrowsDiscsTowardTheCornersAndKeepsTheirEnergy(shape: ApertureShape) throws {
        let amount: Float = 0.5
        let catEye = try #require(CatEye(amount: Double(amount), width: 201, height: 101))
        let kernel = ApertureKernel(shape: shape, catEye: catEye, maxRadius: 30)
        let plain = ApertureKernel(shape: shape, maxRadius: 30)
        #expect(CatEye(amount: 0, width: 201, height: 101) == nil)
        for r in stride(from: Float(0), through: 25, by: 2.3) {
            for (x, y) in [(100, 50), (0, 0), (200, 100), (150, 20), (100, 0), (-6, 40), (230, -9)] {
                var total: Float = 0
                for dy in -30...30 {
                    for dx in -30...30 { total += kernel.weight(radius: r, x: x, y: y, dx: dx, dy: dy) }
                }
                #expect(abs(total - 1) < 1e-4, "radius \(r) at (\(x), \(y)): \(total)")
            }
            // At the centre the clip changes nothing.
            var largest: Float = 0
            for dy in -30...30 {
                for dx in -30...30 {
                    largest = max(
                        largest,
                        abs(
                            kernel.weight(radius: r, x: 100, y: 50, dx: dx, dy: dy)
                                - plain.weight(radius: r, dx: dx, dy: dy)))
                }
            }
            #expect(largest < 1e-6, "radius \(r)")
        }
        guard shape.blades == 0 else { return }
        // Top-left corner: u points from the centre (100, 50) to (0, 0). The lens of two discs of
        // radius R = r + ½, centres ±a·ρ·R·u apart, is R(1 − aρ) deep along u and R·√(1 − (aρ)²)
        // wide across it; pixel centres inside it come within a pixel of both.
        let r: Float = 20, big = r + 0.5
        let ux: Float = -100, uy: Float = -50, len = (ux * ux + uy * uy).squareRoot()
        let rho = len / (Float(hypot(201.0, 101.0)) / 2)
        var along: Float = 0, across: Float = 0
        for dy in -30...30 {
            for dx in -30...30 where kernel.weight(radius: r, x: 0, y: 0, dx: dx, dy: dy) > 1e-6 {
                along = max(along, abs(Float(dx) * ux + Float(dy) * uy) / len)
                across = max(across, abs(Float(dx) * uy - Float(dy) * ux) / len)
            }
        }
        let expectedAlong = big * (1 - amount * rho),
            expectedAcross = big * (1 - amount * rho * amount * rho).squareRoot()
        #expect(abs(along - expectedAlong) < 1.5, "along \(along), expected \(expectedAlong)")
        #expect(abs(across - expectedAcross) < 1.5, "across \(across), expected \(expectedAcross)")
    }

    @Test func highlightBoostBrightensOnlyClippedValues() {
        let input: [Float] = [0.5, 1.0, 0.95, 0.5, 1.0, 0.95, 0.5, 1.0, 0.95]
        let rgb = HighlightBoost(threshold: 0.9, gain: 8).applied(to: input, pixels: 3)
        #expect(rgb[0] == 0.5)
        #expect(abs(rgb[1] - 9) < 1e-5)
        #expect(rgb[2] > 0.95 && rgb[2] < 9 * 0.95)
        // Every plane of a pixel by the same factor; the input is left as it was.
        #expect(rgb[3] == 0.5 && rgb[6] == 0.5 && abs(rgb[4] - 9) < 1e-5 && abs(rgb[7] - 9) < 1e-5)
        #expect(input[1] == 1.0)
        // Many pixels across threads: each one as a single pixel alone.
        let n = 50_000
        let many = (0..<(3 * n)).map { Float(($0 &* 7919) % 1000) / 900 }
        let boosted = HighlightBoost(threshold: 0.9, gain: 8).applied(to: many, pixels: n, threads: 2)
        for i in Swift.stride(from: 0, to: n, by: 997) {
            let one = HighlightBoost(threshold: 0.9, gain: 8).applied(
                to: [many[i], many[n + i], many[2 * n + i]], pixels: 1, threads: 1)
            #expect([boosted[i], boosted[n + i], boosted[2 * n + i]] == one, "pixel \(i)")
        }
    }

    @Test func breathingScalesTheFrameAboutItsCentre() throws {
        var cam = Scenes.camera
        cam.breathing = 1
        let scene = Scenes.stepEdge()
        let still = try LensBlur.render(
            image: scene.0, depth: scene.1,
            settings: LensBlurSettings(camera: cam, focus: .meters(1), quality: .final, threads: 1))
        let breathing = try LensBlur.render(
            image: scene.0, depth: scene.1,
            settings: LensBlurSettings(
                camera: cam, focus: .meters(1), quality: .final, breathingReference: .infinity, threads: 1))
        // Magnified by frameScale = 1 + m = s / (s − f) = 1000/950 about the centre.
        let expected = Resample.scaleAboutCentre(still, factor: 1000.0 / 950)
        #expect(breathing == expected)
        #expect(ImageQuality.psnr(breathing, still) < 40)
    }

    @Test func resamplingAboutTheCentreMapsPositionsExactly() {
        // Cubic interpolation reproduces linear ramps, so each pixel reads its source position.
        var ramp = PlanarImage(width: 40, height: 30, channels: 1)
        for y in 0..<30 { for x in 0..<40 { ramp[0, x, y] = Float(x) } }
        let scaled = Resample.scaleAboutCentre(ramp, factor: 1.25)
        for x in 5..<35 {
            let source = (Float(x) + 0.5 - 20) / 1.25 + 20 - 0.5
            #expect(abs(scaled[0, x, 15] - source) < 1e-4)
        }
    }

    /// A rack must not pop: the frame changes smoothly as focus moves in small steps, with a
    /// cat's eye too.
    @Test(arguments: [0, 0.6])
    func smallFocusStepsChangeTheFrameSmoothly(catEye: Double) throws {
        let scene = Scenes.stepEdge()
        var camera = Scenes.camera
        camera.catEye = catEye
        var frames: [PlanarImage] = []
        for i in 0...8 {
            frames.append(
                try Scenes.render(scene, focus: 2 * pow(1.0025, Double(i)), quality: .final, camera: camera))
        }
        func meanAbs(_ a: PlanarImage, _ b: PlanarImage) -> Double {
            let da = ImageQuality.display(a.data), db = ImageQuality.display(b.data)
            return zip(da, db).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(da.count)
        }
        let steps = (0..<8).map { meanAbs(frames[$0], frames[$0 + 1]) }
        print("frame-to-frame mean change per 0.25% focus step:", steps.map { String(format: "%.5f", $0) })
        #expect(steps.allSatisfy { $0 > 0 })
        #expect(steps.max()! / steps.min()! < 3, "a step is much larger than its neighbours: popping")
        // 1% of focus distance: a small change everywhere.
        let da = ImageQuality.display(frames[0].data), db = ImageQuality.display(frames[4].data)
        let worst = zip(da, db).map { abs($0 - $1) }.max()!
        #expect(meanAbs(frames[0], frames[4]) < 0.01)
        #expect(worst < 0.1)
    }

    @Test func badDepthAndMismatchedSizesAreClearErrors() throws {
        var (image, depth) = Scenes.stepEdge()
        depth[0, 5, 7] = .nan
        let settings = LensBlurSettings(camera: Scenes.camera, focus: .meters(2))
        let nan = #expect(throws: RenderError.self) {
            try LensBlur.render(image: image, depth: depth, settings: settings)
        }
        #expect(nan?.code == .badDepth)
        #expect(
            nan?.description
                == "depth at pixel (5, 7) is NaN; depth must be a positive distance in metres (fill holes in the depth map, or clamp the sky to a large distance)"
        )
        // Placed in a file and frame by the caller, the message leads with them.
        #expect(
            nan?.located(file: "depth.exr", frame: 3).description.hasPrefix(
                "depth.exr: frame 3: depth at pixel (5, 7) is NaN") == true)
        depth[0, 5, 7] = -1
        let negative = #expect(throws: RenderError.self) {
            try LensBlur.render(image: image, depth: depth, settings: settings)
        }
        #expect(negative?.code == .badDepth)
        let small = PlanarImage(width: 10, height: 10, channels: 1, fill: 2)
        let mismatch = #expect(throws: RenderError.self) {
            try LensBlur.render(image: image, depth: small, settings: settings)
        }
        #expect(mismatch?.code == .sizeMismatch)
        #expect(mismatch == RenderError.sizeMismatch(image: (96, 72), depth: (10, 10)))
        image = PlanarImage(width: 96, height: 72, channels: 3, fill: 0.5)
        _ = image
    }

    @Test func previewIsCloseToFinal() throws {
        let scene = Scenes.slopedPlane()
        let final = try Scenes.render(scene, focus: 2.5, quality: .final)
        let preview = try Scenes.render(scene, focus: 2.5, quality: .preview)
        #expect(ImageQuality.psnr(preview, final) > 28)
    }
}
