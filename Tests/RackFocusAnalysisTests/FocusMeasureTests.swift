import Foundation
import RackFocusImage
import RackFocusRender
import Testing

@testable import RackFocusAnalysis

/// The properties the default measure was chosen for, measured on the textured card of the
/// synthetic scene blurred by the engine (disc blur of a known diameter).
@Suite("Focus measures")
struct FocusMeasureTests {
    static let region = PixelRect(x: 30, y: 80, width: 90, height: 80)

    /// The near card with its blur circle `diameter` px across (focus moved behind it).
    static func card(blur diameter: Double) -> PlanarImage {
        var cam = Synthetic.camera
        cam.resolution = .init(width: Synthetic.width, height: Synthetic.height)
        guard diameter > 0 else { return Synthetic.scene.image }
        // Blur of the 1.5 m card per dioptre of focus change, in frame pixels.
        let perDioptre = abs(cam.frameBlurModel(focus: .meters(1.5)).pixelsPerDioptre)
        let focus = 1 / (1 / 1.5 - diameter / perDioptre)
        return Synthetic.render(focus: focus)
    }

    static func value(_ m: FocusMeasure, _ img: PlanarImage) -> Double {
        m.evaluate(
            LumaPyramid(luma: PlanarImage(width: img.width, height: img.height, data: luma(img))), region: region)
    }

    static func luma(_ img: PlanarImage) -> [Float] {
        let n = img.pixelCount
        return (0..<n).map { 0.2126 * img.data[$0] + 0.7152 * img.data[n + $0] + 0.0722 * img.data[2 * n + $0] }
    }

    @Test(arguments: FocusMeasure.allCases)
    func fallsAsBlurGrows(measure: FocusMeasure) {
        let values = [0.0, 2, 4, 8, 16].map { Self.value(measure, Self.card(blur: $0)) }
        print("\(measure.rawValue): \(values.map { String(format: "%.4g", $0) })")
        for (a, b) in zip(values, values.dropFirst()) { #expect(b < a, "\(measure.rawValue): \(values)") }
    }

    @Test func theDefaultIgnoresExposureAndContrast() {
        let sharp = Self.card(blur: 0), soft = Self.card(blur: 4)
        for img in [sharp, soft] {
            let base = Self.value(.standard, img)
            var darker = img, flatter = img
            let n = img.data.count
            let mean = img.data.reduce(0, +) / Float(n)
            for i in 0..<n { darker.data[i] *= 0.25; flatter.data[i] = mean + 0.5 * (img.data[i] - mean) }
            #expect(abs(Self.value(.standard, darker) / base - 1) < 1e-3)
            #expect(abs(Self.value(.standard, flatter) / base - 1) < 1e-3)
        }
        // The classic operators are not invariant: Tenengrad falls 16-fold two stops down.
        #expect(
            Self.value(.tenengrad, sharp)
                / Self.value(
                    .tenengrad,
                    {
                        var d = sharp; for i in d.data.indices { d.data[i] *= 0.25 }; return d
                    }()) > 10)
    }
}
