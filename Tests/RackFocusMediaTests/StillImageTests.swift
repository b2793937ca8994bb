import Foundation
import RackFocusImage
import Testing

@testable import RackFocusMedia
@testable import RackFocusRender

func scratch() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-media-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func gradient(_ w: Int, _ h: Int) -> PlanarImage {
    var img = PlanarImage(width: w, height: h, channels: 3)
    for y in 0..<h {
        for x in 0..<w {
            img[0, x, y] = Float(x) / Float(w - 1); img[1, x, y] = Float(y) / Float(h - 1); img[2, x, y] = 0.25
        }
    }
    return img
}

@Suite("Still images through ffmpeg and PFM")
struct StillImageTests {
    @Test func pfmRoundTripsExactly() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var img = gradient(7, 5)
        img[0, 3, 2] = 42.5  // scene-referred values survive
        let path = dir.appendingPathComponent("a.pfm").path
        try StillImage.write(img, to: path)
        #expect(try StillImage.readColor(path) == img)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.pfm"])
    }

    @Test func exrRoundTripsFloat() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var img = gradient(16, 9)
        img[1, 4, 4] = 30
        let path = dir.appendingPathComponent("a.exr").path
        try StillImage.write(img, to: path)
        let back = try StillImage.readColor(path)
        for i in img.data.indices { #expect(abs(back.data[i] - img.data[i]) < 1e-6 * max(1, img.data[i])) }
    }

    @Test func png16BitIsSRGBEncodedAndDecodedBack() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let img = gradient(32, 8)
        let path = dir.appendingPathComponent("a.png").path
        try StillImage.write(img, to: path)
        let info = try FFmpeg.probe(path)
        #expect(info.pixelFormat.hasPrefix("rgb48"))
        let back = try StillImage.readColor(path)
        for i in img.data.indices { #expect(abs(back.data[i] - img.data[i]) < 2e-4) }
        // Mid-grey linear 0.214 encodes near sRGB 0.5: the raw file is not linear.
        let raw = try FFmpeg.run(
            ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gbrpf32le", "-"], context: path)
        #expect(raw.count == 3 * 32 * 8 * 4)
    }

    @Test func pfmDepthIsReadBottomUp() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var depth = PlanarImage(width: 3, height: 2, channels: 1)
        depth.data = [1, 2, 3, 4, 5, 6]
        let path = dir.appendingPathComponent("d.pfm").path
        try PFM.encode(depth).write(to: URL(fileURLWithPath: path))
        let back = try StillImage.readDepth(path)
        #expect(back.data == [1, 2, 3, 4, 5, 6])
        // The file's first row is the image's bottom row.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = "Pf\n3 2\n-1.0\n".utf8.count
        let first: Float = bytes[headerLength..<(headerLength + 4)].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        #expect(first == 4)
        // A positive scale means big-endian values; same rows, same planes.
        var big = Data("Pf\n3 2\n1.0\n".utf8)
        for v: Float in [4, 5, 6, 1, 2, 3] {
            withUnsafeBytes(of: v.bitPattern.bigEndian) { big.append(contentsOf: $0) }
        }
        let bigPath = dir.appendingPathComponent("big.pfm").path
        try big.write(to: URL(fileURLWithPath: bigPath))
        #expect(try StillImage.readDepth(bigPath).data == [1, 2, 3, 4, 5, 6])
    }

    @Test func integerDepthNeedsAScale() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A 16-bit grey PNG holding millimetres.
        var words = [UInt16](repeating: 0, count: 4 * 2)
        for i in words.indices { words[i] = UInt16(1000 + 500 * i).bigEndian }
        let path = dir.appendingPathComponent("d.png").path
        _ = try FFmpeg.run(
            ["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gray16be", "-s", "4x2", "-i", "-", path],
            input: words.withUnsafeBytes { Data($0) }, context: path)
        let unitless = #expect(throws: MediaError.self) { try StillImage.readDepth(path) }
        #expect(unitless?.code == .depthUnit && unitless?.file == path)
        let metres = try StillImage.readDepth(path, scale: 0.001)
        let millimetres: [Float] = metres.data.map { ($0 * 1000).rounded() }
        let expected: [Float] = (0..<8).map { Float(1000 + 500 * $0) }
        #expect(millimetres == expected)
    }

    @Test func unreadableInputsAreNamed() {
        let missing = #expect(throws: MediaError.self) { try StillImage.readColor("/nonexistent/x.exr") }
        #expect(missing == MediaError(.missingInput, file: "/nonexistent/x.exr", "no such file; check the path"))
        #expect(missing?.description == "/nonexistent/x.exr: no such file; check the path")
        let folder = #expect(throws: MediaError.self) {
            try StillImage.readColor(FileManager.default.temporaryDirectory.path)
        }
        #expect(folder?.code == .missingInput)
    }

    @Test func aMissingToolSaysHowToInstallIt() {
        // (The environment is never changed in tests: suites run in parallel.)
        let e = #expect(throws: MediaError.self) { try FFmpeg.executable("rackfocus-no-such-tool") }
        #expect(e?.code == .toolMissing && e?.file == nil)
        #expect(
            e?.description
                == "rackfocus-no-such-tool is not installed; install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg)"
        )
    }

    @Test func unsupportedOutputLeavesNothing() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gif = #expect(throws: MediaError.self) {
            try StillImage.write(gradient(4, 4), to: dir.appendingPathComponent("a.gif").path)
        }
        #expect(gif?.code == .unsupportedFormat)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
