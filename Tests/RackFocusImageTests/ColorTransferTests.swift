import Testing

@testable import RackFocusImage

@Suite("sRGB transfer")
struct ColorTransferTests {
    /// The powf form of the 16-bit code, which the table replaces.
    static func exactCode(_ v: Float) -> Int {
        Int(ColorTransfer.linearToSRGB(min(max(v, 0), 1)) * 65535 + 0.5)
    }

    /// How far from a rounding boundary (x.5) the table and the `powf` form may disagree: both
    /// are float arithmetic on codes up to 65535, whose float step is 2^-8, and each rounds a few
    /// times, so four steps (0.016 of a code). Every float from 2^-9 to 1 was checked once: the
    /// widest disagreement sat 0.0128 from a boundary.
    static let boundaryBand = 4.0 / 256

    /// The table gives the code `powf` gives, or its neighbour where the value sits within
    /// `boundaryBand` of a rounding boundary, over values spread through every octave (including
    /// the knee at 0.0031308 and the ends) and 200,000 more from a fixed generator, and is
    /// monotonic.
    @Test func sixteenBitCodesMatchThePowerCurve() {
        var values: [Float] = [
            -1, 0, 1e-9, 1 / 512, 0.0031308, 0.0031309, 0.5, 0.882_314_2, 0.999_999, 1, 2, .infinity,
        ]
        var v: Float = 1e-6
        while v < 1 { values.append(v); v = v.nextUp.nextUp.nextUp * 1.000_37 }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Float(state >> 40) / Float(1 << 24))
        }
        var differing = 0
        ColorTransfer.sixteenBitKnots.withUnsafeBufferPointer { knots in
            for x in values {
                let got = Int(ColorTransfer.sixteenBitSRGB(x, knots: knots.baseAddress!))
                let exact = Self.exactCode(x)
                #expect(abs(got - exact) <= 1, "\(x): \(got) against \(exact)")
                if got != exact {
                    differing += 1
                    // Only next to a boundary: the curve's code before rounding is near .5.
                    let raw = Double(ColorTransfer.linearToSRGB(min(max(x, 0), 1))) * 65535
                    #expect(abs(raw - raw.rounded(.down) - 0.5) < Self.boundaryBand, "\(x): \(raw)")
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
