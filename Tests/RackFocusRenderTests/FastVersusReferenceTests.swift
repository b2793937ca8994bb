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
}
