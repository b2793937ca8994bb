import Foundation
import RackFocusImage
import Testing

@testable import RackFocusMedia

/// EXR through OpenEXR: every layout keeps its full float range.
@Suite("EXR through OpenEXR")
struct EXRTests {
    static let width = 37, height = 23

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-exr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A plane whose values run far above display white (up to `peak`) and below it, with a
    /// different pattern per `seed`; every value is exact in half floats (multiples of 1/16 under 2048).
    func plane(seed: Int, peak: Float = 2000, width: Int = width, height: Int = height) -> [Float] {
        (0..<(width * height)).map { i in
            let v = Float((i * 37 + seed * 101) % 997) / 996
            return (i + seed) % 5 == 0 ? (v * peak / 16).rounded() * 16 : (v * 16).rounded() / 16
        }
    }

    @Test(arguments: [false, true])
    func rgbaKeepsEveryValueAboveWhite(half: Bool) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("rgba.exr").path
        let r = plane(seed: 1), g = plane(seed: 2), b = plane(seed: 3), a = plane(seed: 4, peak: 1)
        try EXRWriter.write(
            [EXRPart(channels: [("R", r), ("G", g), ("B", b), ("A", a)], half: half)], width: Self.width,
            height: Self.height, to: path)
        let (img, exr) = try EXRImage.readColor(path)
        #expect(exr.channelNames == ["A", "B", "G", "R"])
        #expect(exr.isHalf == half)
        let n = Self.width * Self.height
        #expect(Array(img.data[0..<n]) == r && Array(img.data[n..<(2 * n)]) == g && Array(img.data[(2 * n)...]) == b)
        #expect(img.data.max()! >= 1900, "the brightest value survives: \(img.data.max()!)")
        // The still reader takes the same path.
        #expect(try StillImage.readColor(path) == img)
    }

    @Test func greyAndDepthChannelsAreFound() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = Self.width, h = Self.height
        let z = plane(seed: 5, peak: 10_000), y = plane(seed: 6)
        // A renderer's beauty pass with its depth: RGB in a layer, Z beside it.
        let beauty = dir.appendingPathComponent("beauty.exr").path
        try EXRWriter.write(
            [EXRPart(channels: [("beauty.R", y), ("beauty.G", y), ("beauty.B", y), ("Z", z)])], width: w, height: h,
            to: beauty)
        #expect(try EXRImage.readDepth(beauty).data == z)
        #expect(try EXRImage.readColor(beauty).image.data == y + y + y)
        // Blender's view layer: depth.V; a lone Y is grey colour or depth.
        let blender = dir.appendingPathComponent("blender.exr").path
        try EXRWriter.write([EXRPart(channels: [("depth.V", z), ("other", y)])], width: w, height: h, to: blender)
        #expect(try EXRImage.readDepth(blender).data == z)
        #expect(try EXRImage.readDepth(blender, channel: "other").data == y)
        let grey = dir.appendingPathComponent("grey.exr").path
        try EXRWriter.write([EXRPart(channels: [("Y", y)])], width: w, height: h, to: grey)
        #expect(try EXRImage.readColor(grey).image.data == y + y + y)
        #expect(try StillImage.readDepth(grey).data == y)
        // A named channel that is not there is an error naming what is.
        let missing = #expect(throws: MediaError.self) { try EXRImage.readDepth(beauty, channel: "depth.Z") }
        #expect(missing?.code == .unsupportedFormat)
        #expect(
            missing?.description.contains("has no channel depth.Z; its channels are Z, beauty.B, beauty.G, beauty.R")
                == true, "\(missing?.description ?? "")")
    }

    @Test(arguments: [EXRCompression.none, .rle, .zips, .zip, .piz, .pxr24])
    func everyCompressionRoundTrips(compression: EXRCompression) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.exr").path
        let r = plane(seed: 7), g = plane(seed: 8), b = plane(seed: 9)
        try EXRWriter.write(
            [EXRPart(channels: [("R", r), ("G", g), ("B", b)], half: true, compression: compression)],
            width: Self.width,
            height: Self.height, to: path)
        let (img, exr) = try EXRImage.readColor(path)
        #expect(exr.compression == compression)
        let n = Self.width * Self.height
        let expected = r + g + b
        // Lossless codecs return the values exactly; PXR24 keeps half floats exactly.
        for i in 0..<(3 * n) {
            if img.data[i] != expected[i] {
                Issue.record("value \(i): \(img.data[i]) vs \(expected[i])")
                break
            }
        }
    }

    /// Noise does not shrink under compression: such chunks are stored as they are, and read back.
    @Test(arguments: [EXRCompression.zip, .piz, .rle])
    func incompressibleChunksRoundTrip(compression: EXRCompression) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var state: UInt64 = 99
        let noise = (0..<(64 * 48)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 33) & 0x3FFF_FFFF)  // positive, finite
        }
        let path = dir.appendingPathComponent("noise.exr").path
        try EXRWriter.write(
            [EXRPart(channels: [("Z", noise)], compression: compression)], width: 64, height: 48, to: path)
        #expect(try EXRImage.readDepth(path).data == noise)
    }

    @Test func tilesMultiplePartsAndDataWindows() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = Self.width, h = Self.height
        let r = plane(seed: 10), z = plane(seed: 11, peak: 5000)
        // Tiles that do not divide the image.
        let tiled = dir.appendingPathComponent("tiled.exr").path
        try EXRWriter.write(
            [EXRPart(channels: [("R", r), ("G", r), ("B", r)], tile: (16, 8))], width: w, height: h, to: tiled)
        #expect(try EXRImage.probe(tiled).first?.tiled == true)
        #expect(try EXRImage.readColor(tiled).image.data == r + r + r)
        // Two parts: the colour comes from the first that has it, depth from the other.
        let multi = dir.appendingPathComponent("multi.exr").path
        try EXRWriter.write(
            [
                EXRPart(name: "beauty", channels: [("R", r), ("G", r), ("B", r)]),
                EXRPart(name: "depth", channels: [("Z", z)]),
            ],
            width: w, height: h, to: multi)
        #expect(try EXRImage.probe(multi).map(\.name) == ["beauty", "depth"])
        #expect(try EXRImage.readDepth(multi).data == z)
        #expect(try EXRImage.readColor(multi).image.data == r + r + r)
        // A data window inside the display window: the rest of the frame is 0.
        let windowed = dir.appendingPathComponent("window.exr").path
        let inner = plane(seed: 12, width: 10, height: 6)
        try EXRWriter.write(
            [EXRPart(channels: [("Z", inner)], dataWindow: (x: 5, y: 3, width: 10, height: 6))], width: w, height: h,
            to: windowed)
        let d = try EXRImage.readDepth(windowed)
        #expect((d.width, d.height) == (w, h))
        for y in 0..<h {
            for x in 0..<w {
                let inside = x >= 5 && x < 15 && y >= 3 && y < 9
                #expect(d[0, x, y] == (inside ? inner[(y - 3) * 10 + x - 5] : 0))
            }
        }
    }

    @Test(arguments: [0.4, 0.8, 0.97])
    func aTruncatedFileIsAnErrorNamingIt(kept: Double) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cut.exr").path
        let big = plane(seed: 13, width: 200, height: 120)
        try EXRWriter.write(
            [EXRPart(channels: [("R", big), ("G", big), ("B", big)], compression: .none)], width: 200, height: 120,
            to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(Int(Double(data.count) * kept)).write(to: URL(fileURLWithPath: path))
        let e = #expect(throws: MediaError.self) { try EXRImage.readColor(path) }
        #expect(e?.code == .damaged && e?.file == path, "\(String(describing: e))")
    }

    /// The public sample, read by OpenEXR and by ffmpeg (which reads this RGB half file without
    /// clamping), agrees value for value, lights above 1 included.
    @Test func theSampleReadsAsFFmpegReadsIt() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/samples/cycles-a/pinhole.exr").path
        try #require(FileManager.default.fileExists(atPath: sample), "the samples sit in ../shared/samples")
        let native = try EXRImage.readColor(sample).image
        let info = try FFmpeg.probe(sample)
        let raw = try StillImage.decodeFrame(
            sample, pixelFormat: "gbrpf32le", bytes: 3 * native.pixelCount * 4, size: (info.width, info.height))
        let n = native.pixelCount
        var viaFFmpeg = [Float](repeating: 0, count: 3 * n)
        raw.withUnsafeBytes { b in
            let f = b.bindMemory(to: Float.self)
            for i in 0..<n { viaFFmpeg[i] = f[2 * n + i]; viaFFmpeg[n + i] = f[i]; viaFFmpeg[2 * n + i] = f[n + i] }
        }
        #expect(native.data == viaFFmpeg)
        #expect(native.data.max()! > 1)
    }

    /// DWAA (Nuke's and Blender's lossy default for beauty passes): OpenEXR 3.1's C library cannot
    /// decode it, so it is read through ffmpeg in its own RGBA float layout, unclamped. The file
    /// is made by scripts/make-exr-fixtures.py with OpenEXR's C++ library.
    @Test func dwaaIsReadThroughFFmpegWithoutClamping() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/dwaa-rgba.exr").path
        let (img, exr) = try EXRImage.readColor(path)
        #expect(exr.compression == .dwaa)
        #expect((img.width, img.height) == (37, 23))
        let n = img.pixelCount
        var worst: Float = 0
        for i in 0..<n {
            let r = Float((i * 37 + 101) % 997) / 996 * 4
            for (c, k) in [Float(1), 2, 3].enumerated() {
                worst = max(worst, abs(img.data[c * n + i] - r * k) / max(1, r * k))
            }
        }
        // DWAA is lossy; its error on smooth data is a few percent at most.
        #expect(worst < 0.05, "worst relative error \(worst)")
        #expect(img.data.max()! > 10, "values above display white survive: \(img.data.max()!)")
        // Written back, DWA (which this library cannot encode) becomes lossless PIZ.
        #expect(EXRStyle(matchingInput: path).compression == .piz)
        let e = #expect(throws: MediaError.self) { try EXRImage.readDepth(path, channel: "R") }
        #expect(e?.code == .unsupportedFormat)
    }
}

@Suite("Image sequences")
struct SequenceGapTests {
    /// A frame missing in the middle of an input sequence is an error naming it, for EXR, PFM and
    /// the formats ffmpeg reads alike, instead of a clip that silently ends there.
    @Test(arguments: ["exr", "pfm", "png"])
    func aMissingFrameIsNamed(ext: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-seq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let img = PlanarImage(width: 8, height: 6, channels: 3, fill: 0.5)
        for n in [1001, 1002, 1003, 1005, 1006] {
            try StillImage.write(img, to: dir.appendingPathComponent(String(format: "shot_%04d.\(ext)", n)).path)
        }
        let pattern = dir.appendingPathComponent("shot_%04d.\(ext)").path
        let e = #expect(throws: MediaError.self) { try FFmpeg.probeClip(pattern) }
        #expect(e?.code == .missingInput && e?.frame == 1004, "\(String(describing: e))")
        #expect(e?.description.contains("frame 1004 is missing (the files run from 1001 to 1006, 1 missing)") == true)
        #expect(throws: MediaError.self) { try FrameReader(path: pattern) }
        // Without the gap it holds six frames from 1001.
        try StillImage.write(img, to: dir.appendingPathComponent(String(format: "shot_%04d.\(ext)", 1004)).path)
        #expect(try FFmpeg.probeClip(pattern).frameCount == 6)
    }
}

/// ZIP and ZIPS chunks through libdeflate (`rf_zip.c`) are the format OpenEXR's own zlib path
/// writes and reads: each reads what the other wrote, value for value, and damage is an error.
@Suite("EXR ZIP through libdeflate", .serialized)
struct EXRZipCodecTests {
    /// A 300×200 picture (compressible: smooth gradients and a few hot values) and a noisy plane.
    func planes() -> [(name: String, data: [Float])] {
        let w = 300, h = 200
        var state: UInt64 = 7
        let smooth = (0..<(w * h)).map { i -> Float in
            let x = Float(i % w), y = Float(i / w)
            return i % 997 == 0 ? 4000 : (x * 0.01 + y * 0.003).truncatingRemainder(dividingBy: 1.5)
        }
        let noise = (0..<(w * h)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(UInt32(truncatingIfNeeded: state >> 40)) / 1024
        }
        return [("B", smooth.map { $0 * 0.5 }), ("G", smooth), ("R", noise)]
    }

    func write(_ path: String, compression: EXRCompression, half: Bool, libdeflate: Bool) throws {
        let before = EXRWriter.zipThroughLibdeflate
        defer { EXRWriter.zipThroughLibdeflate = before }
        EXRWriter.zipThroughLibdeflate = libdeflate
        try EXRWriter.write(
            [EXRPart(channels: planes(), half: half, compression: compression)], width: 300, height: 200, to: path)
    }

    func read(_ path: String, libdeflate: Bool) throws -> [Float] {
        let before = EXRWriter.zipThroughLibdeflate
        defer { EXRWriter.zipThroughLibdeflate = before }
        EXRWriter.zipThroughLibdeflate = libdeflate
        return try EXRImage.readColor(path).image.data
    }

    @Test(arguments: [EXRCompression.zip, .zips], [false, true])
    func eachCodecReadsWhatTheOtherWrote(compression: EXRCompression, half: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = planes()
        let n = 300 * 200
        var expected = [Float](repeating: 0, count: 3 * n)
        for (c, name) in ["R", "G", "B"].enumerated() {
            let plane = p.first { $0.name == name }!.data
            for i in 0..<n { expected[c * n + i] = half ? Float(Float16(plane[i])) : plane[i] }
        }
        let ours = dir.appendingPathComponent("libdeflate.exr").path
        let theirs = dir.appendingPathComponent("zlib.exr").path
        try write(ours, compression: compression, half: half, libdeflate: true)
        try write(theirs, compression: compression, half: half, libdeflate: false)
        #expect(try read(ours, libdeflate: false) == expected, "zlib reads libdeflate's file")
        #expect(try read(theirs, libdeflate: true) == expected, "libdeflate reads zlib's file")
        #expect(try read(ours, libdeflate: true) == expected)
        // Both really compressed: the smooth planes shrink (the noisy one is stored as it is).
        let raw = 3 * n * (half ? 2 : 4)
        for path in [ours, theirs] {
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
            #expect(size < raw * 3 / 4, "\(path): \(size) bytes of \(raw)")
        }
    }

    @Test(arguments: [false, true])
    func aDamagedChunkIsAnErrorNamingTheFile(libdeflate: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("damaged.exr").path
        try write(path, compression: .zip, half: true, libdeflate: true)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Scramble the middle of the chunk data (the header and offset table come first).
        let mid = bytes.count * 3 / 5
        for i in mid..<(mid + 64) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let e = #expect(throws: MediaError.self) { try read(path, libdeflate: libdeflate) }
        #expect(e?.code == .damaged && e?.file == path, "\(String(describing: e))")
    }
}
