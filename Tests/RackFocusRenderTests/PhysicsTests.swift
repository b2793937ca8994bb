import Foundation
import RackFocusImage
import Testing

@testable import RackFocusOptics
@testable import RackFocusRender

/// Writes an image as a PNG for a person to look at, when RACKFOCUS_TEST_IMAGES names a folder.
func dump(_ img: PlanarImage, _ name: String) {
    guard let dir = ProcessInfo.processInfo.environment["RACKFOCUS_TEST_IMAGES"] else { return }
    var bytes = [UInt8](repeating: 0, count: img.pixelCount * 3)
    for i in 0..<img.pixelCount {
        for c in 0..<3 {
            bytes[3 * i + c] = UInt8(
                ColorTransfer.linearToSRGB(min(max(img.data[c * img.pixelCount + i], 0), 1)) * 255 + 0.5)
        }
    }
    let ppm = Data("P6\n\(img.width) \(img.height)\n255\n".utf8) + Data(bytes)
    try? ppm.write(to: URL(fileURLWithPath: "\(dir)/\(name).ppm"))
}

@Suite("Lens-blur physics")
struct PhysicsTests {
    @Test(arguments: [RenderQuality.final, .reference])
    func blurredRegionsReallyBlur(quality: RenderQuality) throws {
        let scene = Scenes.stepEdge()
        let out = try Scenes.render(scene, focus: 1, quality: quality)
        dump(scene.0, "step-input"); dump(out, "step-focus1-\(quality)")
        // Far half (x ≥ 70) is blurred: texture contrast drops; near half (x < 30) is untouched.
        func contrast(_ img: PlanarImage, _ xs: Range<Int>) -> Float {
            var sum: Float = 0
            for y in 10..<60 { for x in xs { sum += abs(img[1, x + 1, y] - img[1, x, y]) } }
            return sum
        }
        #expect(contrast(out, 70..<90) < 0.35 * contrast(scene.0, 70..<90))
        for y in 0..<Scenes.height { for x in 0..<30 { #expect(abs(out[1, x, y] - scene.0[1, x, y]) < 1e-5) } }
    }

    @Test(arguments: [RenderQuality.final, .reference])
    func uniformFieldStaysUniform(quality: RenderQuality) throws {
        let out = try Scenes.render(Scenes.uniformField(), focus: 2, quality: quality)
        for i in 0..<out.pixelCount {
            #expect(abs(out.data[i] - 0.4) < 1e-4)
            #expect(abs(out.data[2 * out.pixelCount + i] - 0.2) < 1e-4)
        }
    }

    /// A frame is a window on a wider scene: rendering a crop must give what cropping the wider
    /// render gives, also where a blurred foreground crosses the crop's edge. The model continues
    /// the scene beyond the edge with the edge's depth, taking coverage but no colour; before it,
    /// the colour at the edge was renormalised over what the frame held and the background showed
    /// through the cut foreground as a bright fringe.
    @Test(arguments: [RenderQuality.final, .reference])
    func aCropRendersAsTheWiderFrameCropped(quality: RenderQuality) throws {
        let w = 120, h = 40
        var image = PlanarImage(width: w, height: h, channels: 3), depth = PlanarImage(width: w, height: h, channels: 1)
        for y in 0..<h {
            for x in 0..<w {
                // A dark bar at 0.6 m (columns 50-75) over a bright textured wall at 8 m.
                let bar = (50..<76).contains(x)
                let c = bar ? SIMD3<Float>(0.05, 0.04, 0.03) : Scenes.texture(x, y, seed: 5, base: SIMD3(0.8, 0.7, 0.6))
                image[0, x, y] = c.x; image[1, x, y] = c.y; image[2, x, y] = c.z
                depth[0, x, y] = bar ? 0.6 : 8
            }
        }
        func render(_ img: PlanarImage, _ d: PlanarImage, sensorWidth: Double) throws -> PlanarImage {
            let cam = Camera(
                sensor: .custom(widthMM: sensorWidth, heightMM: sensorWidth * Double(h) / Double(img.width)),
                focalLengthMM: 50, stop: Stop(4))
            return try LensBlur.render(
                image: img, depth: d,
                settings: LensBlurSettings(camera: cam, focus: .meters(2), quality: quality, threads: 2))
        }
        let wide = try render(image, depth, sensorWidth: 6.4)
        // The right half, cut through the bar: the same pixel scale on half the sensor.
        func right(_ p: PlanarImage) -> PlanarImage {
            var out = PlanarImage(width: w / 2, height: h, channels: p.channels)
            for c in 0..<p.channels { for y in 0..<h { for x in 0..<(w / 2) { out[c, x, y] = p[c, x + w / 2, y] } } }
            return out
        }
        let crop = try render(right(image), right(depth), sensorWidth: 3.2)
        let truth = right(wide)
        dump(truth, "crop-truth-\(quality)"); dump(crop, "crop-rendered-\(quality)")
        // Over the columns the bar's blur reaches from the cut and from its far edge (its blur
        // radius is about 7 px). Measured: 0.001 (reference) and 0.01 (fast); without the scene
        // beyond the edge 0.29 and 0.26, and with the occluder feeding the hidden fill 0.11.
        var worst: Float = 0
        for c in 0..<3 {
            for y in 0..<h { for x in 0..<12 { worst = max(worst, abs(crop[c, x, y] - truth[c, x, y])) } }
        }
        print("crop vs wider frame, \(quality): largest difference \(worst) in the 12 columns at the cut")
        #expect(worst < 0.02, "\(worst)")
    }

    /// A small light just behind a subject's edge, both behind focus: the subject blocks the
    /// rays through part of the aperture, so the light's disc is cut by a straight line, where the
    /// thin lens puts it (offset −δ·c_L/(c_L − c_O) from the light, δ its distance to the edge),
    /// not faded across the subject's blurred edge. Both renderers draw the cut disc alike.
    /// A grey subject at 3 m filling columns 0-35 over a black wall at 30 m, and a light (50) at
    /// 5 m in column 36, row 24: well in front of the wall, for in one layer with the wall the fast
    /// renderer would share the pixel between them where the oracle takes the light first.
    static let cutLight = (w: 64, h: 48, lx: 36, ly: 24)
    static func cutLightScene() -> (image: PlanarImage, depth: PlanarImage) {
        let (w, h, lx, ly) = cutLight
        var image = PlanarImage(width: w, height: h, channels: 3)
        var depth = PlanarImage(width: w, height: h, channels: 1, fill: 30)
        for y in 0..<h { for x in 0...35 { depth[0, x, y] = 3; for c in 0..<3 { image[c, x, y] = 0.2 } } }
        for c in 0..<3 { image[c, lx, ly] = 50 }
        depth[0, lx, ly] = 5
        return (image, depth)
    }

    @Test func aLightBehindAnEdgeHasItsDiscCutWhereTheLensCutsIt() throws {
        let (w, h, lx, ly) = Self.cutLight
        let (image, depth) = Self.cutLightScene()
        let scene = try DefocusScene(image: image, depth: depth, camera: Scenes.camera, focus: .meters(1))
        let lights = PointLights(scene: scene)
        let i = ly * w + lx
        #expect(lights.isLight[i] && lights.any)
        let cL = scene.coc[i], cO = scene.coc[ly * w + 10]
        let cut = -(Float(lx) - 35.5) * cL / (cL - cO)
        print("light c \(cL) px, subject c \(cO) px: the disc is cut at \(cut) px from the light")
        #expect(cut > -cL / 2 && cut < 0, "the cut falls inside the disc")
        let reach = Int(cL / 2)
        for dx in -reach...reach where abs(Float(dx) - cut) > 0.75 {
            #expect(lights.visible(i, dx: dx, dy: 0) == (Float(dx) > cut), "offset \(dx)")

        }
        // Nothing nearer on the other side: the rest of the disc is whole.
        #expect((-reach...reach).allSatisfy { lights.visible(i, dx: reach / 2, dy: $0) })
        let kernel = ApertureKernel(shape: .circle, maxRadius: scene.maxRadius)
        // Full resolution throughout, so that only the light's handling is compared (the coarse
        // levels hold blurred surfaces to about 40 dB of the oracle; not this test's subject).
        let fast = LayeredRenderer(levelRadii: [], threads: 2).render(scene: scene, kernel: kernel).image
        let oracle = PlanarImage(
            width: w, height: h, channels: 3, data: ReferenceRenderer.render(scene: scene, kernel: kernel, threads: 2))
        dump(fast, "cut-light-fast"); dump(oracle, "cut-light-reference")
        // Around the light.
        func around(_ p: PlanarImage) -> PlanarImage {
            var out = PlanarImage(width: 24, height: 24, channels: 3)
            for c in 0..<3 { for y in 0..<24 { for x in 0..<24 { out[c, x, y] = p[c, lx - 12 + x, ly - 12 + y] } } }
            return out
        }
        let psnr = ImageQuality.psnr(around(fast), around(oracle))
        print("cut light: fast vs oracle \(psnr) dB around the light, \(ImageQuality.psnr(fast, oracle)) dB overall")
        #expect(psnr > 45)
    }

    /// The cut of a light's disc moves smoothly as focus moves: a pixel along it is not switched
    /// between lit and unlit from one frame to the next (a flicker along the cut during a rack).
    @Test func aCutDiscChangesSmoothlyWithFocus() throws {
        let (_, _, lx, ly) = Self.cutLight
        let (image, depth) = Self.cutLightScene()
        func frame(_ focus: Double) throws -> PlanarImage {
            try LensBlur.render(
                image: image, depth: depth,
                settings: LensBlurSettings(camera: Scenes.camera, focus: .meters(focus), quality: .final, threads: 2))
        }
        // Steps of 0.25% in focus from 1 m to 1.5 m, which moves the cut by about two pixels.
        var worst: Float = 0
        var previous = try frame(1)
        for k in 1...160 {
            let next = try frame(1 + 0.0025 * Double(k))
            for y in (ly - 10)...(ly + 10) {
                for x in (lx - 10)...(lx + 10) { worst = max(worst, abs(next[0, x, y] - previous[0, x, y])) }
            }
            previous = next
        }
        print("cut disc: largest change of a pixel between focus steps of 0.25%: \(worst)")
        // Measured 0.047; with a pass-or-block visibility a pixel flipped by 0.56.
        #expect(worst < 0.1)
    }

    /// Glitter: thousands of isolated lights behind thin bars. Tracing each one's rays would take
    /// minutes; the brightest are traced within `tracingBudget` ray steps, the rest keep the plain
    /// footprint (checked by counting, not timing).
    @Test func glitterBehindBarsTracesABoundedNumberOfLights() throws {
        let w = 320, h = 160
        var image = PlanarImage(width: w, height: h, channels: 3)
        var depth = PlanarImage(width: w, height: h, channels: 1, fill: 20)
        // Thin bars at 3 m every 12 columns, glitter between them.
        for y in 0..<h { for x in 0..<w where x % 12 < 3 { depth[0, x, y] = 3 } }
        var lights = 0
        for y in stride(from: 1, to: h, by: 3) {
            for x in stride(from: 0, to: w, by: 3) where x % 12 >= 3 {
                for c in 0..<3 { image[c, x, y] = 2 + Float((x * 7 + y * 13) % 17) }
                lights += 1
            }
        }
        let scene = try DefocusScene(image: image, depth: depth, camera: Scenes.camera, focus: .meters(1))
        let found = PointLights(scene: scene)
        // Every light has a bar within reach, so without the budget all would be traced.
        #expect(found.tracedCount > 0 && found.tracedCount < lights, "\(found.tracedCount) of \(lights)")
        let kernel = ApertureKernel(shape: .circle, maxRadius: scene.maxRadius)
        let out = LayeredRenderer(threads: 2).render(scene: scene, kernel: kernel).image
        #expect(out.data.allSatisfy { $0.isFinite })
    }

    @Test(arguments: [RenderQuality.final, .reference])
    func pointLightBecomesADiscOfTheThinLensDiameter(quality: RenderQuality) throws {
        let scene = Scenes.pointLights()
        let out = try Scenes.render(scene, focus: 2, quality: quality)
        dump(out, "lights-\(quality)")
        var cam = Scenes.camera
        cam.resolution = Resolution(width: Scenes.width, height: Scenes.height)
        let diameter = cam.blurPixels(subject: .meters(10), focus: .meters(2))
        let (lx, ly) = Scenes.lights[2]
        // Measure the lit extent along the row and the column through the light.
        let background: Float = 0.03
        let row = ((lx - 15)...(lx + 15)).filter { out[0, $0, ly] > background + 0.05 }
        let column = ((ly - 15)...min(ly + 15, Scenes.height - 1)).filter { out[0, lx, $0] > background + 0.05 }
        print("bokeh \(quality): row \(row.count) column \(column.count) thin-lens \(diameter)")
        #expect(abs(Double(row.count) - diameter) <= 1, "row width \(row.count) vs \(diameter)")
        #expect(abs(Double(column.count) - diameter) <= 1, "column height \(column.count) vs \(diameter)")
        // Energy: the light's total is kept.
        var total: Float = 0
        for y in (ly - 10)...(ly + 10) { for x in (lx - 10)...(lx + 10) { total += out[0, x, y] - 0.02 } }
        #expect(abs(total - (40 - 0.02)) < 0.5)
    }
}

@Suite("Focus on a point")
struct DepthProbeTests {
    @Test func aPointOnASubjectsEdgeReadsTheSubject() {
        // Left third at 1.2 m, the rest a wall at 6 m; probe right at the boundary.
        var depth = PlanarImage(width: 60, height: 40, channels: 1, fill: 6)
        for y in 0..<40 { for x in 0..<20 { depth[0, x, y] = 1.2 } }
        #expect(DepthProbe.robustDepth(depth, x: 21.0 / 60, y: 0.5) == 1.2)
        #expect(DepthProbe.robustDepth(depth, x: 0.8, y: 0.5) == 6)
        // Noise does not move it: the median of the near cluster.
        depth[0, 10, 20] = 1.25
        #expect(DepthProbe.robustDepth(depth, x: 10.0 / 60, y: 0.5) == 1.2)
    }
}
