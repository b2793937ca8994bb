/// Burns short labels (timecodes, distances) into an image with a 5×7 pixel font, on a dark
/// plate so they read over any picture: what a contact sheet or a slate needs, with no font files.
package enum BitmapText {
    /// The characters drawn; any other is drawn as a space.
    package static let glyphs: [Character: [String]] = [
        "0": ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
        "1": ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
        "2": ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
        "3": ["11110", "00001", "00001", "01110", "00001", "00001", "11110"],
        "4": ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
        "5": ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
        "6": ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
        "7": ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
        "8": ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
        "9": ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
        ":": ["00000", "01100", "01100", "00000", "01100", "01100", "00000"],
        ".": ["00000", "00000", "00000", "00000", "00000", "01100", "01100"],
        "m": ["00000", "00000", "11010", "10101", "10101", "10101", "10101"],
        "f": ["00110", "01001", "01000", "11100", "01000", "01000", "01000"],
        "/": ["00001", "00010", "00010", "00100", "01000", "01000", "10000"],
        "∞": ["00000", "00000", "01010", "10101", "10101", "01010", "00000"],
    ]

    /// Width and height of `text` drawn at `scale` (pixels per font pixel), plate included.
    package static func size(_ text: String, scale: Int) -> (width: Int, height: Int) {
        ((text.count * 6 + 3) * scale, 11 * scale)
    }

    /// Draws `text` with its plate's top-left corner at (x, y), clipped to the image: the plate
    /// dark (0.02) and the glyphs light (0.9), in every channel (linear values).
    package static func draw(_ text: String, into image: inout PlanarImage, x: Int, y: Int, scale: Int = 2) {
        let (w, h) = size(text, scale: scale)
        for c in 0..<image.channels {
            for py in max(0, y)..<min(image.height, y + h) {
                for px in max(0, x)..<min(image.width, x + w) { image[c, px, py] = 0.02 }
            }
        }
        for (i, ch) in text.enumerated() {
            guard let rows = glyphs[ch] else { continue }
            let gx = x + (2 + i * 6) * scale, gy = y + 2 * scale
            for (r, row) in rows.enumerated() {
                for (k, bit) in row.enumerated() where bit == "1" {
                    for sy in 0..<scale {
                        for sx in 0..<scale {
                            let px = gx + k * scale + sx, py = gy + r * scale + sy
                            guard px >= 0, py >= 0, px < image.width, py < image.height else { continue }
                            for c in 0..<image.channels { image[c, px, py] = 0.9 }
                        }
                    }
                }
            }
        }
    }
}
