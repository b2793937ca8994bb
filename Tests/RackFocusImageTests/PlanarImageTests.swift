import RackFocusImage
import Testing

@Suite("Planar images")
struct PlanarImageTests {
    /// Channel c, pixel (x, y) holds 100·c + 10·y + x, so every copied value names where it came from.
    func labelled(width: Int, height: Int, channels: Int) -> PlanarImage {
        var img = PlanarImage(width: width, height: height, channels: channels)
        for c in 0..<channels {
            for y in 0..<height { for x in 0..<width { img[c, x, y] = Float(100 * c + 10 * y + x) } }
        }
        return img
    }

    @Test func cropCopiesEveryChannelOfTheRectangle() {
        let img = labelled(width: 6, height: 5, channels: 3)
        let c = img.crop(PixelRect(x: 2, y: 1, width: 3, height: 2))
        #expect((c.width, c.height, c.channels) == (3, 2, 3))
        for ch in 0..<3 {
            for y in 0..<2 { for x in 0..<3 { #expect(c[ch, x, y] == Float(100 * ch + 10 * (y + 1) + x + 2)) } }
        }
    }

    @Test func aSinglePlaneIsOneChannel() {
        let p = PlanarImage(width: 4, height: 2, data: [Float](repeating: 0.5, count: 8))
        #expect(p.channels == 1)
        let expected: [Float] = [100, 101, 102, 103, 110, 111, 112, 113]
        #expect(labelled(width: 4, height: 2, channels: 3).plane(1).data == expected)
    }

    @Test func rectanglesAtPyramidLevelsStayInsideTheBinnedFrame() {
        let r = PixelRect(x: 10, y: 6, width: 20, height: 3)
        #expect(r.atLevel(1, width: 32, height: 16) == (5, 3, 15, 4))
        // A rectangle thinner than a binned pixel still covers one.
        #expect(r.atLevel(3, width: 8, height: 4) == (1, 0, 3, 1))
    }

    @Test func memoryFramesReadInOrderAndCanHoldTheLastOne() throws {
        let a = PlanarImage(width: 2, height: 1, data: [1, 2]), b = PlanarImage(width: 2, height: 1, data: [3, 4])
        let once = MemoryFrames([a, b])
        var f: PlanarImage?
        #expect(try once.next(into: &f) && f == a)
        #expect(try once.next(into: &f) && f == b)
        #expect(try !once.next(into: &f))
        let held = MemoryFrames([a], repeatsLast: true)
        for _ in 0..<3 { #expect(try held.next(into: &f) && f == a) }
    }
}

@Suite("sRGB by table")
struct SRGBTableTests {
    @Test func decodingByTableIsExact() {
        for code in 0...65535 {
            #expect(ColorTransfer.linearOf16BitSRGB[code] == ColorTransfer.srgbToLinear(Float(code) / 65535))
        }
    }
}
