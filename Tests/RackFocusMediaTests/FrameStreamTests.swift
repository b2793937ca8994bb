import Foundation
import RackFocusImage
import Testing

@testable import RackFocusMedia
@testable import RackFocusOptics
@testable import RackFocusRender

func frame(_ i: Int, _ w: Int = 24, _ h: Int = 16) -> PlanarImage {
    var img = PlanarImage(width: w, height: h, channels: 3)
    for y in 0..<h {
        for x in 0..<w {
            img[0, x, y] = Float((x + i) % w) / Float(w); img[1, x, y] = Float(y) / Float(h);
            img[2, x, y] = Float(i) / 10
        }
    }
    return img
}

@Suite("Clips and sequences through ffmpeg pipes")
struct FrameStreamTests {
    @Test func losslessClipRoundTripsFrameByFrame() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("clip.mkv").path
        let writer = try FrameWriter(
            path: path, width: 24, height: 16, frameRate: FrameRate(numerator: 24000, denominator: 1001))
        for i in 0..<6 { try writer.write(frame(i)) }
        try writer.finish()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["clip.mkv"])
        let info = try FFmpeg.probeClip(path)
        #expect(info.frameRate == FrameRate(numerator: 24000, denominator: 1001))
        let reader = try FrameReader(path: path)
        var f: PlanarImage?
        var count = 0
        while try reader.next(into: &f) {
            let expected = frame(count)
            for k in expected.data.indices { #expect(abs(f!.data[k] - expected.data[k]) < 2e-4) }
            count += 1
        }
        #expect(count == 6)
    }

    @Test func readingCanStartAtAFrame() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("clip.mkv").path
        let writer = try FrameWriter(path: path, width: 24, height: 16, frameRate: FrameRate(numerator: 24))
        for i in 0..<6 { try writer.write(frame(i)) }
        try writer.finish()
        let reader = try FrameReader(path: path, startFrame: 4)
        var f: PlanarImage?
        #expect(try reader.next(into: &f))
        #expect(abs(f![2, 0, 0] - 0.4) < 2e-4)
        #expect(try reader.next(into: &f))
        #expect(try reader.next(into: &f) == false)
    }

    @Test func sequencesKeepTheirFrameNumbers() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pattern = dir.appendingPathComponent("out_%04d.png").path
        let writer = try FrameWriter(
            path: pattern, width: 24, height: 16, frameRate: FrameRate(numerator: 25), firstNumber: 10)
        for i in 0..<3 { try writer.write(frame(i)) }
        try writer.finish()
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
                "out_0010.png", "out_0011.png", "out_0012.png",
            ])
        #expect(FFmpeg.sequenceFiles(pattern).count == 3)
        let reader = try FrameReader(path: pattern, startFrame: 1)
        var f: PlanarImage?
        #expect(try reader.next(into: &f))
        #expect(abs(f![2, 0, 0] - 0.1) < 2e-4)
    }

    @Test func cancelLeavesNothingAndBadNamesAreRefused() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try FrameWriter(
            path: dir.appendingPathComponent("clip.mp4").path, width: 24, height: 16,
            frameRate: FrameRate(numerator: 24))
        try writer.write(frame(0))
        writer.cancel()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let avi = #expect(throws: MediaError.self) {
            try FrameWriter(
                path: dir.appendingPathComponent("clip.avi").path, width: 8, height: 8,
                frameRate: FrameRate(numerator: 24))
        }
        #expect(avi?.code == .unsupportedFormat)
        let folder = #expect(throws: MediaError.self) {
            try FrameWriter(path: "/nonexistent/dir/clip.mp4", width: 8, height: 8, frameRate: FrameRate(numerator: 24))
        }
        #expect(folder?.code == .writeFailed && folder?.file == "/nonexistent/dir/clip.mp4")
        let size = #expect(throws: MediaError.self) {
            try FrameWriter(
                path: dir.appendingPathComponent("clip.mp4").path, width: 24, height: 16,
                frameRate: FrameRate(numerator: 24)
            ).write(frame(0, 8, 8))
        }
        #expect(size?.code == .frameSize && size?.frame == 0)
        // ProRes in MP4: our words, not ffmpeg's "Error initializing output stream".
        let prores = #expect(throws: MediaError.self) {
            try FrameWriter(
                path: dir.appendingPathComponent("clip.mp4").path, width: 8, height: 8,
                frameRate: FrameRate(numerator: 24), codec: .prores)
        }
        #expect(prores?.code == .unsupportedFormat && "\(prores!)".contains("ProRes goes in .mov"))
    }

    @Test func pfmThroughFFmpegIsTheRightWayUp() throws {
        // ffmpeg 5.1 decodes PFM rows top-down; PFM stores them bottom-up. The reader corrects it.
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        var depth = PlanarImage(width: 4, height: 3, channels: 1)
        depth.data = (0..<12).map { Float($0) + 1 }
        try PFM.encode(depth).write(to: dir.appendingPathComponent("d_0000.pfm"))
        let reader = try FrameReader(path: dir.appendingPathComponent("d_%04d.pfm").path, depth: true)
        var f: PlanarImage?
        #expect(try reader.next(into: &f))
        #expect(f == depth)
        #expect(try StillImage.readDepth(dir.appendingPathComponent("d_0000.pfm").path) == depth)
    }

    @Test(arguments: ["seq_%04d.png", "clip.ts"])
    func aSizeChangeMidStreamIsAnErrorNamingTheFrame(name: String) throws {
        // ffmpeg would rescale the odd frames to the first size without a word.
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        if name.contains("%") {
            let small = try FrameWriter(path: path, width: 24, height: 16, frameRate: FrameRate(numerator: 24))
            for i in 0..<3 { try small.write(frame(i)) }
            try small.finish()
            try StillImage.write(frame(3, 32, 16), to: String(format: path, 3))
        } else {
            // Two MPEG-TS clips of different sizes, joined byte for byte (a splice).
            var joined = Data()
            for size in ["24x16", "32x24"] {
                let part = dir.appendingPathComponent("\(size).ts").path
                _ = try FFmpeg.run(
                    [
                        "-v", "error", "-f", "lavfi", "-i", "testsrc=s=\(size):r=24:d=0.125", "-c:v", "libx264",
                        "-pix_fmt", "yuv420p", part,
                    ], context: part)
                joined += try Data(contentsOf: URL(fileURLWithPath: part))
            }
            try joined.write(to: URL(fileURLWithPath: path))
        }
        let reader = try FrameReader(path: path)
        var f: PlanarImage?
        var frames = 0
        let e = #expect(throws: MediaError.self) { while try reader.next(into: &f) { frames += 1 } }
        #expect(e?.code == .frameSize && e?.file == path, "\(String(describing: e))")
        #expect(e?.frame == frames && frames <= 3)
        #expect("\(e!)".contains("changes after frame \(frames)") && "\(e!)".contains("24×16"))
    }

    @Test func missingSequenceIsNamed() {
        let e = #expect(throws: MediaError.self) { try FFmpeg.probeClip("/nonexistent/shot_%04d.exr") }
        #expect(e?.code == .missingInput && e?.file == "/nonexistent/shot_%04d.exr")
    }
}

@Suite("Colour in encoded clips")
struct ClipColourTests {
    /// Four 16-px bars: pure red, green, blue and a muted blue-grey (linear light).
    static func bars() -> PlanarImage {
        var img = PlanarImage(width: 64, height: 32, channels: 3)
        let colours: [SIMD3<Float>] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.35, 0.55]]
        for y in 0..<32 { for x in 0..<64 { for c in 0..<3 { img[c, x, y] = colours[x / 16][c] } } }
        return img
    }

    /// Saturated colours survive the RGB → Y'CbCr → RGB trip as a player decodes it (by the
    /// stream's tags): converting with the Rec.601 matrix while tagging Rec.709 turned pure green
    /// into (0, 0.84, 0) and red into (1, 0.09, 0).
    @Test(arguments: [("clip.mp4", VideoCodec.h264), ("clip.mp4", .h265), ("clip.mov", .prores)])
    func primariesComeBackAsThemselves(name: String, codec: VideoCodec) throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        let writer = try FrameWriter(
            path: path, width: 64, height: 32, frameRate: FrameRate(numerator: 24), codec: codec)
        for _ in 0..<3 { try writer.write(Self.bars()) }
        try writer.finish()
        let info = try FFmpeg.probeClip(path)
        #expect(info.colorTags == .rec709)
        var decoded: PlanarImage?
        _ = try FrameReader(path: path).next(into: &decoded)
        let bars = Self.bars()
        for x in [8, 24, 40, 56] {
            for c in 0..<3 {
                // Display-space error of 8-bit 4:2:0 away from the bars' edges: about 1 code value.
                let got = ColorTransfer.linearToSRGB(decoded![c, x, 16]),
                    want = ColorTransfer.linearToSRGB(bars[c, x, 16])
                #expect(abs(got - want) < 0.015, "\(codec) bar at x=\(x), channel \(c): \(got) vs \(want)")
            }
        }
    }

    /// The H.264 input made here: Rec.709 limited-range codes of the sRGB-curve values, checked
    /// against the matrix worked by hand for white, black, the primaries and a grey, and chroma
    /// from each 2×2 block.
    @Test func yuv420CodesAreTheRec709Matrix() {
        // A grey a quarter of the way up in display space: Y' = 16 + 219/4 = 70.75.
        let quarter = ColorTransfer.srgbToLinear(0.25)
        let colours: [(SIMD3<Float>, (y: UInt8, cb: UInt8, cr: UInt8))] = [
            ([1, 1, 1], (235, 128, 128)), ([0, 0, 0], (16, 128, 128)),
            // Y' = 16 + 219·0.2126 = 62.6; Cb = 128 − 224·0.2126/1.8556 = 102.3; Cr = 128 + 112.
            ([1, 0, 0], (63, 102, 240)),
            // 16 + 219·0.7152 = 172.6; 128 − 224·0.7152/1.8556 = 41.7; 128 − 224·0.7152/1.5748 = 26.3.
            ([0, 1, 0], (173, 42, 26)),
            // 16 + 219·0.0722 = 31.8; 128 + 112; 128 − 224·0.0722/1.5748 = 117.7.
            ([0, 0, 1], (32, 240, 118)),
            ([quarter, quarter, quarter], (71, 128, 128)),
        ]
        for (rgb, want) in colours {
            var img = PlanarImage(width: 4, height: 2, channels: 3)
            for y in 0..<2 { for x in 0..<4 { for c in 0..<3 { img[c, x, y] = rgb[c] } } }
            var bytes: [UInt8] = []
            StillImage.encodeYUV420(img, into: &bytes, threads: 2)
            #expect(bytes.count == 8 + 2 + 2)
            #expect(bytes[0..<8].allSatisfy { $0 == want.y }, "\(rgb): Y' \(bytes[0..<8])")
            #expect(bytes[8] == want.cb && bytes[9] == want.cb, "\(rgb): Cb \(bytes[8...9])")
            #expect(bytes[10] == want.cr && bytes[11] == want.cr, "\(rgb): Cr \(bytes[10...11])")
        }
        // Chroma from each 2×2 block: blue in column 1 only counts ½ toward chroma column 0 and
        // nothing toward column 1.
        var img = PlanarImage(width: 4, height: 2, channels: 3)
        for y in 0..<2 { img[2, 1, y] = 1 }
        var bytes: [UInt8] = []
        StillImage.encodeYUV420(img, into: &bytes)
        let halfBlue = 128 + 224 * (0.5 - 0.5 * 0.0722) / 1.8556
        #expect(bytes[8] == UInt8(halfBlue.rounded()) && bytes[9] == 128, "\(bytes[8...9])")
        #expect(bytes[1] == 32 && bytes[0] == 16 && bytes[2] == 16)
    }

    /// The conversions for H.264 and 16-bit outputs, made eight pixels at a time, give the bytes
    /// the formula gives one pixel at a time (written out here), on a frame 38 wide (four vectors
    /// and six pixels of a row; two vectors and three chroma samples) with values below 0, above
    /// 1, in the curve's straight part and from a fixed generator, on one thread and two.
    @Test func vectorConversionsAreThePixelByPixelFormula() {
        let w = 38, h = 6, n = w * h
        var img = PlanarImage(width: w, height: h, channels: 3)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for i in 0..<(3 * n) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let u = Float(state >> 40) / Float(1 << 24)
            img.data[i] = i % 17 == 0 ? u * 0.004 : i % 23 == 0 ? u * 3 - 1 : u
        }
        var want = [UInt8](repeating: 0, count: n + n / 2), words = [UInt16](repeating: 0, count: 3 * n)
        ColorTransfer.sixteenBitKnots.withUnsafeBufferPointer { knots in
            func code(_ c: Int, _ x: Int, _ y: Int) -> UInt16 {
                ColorTransfer.sixteenBitSRGB(img.data[c * n + y * w + x], knots: knots.baseAddress!)
            }
            func rgb(_ x: Int, _ y: Int) -> SIMD3<Float> {
                SIMD3(Float(code(0, x, y)), Float(code(1, x, y)), Float(code(2, x, y))) / 65535
            }
            for y in 0..<h {
                for x in 0..<w {
                    let v = rgb(x, y)
                    want[y * w + x] = UInt8(min(max(16 + 219 * ColorTransfer.luminance(v.x, v.y, v.z) + 0.5, 0), 255))
                    for c in 0..<3 { words[3 * (y * w + x) + c] = code(c, x, y) }
                }
            }
            for cy in 0..<(h / 2) {
                for cx in 0..<(w / 2) {
                    let x = 2 * cx, y = 2 * cy
                    let v = (rgb(x, y) + rgb(x, y + 1) + rgb(x + 1, y) + rgb(x + 1, y + 1)) * 0.25
                    let luma = ColorTransfer.luminance(v.x, v.y, v.z)
                    let j = cy * (w / 2) + cx
                    want[n + j] = UInt8(min(max(128 + 224 * (v.z - luma) / 1.8556 + 0.5, 0), 255))
                    want[n + n / 4 + j] = UInt8(min(max(128 + 224 * (v.x - luma) / 1.5748 + 0.5, 0), 255))
                }
            }
        }
        for threads in [1, 2] {
            var bytes: [UInt8] = []
            StillImage.encodeYUV420(img, into: &bytes, threads: threads)
            let differing = want.indices.filter { $0 >= bytes.count || bytes[$0] != want[$0] }
            #expect(
                bytes.count == want.count && differing.isEmpty, "\(threads) thread(s): bytes \(differing.prefix(8))")
            var got: [UInt16] = []
            StillImage.encodeRGB48(img, into: &got, threads: threads)
            #expect(got == words.map(\.littleEndian), "\(threads) thread(s)")
        }
        // A frame of no pixels gives no codes (and no pointer into its empty storage is taken).
        let empty = PlanarImage(width: 0, height: 0, channels: 3, data: [])
        var noBytes: [UInt8] = [1], noWords: [UInt16] = [1]
        StillImage.encodeYUV420(empty, into: &noBytes)
        StillImage.encodeRGB48(empty, into: &noWords)
        #expect(noBytes.isEmpty && noWords.isEmpty)
    }

    @Test func anInputsTransferTagIsKept() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("clip.mp4").path
        let tags = ColorTags(transfer: "iec61966-2-1", primaries: "bt709")
        let writer = try FrameWriter(
            path: path, width: 64, height: 32, frameRate: FrameRate(numerator: 24), colorTags: tags)
        try writer.write(ClipColourTests.bars())
        try writer.finish()
        #expect(try FFmpeg.probeClip(path).colorTags == tags)
        #expect(ColorTags(transfer: "smpte2084").isHDR && !tags.isHDR)
    }
}
