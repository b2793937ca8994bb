import Foundation
import RackFocusImage
import Testing

@testable import RackFocusDepthModel

/// The tiny models of Tests/Fixtures/depth-models (scripts/make-depth-test-models.py): their
/// output is 0.5·R' + 0.25·G' + 0.125·B' + 4 of the normalised input, so every value is known.
enum TinyModels {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/depth-models")
    static func path(_ name: String) -> String { folder.appendingPathComponent("\(name).onnx").path }

    /// The model's output for one sRGB-encoded colour.
    static func expected(_ srgb: SIMD3<Float>) -> Float {
        let n = (srgb - DepthModel.mean) / DepthModel.std
        return 0.5 * n.x + 0.25 * n.y + 0.125 * n.z + 4
    }

    /// A linear-light frame of one colour given in sRGB.
    static func frame(width: Int, height: Int, srgb: SIMD3<Float>) -> PlanarImage {
        var img = PlanarImage(width: width, height: height, channels: 3)
        let n = width * height
        for c in 0..<3 { for i in 0..<n { img.data[c * n + i] = ColorTransfer.srgbToLinear(srgb[c]) } }
        return img
    }
}

@Suite("Depth models through ONNX Runtime")
struct DepthModelTests {
    @Test func aFixedSizeModelLoadsAndGivesTheContractsValues() throws {
        let model = try DepthModel(path: TinyModels.path("linear-fixed"), threads: 1)
        #expect(model.inputShape == [1, 3, 28, 42])
        #expect(model.outputShape == [1, 1, 28, 42])
        // A fixed model takes its own size whatever the frame.
        #expect(model.inputSize(forFrameWidth: 1920, height: 1080) == (42, 28))
        for colour: SIMD3<Float> in [[0.2, 0.5, 0.8], [1, 1, 1], [0, 0, 0], [0.485, 0.456, 0.406]] {
            let out = try model.infer(TinyModels.frame(width: 64, height: 36, srgb: colour))
            #expect(out.width == 42 && out.height == 28)
            let want = TinyModels.expected(colour)
            let worst = out.data.map { abs($0 - want) }.max()!
            #expect(worst < 1e-4, "colour \(colour): \(out.data[0]) vs \(want)")
        }
    }

    @Test func aDynamicModelGets518OnTheShortSideInMultiplesOf14() throws {
        let model = try DepthModel(path: TinyModels.path("linear-dynamic"), threads: 2)
        #expect(model.inputShape == [1, 3, -1, -1])
        #expect(model.outputShape == [1, -1, -1])
        #expect(model.inputSize(forFrameWidth: 1920, height: 1080) == (924, 518))
        #expect(model.inputSize(forFrameWidth: 1080, height: 1920) == (518, 924))
        #expect(model.inputSize(forFrameWidth: 640, height: 640) == (518, 518))
        let out = try model.infer(TinyModels.frame(width: 96, height: 54, srgb: [0.3, 0.6, 0.1]))
        #expect(out.width == 924 && out.height == 518)
        #expect(abs(out.data[1000] - TinyModels.expected([0.3, 0.6, 0.1])) < 1e-4)
    }

    /// The input is planar R, G, B: a frame whose left half is red and right half blue gives each
    /// half its own value, so a channel or row/column mix-up cannot pass.
    @Test func theInputIsPlanarRGBInRowOrder() throws {
        let model = try DepthModel(path: TinyModels.path("linear-fixed"), threads: 1)
        var frame = PlanarImage(width: 42, height: 28, channels: 3)
        for y in 0..<28 {
            for x in 0..<42 {
                frame[0, x, y] = x < 21 ? 1 : 0
                frame[2, x, y] = x < 21 ? 0 : 1
                frame[1, x, y] = y < 14 ? 0.2 : 0
            }
        }
        let out = try model.infer(frame)
        let g = ColorTransfer.linearToSRGB(0.2)
        #expect(abs(out[0, 3, 3] - TinyModels.expected([1, g, 0])) < 1e-4)
        #expect(abs(out[0, 38, 3] - TinyModels.expected([0, g, 1])) < 1e-4)
        #expect(abs(out[0, 3, 25] - TinyModels.expected([1, 0, 0])) < 1e-4)
        #expect(abs(out[0, 38, 25] - TinyModels.expected([0, 0, 1])) < 1e-4)
    }

    @Test func modelsThatBreakTheContractAreOneClearError() throws {
        #expect {
            _ = try DepthModel(path: TinyModels.path("wrong-channels"), threads: 1)
        } throws: { error in
            let text = "\(error)"
            return text.contains("wrong-channels.onnx: its input \"image\" is float32 [1, 1, 28, 42]")
                && text.contains("float32 [1, 3, H, W]") && !text.contains("\n")
        }
        #expect {
            _ = try DepthModel(path: TinyModels.path("wrong-type"), threads: 1)
        } throws: { error in
            "\(error)".contains("wrong-type.onnx: its output \"depth\" is int64 [1, 1, 28, 42]")
        }
        #expect {
            _ = try DepthModel(path: TinyModels.path("no-such-model"), threads: 1)
        } throws: { error in "\(error)".contains("no-such-model.onnx: no such model file") }
        // A file that is not a model at all.
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("junk-\(UUID().uuidString).onnx")
        try Data("not a model".utf8).write(to: junk)
        defer { try? FileManager.default.removeItem(at: junk) }
        #expect {
            _ = try DepthModel(path: junk.path, threads: 1)
        } throws: { error in "\(error)".contains("ONNX Runtime cannot load it as a model") }
    }

    /// The estimator brings the output to the frame's size within the output's range; for a
    /// uniform frame every value is the model's value for that colour, refined or not.
    @Test func theEstimateHasTheFramesSizeAndTheModelsValues() throws {
        let model = try DepthModel(path: TinyModels.path("linear-fixed"), threads: 1)
        let frame = TinyModels.frame(width: 80, height: 45, srgb: [0.7, 0.2, 0.4])
        for refine in [false, true] {
            let d = try DepthEstimator(model: model, refine: refine).estimate(frame)
            #expect(d.width == 80 && d.height == 45)
            let want = TinyModels.expected([0.7, 0.2, 0.4])
            #expect(d.data.allSatisfy { abs($0 - want) < 1e-4 })
        }
        let metric = try DepthModel(path: TinyModels.path("linear-fixed"), kind: .metric, threads: 1)
        let m = try DepthEstimator(model: metric).estimate(frame)
        #expect(m.data.allSatisfy { abs($0 - TinyModels.expected([0.7, 0.2, 0.4])) < 1e-4 })
    }
}
