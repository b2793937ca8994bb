import Testing

@testable import RackFocusImage

@Suite("sRGB transfer")
struct ColorTransferTests {
    /// The powf form of the 16-bit code, which the table replaces.
    static func exactCode(_ v: Float) -> Int {
        Int(ColorTransfer.linearToSRGB(min(max(v, 0), 1)) * 65535 + 0.5)
    }

    /// The table gives the code `powf` gives, or its neighbour where the value sits within a
    /// hundredth of a code of a rounding boundary, over values spread through every octave
    /// (including the knee at 0.0031308 and the ends), and is monotonic.
    @Test func sixteenBitCodesMatchThePowerCurve() {
        var values: [Float] = [-1, 0, 1e-9, 1 / 512, 0.0031308, 0.0031309, 0.5, 0.999_999, 1, 2, .infinity]
        var v: Float = 1e-6
        while v < 1 { values.append(v); v = v.nextUp.nextUp.nextUp * 1.000_37 }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200_000 { values.append(Float.random(in: 0...1, using: &rng)) }
        var differing = 0
        ColorTransfer.sixteenBitKnots.withUnsafeBufferPointer { knots in
            for x in values {
                let got = Int(ColorTransfer.sixteenBitSRGB(x, knots: knots.baseAddress!))
                let exact = Self.exactCode(x)
                #expect(abs(got - exact) <= 1, "\(x): \(got) against \(exact)")
                if got != exact {
                    differing += 1
                    // Only next to a boundary: the curve's code before rounding is within 0.01 of .5.
                    let raw = Double(ColorTransfer.linearToSRGB(min(max(x, 0), 1))) * 65535
                    #expect(abs(raw - raw.rounded(.down) - 0.5) < 0.01, "\(x): \(raw)")
                }
            }
            var previous = 0
            for i in 0...100_000 {
                let code = Int(ColorTransfer.sixteenBitSRGB(Float(i) / 100_000, knots: knots.baseAddress!))
                #expect(code >= previous)
                previous = code
            }
        }
        #expect(differing * 100 < values.count, "\(differing) of \(values.count) differ")
    }
}
