import Foundation
import RackFocusImage
import Testing

@testable import RackFocusOptics
@testable import RackFocusRender

@Suite("Fast renderer against the oracle")
struct FastVersusReferenceTests {
    static let cases: [(String, @Sendable () -> (PlanarImage, PlanarImage), Double)] = [
        ("step edge, focus near", Scenes.stepEdge, 1),
        ("step edge, focus far", Scenes.stepEdge, 5),
        ("thin occluder, focus far", Scenes.thinOccluder, 4),
        ("thin occluder, focus near", Scenes.thinOccluder, 1),
        ("point lights", Scenes.pointLights, 2),
        ("sloped plane", Scenes.slopedPlane, 2.5),
        ("uniform field", Scenes.uniformField, 2),
    ]

    @Test(arguments: cases.indices)
    func fastMatchesReference(index: Int) throws {
        let (name, make, focus) = Self.cases[index]
        let scene = make()
        let fast = try Scenes.render(scene, focus: focus, quality: .final)
        let reference = try Scenes.render(scene, focus: focus, quality: .reference)
        let psnr = ImageQuality.psnr(fast, reference)
        print("fast vs reference, \(name): \(String(format: "%.2f", psnr)) dB")
        #expect(psnr >= 38, "\(name): \(psnr) dB")
    }

    /// With a cat's eye the two renderers still agree, and both narrow the discs off-centre: the
    /// disc of the light at (20, 20) (ρ ≈ 0.53 of the half-diagonal, a = 0.6) is clipped to about
    /// 0.68 of its radius along the line to the centre and keeps ~0.95 across it, and loses none of
    /// its energy.
    @Test(arguments: [ApertureShape.circle, ApertureShape(blades: 6, rotationDegrees: 10)])
    func fastMatchesReferenceWithACatsEye(shape: ApertureShape) throws {
        var camera = Scenes.camera
        camera.aperture = shape
        camera.catEye = 0.6
        for (name, scene, focus) in [
            ("point lights", Scenes.pointLights(), 2.0), ("step edge, focus near", Scenes.stepEdge(), 1),
            ("thin occluder, focus far", Scenes.thinOccluder(), 4),
        ] {
            let fast = try Scenes.render(scene, focus: focus, quality: .final, camera: camera)
            let reference = try Scenes.render(scene, focus: focus, quality: .reference, camera: camera)
            let psnr = ImageQuality.psnr(fast, reference)
            print(
                "fast vs reference with a cat's eye, \(name), \(shape.blades) blades: \(String(format: "%.2f", psnr)) dB"
            )
            #expect(psnr >= 38, "\(name): \(psnr) dB")
        }
        var round = Scenes.camera
        round.aperture = shape
        let lights = Scenes.pointLights()
        for quality in [RenderQuality.final, .reference] {
            let clipped = try Scenes.render(lights, focus: 2, quality: quality, camera: camera)
            let open = try Scenes.render(lights, focus: 2, quality: quality, camera: round)
            // The disc of the light at (20, 20): its spread along u (toward the light from the
            // frame's centre, (47.5, 35.5)) and across u, and its energy.
            func disc(_ img: PlanarImage) -> (ratio: Double, energy: Double) {
                let ux = -27.5, uy = -15.5, len = (ux * ux + uy * uy).squareRoot()
                var along = 0.0, across = 0.0, energy = 0.0
                for y in 2...38 {
                    for x in 2...38 {
                        let v = Double(img[0, x, y] - 0.02), dx = Double(x - 20), dy = Double(y - 20)
                        let a = (dx * ux + dy * uy) / len, c = (dx * uy - dy * ux) / len
                        along += v * a * a
                        across += v * c * c
                        energy += v
                    }
                }
                return ((along / across).squareRoot(), energy)
            }
            let (a, b) = (disc(clipped), disc(open))
            print("\(quality), \(shape.blades) blades: spread along/across \(a.ratio) (\(b.ratio) without)")
            #expect(a.ratio < 0.9 * b.ratio, "\(quality): spread along/across \(a.ratio), \(b.ratio) without")
            #expect(abs(a.energy / b.energy - 1) < 0.02, "\(quality): energy \(a.energy) vs \(b.energy)")
        }
    }
}
