import Foundation
import RackFocusImage
import Testing

@testable import RackFocusCLI
@testable import RackFocusMedia

/// EXR in and out of the commands: nothing clamped, channels and compression kept.
@Suite("EXR through the commands", .serialized)
struct EXRCommandTests {
    static let w = 64, h = 36

    /// A night frame: dark ground, one bright point light (far above 1) behind; its depth as `Z`.
    func nightFrame(light: Float = 400) -> (r: [Float], g: [Float], b: [Float], a: [Float], z: [Float]) {
        let n = Self.w * Self.h
        var r = [Float](repeating: 0.02, count: n), g = r, b = r
        let a = [Float](repeating: 1, count: n)
        var z = [Float](repeating: 20, count: n)
        for y in 0..<Self.h { for x in 0..<Self.w where x < 20 { z[y * Self.w + x] = 1 } }
        let light = 18 * Self.w + 44
        r[light] = 400; g[light] = 300; b[light] = 200
        return (r, g, b, a, z)
    }

    @Test func anRGBAFrameKeepsItsLightsThroughStill() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = nightFrame()
        let beauty = dir.appendingPathComponent("beauty.exr").path
        try EXRWriter.write(
            [
                EXRPart(
                    channels: [("R", f.r), ("G", f.g), ("B", f.b), ("A", f.a), ("Z", f.z)], half: true,
                    compression: .piz)
            ],
            width: Self.w, height: Self.h, to: beauty)
        let out = dir.appendingPathComponent("out.exr").path
        // The depth is the beauty file's own Z channel; focus on the near ground, so the light blurs into a disc.
        try run([
            "still", "--image", beauty, "--depth", beauty, "--focus", "1m", "--focal", "50mm", "--stop", "1.4",
            "--sensor", "6.4x3.6",
            "-o", out,
        ])
        let (img, exr) = try EXRImage.readColor(out)
        let n = img.pixelCount
        let energyIn = f.r.reduce(0, +), energyOut = img.data[0..<n].reduce(0, +)
        #expect(abs(energyOut - energyIn) / energyIn < 0.02, "red energy \(energyOut) of \(energyIn)")
        #expect(img.data[0..<n].max()! > 1, "the disc stays above display white")
        #expect(img.data[0..<n].max()! < 400, "the light was blurred")
        // Written the way the input was: half floats, PIZ, its channel names.
        #expect(exr.compression == .piz && exr.isHalf && exr.channelNames == ["B", "G", "R"])
        // Unless told: float and uncompressed, the same values (the input's were half already).
        let told = dir.appendingPathComponent("told.exr").path
        try run([
            "still", "--image", beauty, "--depth", beauty, "--focus", "1m", "--focal", "50mm", "--stop", "1.4",
            "--sensor", "6.4x3.6",
            "--exr-compression", "none", "--exr-type", "float", "-o", told,
        ])
        let (toldImage, toldEXR) = try EXRImage.readColor(told)
        #expect(toldEXR.compression == EXRCompression.none && !toldEXR.isHalf)
        #expect(ImageQuality.psnr(toldImage, img) > 60)
        // DWA cannot be written by this library: said before any work.
        #expect(throws: (any Error).self) {
            try run([
                "still", "--image", beauty, "--depth", beauty, "--focus", "1m", "--focal", "50mm", "--stop", "1.4",
                "--sensor",
                "6.4x3.6", "--exr-compression", "dwaa", "-o", told,
            ])
        }
    }

    @Test func anEXRSequenceRendersToEXRsLikeItsInputAndATruncatedFrameIsNamed() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = nightFrame()
        for i in 0..<6 {
            try EXRWriter.write(
                [
                    EXRPart(
                        name: "beauty", channels: [("beauty.R", f.r), ("beauty.G", f.g), ("beauty.B", f.b)], half: true,
                        compression: .zip),
                    EXRPart(name: "depth", channels: [("depth.V", f.z)], compression: .zip),
                ],
                width: Self.w, height: Self.h, to: dir.appendingPathComponent(String(format: "shot_%04d.exr", i)).path)
        }
        let plan = dir.appendingPathComponent("shot.yaml").path
        try Data(
            """
            fps: 24
            camera: { sensor: { width: 6.4mm, height: 3.6mm }, focalLength: 50mm, stop: 1.4, resolution: 64x36 }
            subjects: { ground: 1m, wall: 20m }
            focus: [ { at: 0s, on: ground }, { rack: wall, start: 1f, land: 4f } ]
            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let shot = dir.appendingPathComponent("shot_%04d.exr").path,
            out = dir.appendingPathComponent("out_%04d.exr").path
        try run(["render", plan, "--input", shot, "--depth", shot, "-o", out])
        let first = try EXRImage.readColor(String(format: out, 0))
        #expect(
            first.exr.channelNames == ["beauty.B", "beauty.G", "beauty.R"] && first.exr.isHalf
                && first.exr.compression == .zip)
        #expect(first.exr.partName == "beauty")
        // The light is a bright disc at frame 0 and a sharp point once focus lands on the wall.
        let n = Self.w * Self.h
        let last = try EXRImage.readColor(String(format: out, 5)).image
        #expect(first.image.data[0..<n].max()! > 1 && first.image.data[0..<n].max()! < 100)
        #expect(abs(last.data[18 * Self.w + 44] - 400) < 1)
        // One frame cut short: the render stops there with its file and frame named (frames before
        // it were written whole, as a sequence always is).
        let cut = dir.appendingPathComponent("shot_0003.exr")
        let data = try Data(contentsOf: cut)
        try data.prefix(data.count / 2).write(to: cut)
        let again = dir.appendingPathComponent("again_%04d.exr").path
        let e = #expect(throws: MediaError.self) {
            try run(["render", plan, "--input", shot, "--depth", shot, "--depth-still", "-o", again])
        }
        #expect(e?.code == .damaged && e?.frame == 3 && e?.file == cut.path, "\(String(describing: e))")
    }
}
