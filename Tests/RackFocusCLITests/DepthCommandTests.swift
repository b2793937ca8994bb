import Foundation
import RackFocusImage
import Testing

@testable import RackFocusCLI
@testable import RackFocusMedia
@testable import RackFocusShot

/// The tiny models of Tests/Fixtures/depth-models: out = 0.5·R' + 0.25·G' + 0.125·B' + 4 of the
/// ImageNet-normalised sRGB input (scripts/make-depth-test-models.py).
private func tinyModel(_ name: String) -> String {
    repoRoot.appendingPathComponent("Tests/Fixtures/depth-models/\(name).onnx").path
}

private func modelValue(_ srgb: SIMD3<Float>) -> Float {
    let mean: SIMD3<Float> = [0.485, 0.456, 0.406], std: SIMD3<Float> = [0.229, 0.224, 0.225]
    let n = (srgb - mean) / std
    return 0.5 * n.x + 0.25 * n.y + 0.125 * n.z + 4
}

/// A 6-frame 84×48 PNG sequence: the left half one warm colour, the right half blue rising from
/// 0.2 at the top to 1 at the bottom (so the model's output, and inverse depth, rise down it).
private func colourClip(_ dir: URL) throws -> String {
    var img = PlanarImage(width: 84, height: 48, channels: 3)
    for y in 0..<48 {
        for x in 0..<84 {
            let c: SIMD3<Float> = x < 42 ? [0.78, 0.24, 0.12] : [0.08, 0.31, 0.2 + 0.8 * Float(y) / 47]
            for k in 0..<3 { img[k, x, y] = ColorTransfer.srgbToLinear(c[k]) }
        }
    }
    let pattern = dir.appendingPathComponent("clip_%04d.png").path
    for n in 0..<6 { try StillImage.write(img, to: String(format: pattern, n)) }
    return pattern
}

/// A plan for `colourClip`'s frames: focus starts on `warm`, then `rack` (a focus entry); `subjects`
/// is the YAML mapping of the subjects.
private func colourPlan(_ dir: URL, subjects: String, rack: String) throws -> String {
    let plan = dir.appendingPathComponent("shot.yaml").path
    try Data(
        """
        fps: 24
        camera: { sensor: fullframe, focalLength: 85mm, stop: 1.8, resolution: 84x48 }
        subjects: \(subjects)
        focus:
          - { at: 0s, on: warm }
          - \(rack)
        """.utf8
    ).write(to: URL(fileURLWithPath: plan))
    return plan
}

@Suite("rackfocus depth and --depth-model", .serialized)
struct DepthCommandTests {
    @Test func depthWritesOneCalibratedMapPerFrameAndCachesTheEstimates() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try colourClip(dir)
        let out = dir.appendingPathComponent("d_%04d.exr").path
        try run(["depth", clip, "--model", tinyModel("linear-dynamic"), "--near", "1m", "--far", "8m", "-o", out])
        let files = FFmpeg.sequenceFiles(out)
        #expect(files.count == 6)
        for file in files {
            let d = try StillImage.readDepth(file)
            #expect(d.width == 84 && d.height == 48)
            #expect(d.data.allSatisfy { $0.isFinite && $0 > 0 })
            // The warm half gives the largest output (nearest: 1 m); the blue half's top the
            // smallest (farthest: 8 m); both away from the edge between them.
            #expect(abs(d[0, 6, 24] - 1) < 0.01, "\(d[0, 6, 24])")
            #expect(abs(d[0, 78, 0] - 8) < 0.2, "\(d[0, 78, 0])")
            // Down the blue half the output rises, so inverse depth rises with it.
            let column = (2..<46).map { 1 / d[0, 70, $0] }
            #expect(zip(column, column.dropFirst()).allSatisfy { $1 >= $0 - 1e-5 })
            #expect(column.last! > column.first! * 1.5)
        }
        // --inverse writes the network's values as they are.
        let raw = dir.appendingPathComponent("inv_%04d.exr").path
        let cache = dir.appendingPathComponent(DepthEstimation.folderName).path
        let before = try cacheState(cache)
        try run(["depth", clip, "--model", tinyModel("linear-dynamic"), "--inverse", "-o", raw])
        let v = try StillImage.readDepth(String(format: raw, 3))
        #expect(abs(v[0, 6, 24] - modelValue([0.78, 0.24, 0.12])) < 2e-3)
        // Every value is the network's (nothing clamped as if it were a distance).
        let lowest = modelValue([0.08, 0.31, 0.2]), highest = modelValue([0.78, 0.24, 0.12])
        #expect(v.data.allSatisfy { $0 > lowest - 0.01 && $0 < highest + 0.01 })
        // The second run read the cache: no estimate was made or rewritten.
        #expect(try cacheState(cache) == before)
        #expect(before.count == 6)
    }

    /// The cache's files and their modification times.
    private func cacheState(_ folder: String) throws -> [String: Date] {
        var state: [String: Date] = [:]
        let e = FileManager.default.enumerator(atPath: folder)
        while let f = e?.nextObject() as? String {
            guard f.hasSuffix(".exr") else { continue }
            state[f] =
                try FileManager.default.attributesOfItem(atPath: (folder as NSString).appendingPathComponent(f))[
                    .modificationDate] as? Date
        }
        return state
    }

    /// `render --depth-model` renders the rack from the estimates exactly as `render --depth`
    /// renders it from the maps `rackfocus depth` wrote.
    @Test func renderWithADepthModelRendersTheRack() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try colourClip(dir)
        let plan = try colourPlan(dir, subjects: "{ warm: 1m, blue: 8m }", rack: "{ rack: blue, start: 1f, land: 4f }")
        let maps = dir.appendingPathComponent("d_%04d.exr").path
        try run(["depth", clip, "--model", tinyModel("linear-dynamic"), "--near", "1m", "--far", "8m", "-o", maps])
        let fromMaps = dir.appendingPathComponent("a_%04d.exr").path
        let fromModel = dir.appendingPathComponent("b_%04d.exr").path
        try run(["render", plan, "--input", clip, "--depth", maps, "-o", fromMaps])
        try run([
            "render", plan, "--input", clip, "--depth-model", tinyModel("linear-dynamic"), "--near", "1m", "--far",
            "8m",
            "-o", fromModel,
        ])
        let first = try StillImage.readColor(String(format: fromModel, 0))
        let last = try StillImage.readColor(String(format: fromModel, 5))
        for n in 0..<6 {
            let a = try StillImage.readColor(String(format: fromMaps, n))
            let b = try StillImage.readColor(String(format: fromModel, n))
            #expect(ImageQuality.psnr(a, b) > 60, "frame \(n)")
        }
        // The rack happened: the warm half is sharp at first and blurred at the end, so its edge
        // with the blue half changes.
        #expect(ImageQuality.psnr(first, last) < 45)
    }

    /// `still --depth-model` on one image: the estimate is that image's, and the frame rendered
    /// from it equals the one rendered from the map `rackfocus depth` writes for the image.
    @Test func stillWithADepthModelUsesTheImagesOwnEstimate() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try colourClip(dir)
        let image = String(format: clip, 0)
        let map = dir.appendingPathComponent("map.exr").path
        try run(["depth", image, "--model", tinyModel("linear-fixed"), "--near", "1m", "--far", "8m", "-o", map])
        let d = try StillImage.readDepth(map)
        #expect(d.width == 84 && d.height == 48)
        #expect(abs(d[0, 6, 24] - 1) < 0.01)
        let common = ["--focus", "1m", "--focal", "85mm", "--stop", "1.8", "--sensor", "fullframe"]
        let a = dir.appendingPathComponent("a.exr").path, b = dir.appendingPathComponent("b.exr").path
        try run(["still", "--image", image, "--depth", map] + common + ["-o", a])
        try run(
            ["still", "--image", image, "--depth-model", tinyModel("linear-fixed"), "--near", "1m", "--far", "8m"]
                + common + ["-o", b])
        #expect(ImageQuality.psnr(try StillImage.readColor(a), try StillImage.readColor(b)) > 60)
    }

    @Test func aMissingRuntimeABrokenModelAndADepthlessCommandAreOneLineEach() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try colourClip(dir)
        func runTool(_ args: [String], env: [String: String] = [:]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = builtTool
            p.arguments = args
            p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, text)
        }
        let out = dir.appendingPathComponent("d_%04d.exr").path
        let (rc, text) = try runTool(
            ["depth", clip, "--model", tinyModel("linear-dynamic"), "--inverse", "-o", out],
            env: ["RACKFOCUS_ONNXRUNTIME": dir.appendingPathComponent("nowhere/libonnxruntime.so").path])
        #expect(rc != 0)
        #expect(text.contains("install it with scripts/install-onnxruntime.sh"), "\(text)")
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(text)")
        let (rc2, text2) = try runTool(["depth", clip, "--model", tinyModel("wrong-channels"), "--inverse", "-o", out])
        #expect(rc2 != 0)
        #expect(text2.contains("its input \"image\" is float32 [1, 1, 28, 42]"), "\(text2)")
        #expect(text2.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").count == 1, "\(text2)")
        // Relative depth with nothing to calibrate it says how to.
        let (rc3, text3) = try runTool(["depth", clip, "--model", tinyModel("linear-dynamic"), "-o", out])
        #expect(rc3 != 0)
        #expect(text3.contains("needs calibrating to metres: give --near and --far"), "\(text3)")
        #expect(FFmpeg.sequenceFiles(out).isEmpty)
        #expect(throws: (any Error).self) {
            try run([
                "plan", repoRoot.appendingPathComponent("examples/demo-rack.yaml").path, "--depth-model", "m.onnx",
            ])
        }
    }

    /// `plan` reads no footage; with `--depth-from CLIP` a depth model estimates from that clip,
    /// and a subject placed on the warm half reads the distance calibrated there.
    @Test func planReadsSubjectsFromEstimatedDepthOfTheClipItIsGiven() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try colourClip(dir)
        let plan = try colourPlan(
            dir, subjects: "{ warm: { point: [0.1, 0.5] }, far: 8m }", rack: "{ rack: far, start: 2f, land: 5f }")
        var options = try DepthOptions.parse([
            "--depth-model", tinyModel("linear-dynamic"), "--depth-from", clip, "--near", "1m", "--far", "8m",
        ])
        let loaded = try loadPlan(plan, depth: try options.mapSettings(for: "plan"))
        let warm = try #require(loaded.subjects.first { $0.subject == "warm" })
        #expect(warm.perFrameM.allSatisfy { abs($0 - 1) < 0.05 }, "\(warm.perFrameM)")
        #expect(!warm.perFrameM.isEmpty)
        options.depthFrom = nil
        #expect(throws: (any Error).self) { _ = try options.mapSettings(for: "plan") }
    }

    /// A locked-off shot whose colour carries sensor noise makes an estimator's depth flicker, and
    /// with it the blur. Steadying (on by default for estimated depth) must cut the flicker the
    /// depth adds: the mean frame-to-frame change of the render, less what the noise alone gives
    /// with a fixed depth map.
    @Test func estimatedDepthIsSteadiedSoALockedOffShotDoesNotFlicker() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scene = DemoScene.make(width: 96, height: 54)
        let clip = dir.appendingPathComponent("noisy_%04d.png").path
        var z: UInt64 = 2026
        for f in 0..<10 {
            var img = scene.image
            for i in img.data.indices {
                z = z &* 6364136223846793005 &+ 1442695040888963407
                let u = Float(z >> 40) / Float(1 << 24) - 0.5
                img.data[i] = max(0, img.data[i] * (1 + 0.08 * u))
            }
            try StillImage.write(img, to: String(format: clip, f))
        }
        let plan = dir.appendingPathComponent("shot.yaml").path
        try Data(
            """
            fps: 24
            camera: { sensor: fullframe, focalLength: 85mm, stop: 1.8, resolution: 96x54 }
            subjects: { ball: 2m }
            focus:
              - { at: 0s, on: ball }
            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let depth = dir.appendingPathComponent("depth.pfm").path
        try PFM.encode(scene.depth).write(to: URL(fileURLWithPath: depth))
        func flicker(_ extra: [String], _ name: String) throws -> Double {
            let out = dir.appendingPathComponent("\(name)_%04d.exr").path
            try run(["render", plan, "--input", clip] + extra + ["-o", out])
            var total = 0.0
            var previous: [Float]?
            for f in 0..<10 {
                let frame = ImageQuality.display(try StillImage.readColor(String(format: out, f)).data)
                if let previous {
                    total += zip(frame, previous).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(frame.count)
                }
                previous = frame
            }
            return total / 9
        }
        let model = ["--depth-model", tinyModel("linear-dynamic"), "--near", "1m", "--far", "8m"]
        let noiseOnly = try flicker(["--depth", depth, "--depth-still"], "fixed")
        let steadied = try flicker(model, "steadied")
        let raw = try flicker(model + ["--no-stabilize-depth"], "raw")
        print(
            String(
                format: "flicker (mean frame-to-frame change): fixed depth %.5f, estimated %.5f, steadied %.5f",
                noiseOnly, raw, steadied))
        #expect(raw > noiseOnly * 1.2, "the estimated depth should add flicker to this shot")
        #expect(steadied - noiseOnly < 0.5 * (raw - noiseOnly))
    }
}
