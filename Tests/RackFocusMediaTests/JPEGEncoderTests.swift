import Foundation
import RackFocusImage
import Testing

@testable import RackFocusMedia

/// The in-process JPEG encoder against ffmpeg's decoder: what it writes decodes, at the stated
/// size, close to the input, for sizes that are not multiples of the 16-pixel block.
@Suite struct JPEGEncoderTests {
    /// A test card in linear light: colour ramps, a sharp edge, a grey 4-pixel checker and values
    /// above white. (Fine detail is in luma: 4:2:0 halves chroma, for ffmpeg's encoder as for this one.)
    static func card(_ w: Int, _ h: Int) -> PlanarImage {
        var img = PlanarImage(width: w, height: h, channels: 3)
        let n = w * h
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let u = Float(x) / Float(w - 1), v = Float(y) / Float(h - 1)
                let checker: Float = (x / 4 + y / 4) % 2 == 0 ? 0.3 : 0
                img.data[i] = 0.6 * u * u + checker
                img.data[n + i] = (x < w / 2 ? 0.05 : 0.5) + checker
                img.data[2 * n + i] = 0.5 * v + checker
                if x > w - 5 && y < 4 { img.data[i] = 7; img.data[n + i] = 7; img.data[2 * n + i] = 7 }
            }
        }
        return img
    }

    /// PSNR (dB) of a decoded JPEG against 8-bit planes.
    static func psnr(_ path: String, against planes: [UInt8]) throws -> Double {
        let decoded = try StillImage.readColor(path)
        let n = decoded.pixelCount
        var squared = 0.0
        for i in 0..<3 * n {
            let d = Double(ColorTransfer.linearToSRGB(min(max(decoded.data[i], 0), 1)) * 255) - Double(planes[i])
            squared += d * d
        }
        return 10 * log10(255 * 255 / max(squared / Double(3 * n), 1e-12))
    }

    /// Against the oracle at hand, ffmpeg's own baseline encoder (mjpeg, 4:2:0, -q:v 2) on the
    /// same 8-bit card: ours (quality 95) decodes as close to the card, within 1 dB, at every size.
    @Test(arguments: [(37, 23), (128, 72), (16, 16), (1, 1), (250, 9)])
    func decodesAsCloseAsFFmpegsOwnEncoder(size: (Int, Int)) throws {
        let (w, h) = size
        let image = Self.card(w, h)
        let planes = JPEGEncoder.srgb8(image)
        let bytes = JPEGEncoder.encode(linear: image, quality: 95)
        #expect(bytes.prefix(2) == [0xFF, 0xD8] && bytes.suffix(2) == [0xFF, 0xD9])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jpeg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ours = dir.appendingPathComponent("ours.jpg").path, theirs = dir.appendingPathComponent("ffmpeg.jpg").path
        try Data(bytes).write(to: URL(fileURLWithPath: ours))
        let n = w * h
        var interleaved = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<n { for c in 0..<3 { interleaved[3 * i + c] = planes[c * n + i] } }
        let raw = dir.appendingPathComponent("card.rgb")
        try Data(interleaved).write(to: raw)
        _ = try FFmpeg.run(
            [
                "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(w)x\(h)", "-i", raw.path, "-pix_fmt",
                "yuvj420p",
                "-q:v", "2", "-y", theirs,
            ], writes: true, context: "the reference JPEG")
        let decoded = try StillImage.readColor(ours)
        #expect(decoded.width == w && decoded.height == h)
        let a = try Self.psnr(ours, against: planes), b = try Self.psnr(theirs, against: planes)
        #expect(a > b - 1, "\(w)x\(h): ours \(a) dB, ffmpeg's \(b) dB")
        #expect(a > 25, "\(w)x\(h): \(a) dB")
    }

    @Test func qualityTradesSizeForFidelity() {
        let image = Self.card(128, 72)
        let low = JPEGEncoder.encode(linear: image, quality: 30).count
        let high = JPEGEncoder.encode(linear: image, quality: 95).count
        #expect(low < high)
    }

    @Test func huffmanTablesAreTheStandardOnes() {
        for spec in [JPEGEncoder.dcLuma, JPEGEncoder.dcChroma, JPEGEncoder.acLuma, JPEGEncoder.acChroma] {
            #expect(spec.bits.map(Int.init).reduce(0, +) == spec.values.count)
        }
        #expect(JPEGEncoder.acLuma.values.count == 162 && JPEGEncoder.acChroma.values.count == 162)
        #expect(Set(JPEGEncoder.zigzag) == Set(0..<64))
    }
}
