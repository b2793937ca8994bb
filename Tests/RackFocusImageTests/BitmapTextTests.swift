import Testing

@testable import RackFocusImage

@Suite("Labels burnt into images")
struct BitmapTextTests {
    @Test func everyGlyphIsFiveBySeven() {
        for (ch, rows) in BitmapText.glyphs {
            #expect(
                rows.count == 7 && rows.allSatisfy { $0.count == 5 && $0.allSatisfy { "01".contains($0) } }, "\(ch)")
        }
    }

    /// A timecode on a mid-grey picture: exactly its glyphs' lit pixels (scale² each) are light,
    /// the rest of its plate dark, and nothing outside the plate changes.
    @Test(arguments: [1, 2])
    func aLabelLightsItsGlyphsOnADarkPlate(scale: Int) {
        let text = "00:00:01:06  1.76 m"
        var img = PlanarImage(width: 300, height: 40, channels: 3, fill: 0.5)
        BitmapText.draw(text, into: &img, x: 3, y: 5, scale: scale)
        var lit = 0
        for ch in text { for row in BitmapText.glyphs[ch] ?? [] { lit += row.filter { $0 == "1" }.count } }
        let (w, h) = BitmapText.size(text, scale: scale)
        var light = 0, dark = 0, untouched = 0
        for y in 0..<img.height {
            for x in 0..<img.width {
                let v = img[1, x, y]
                if v == 0.9 { light += 1 } else if v == 0.02 { dark += 1 } else if v == 0.5 { untouched += 1 }
                let inside = x >= 3 && x < 3 + w && y >= 5 && y < 5 + h
                if !inside { #expect(v == 0.5) }
            }
        }
        #expect(light == lit * scale * scale)
        #expect(light + dark == w * h)
        #expect(untouched == 300 * 40 - w * h)
    }

    @Test func aLabelPastTheEdgeIsClipped() {
        var img = PlanarImage(width: 20, height: 10, channels: 1, fill: 0.5)
        BitmapText.draw("12:34", into: &img, x: -7, y: 4, scale: 2)
        #expect(img.data.contains(0.9) && img.data.contains(0.02) && img.data.contains(0.5))
    }
}
