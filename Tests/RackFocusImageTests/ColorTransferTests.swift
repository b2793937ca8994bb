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

    /// The vector form gives the scalar form's code in every lane: over every 61st float from 0 to
    /// 1 (both sides of the knee and the knots' ends), values outside 0-1 and infinities; NaN,
    /// which the scalar form cannot take, gives 0. And `floorOfSmall` is ⌊v⌋ at and between the
    /// integers, where a plain v + 2^23 − 2^23 would round half of the halves up.
    @Test func eightCodesAtATimeAreTheScalarCodes() {
        var values: [Float] = [-.infinity, -2, -0.0, 2, 1e9, .infinity, 1 / 512, (1 / 512 as Float).nextDown]
        var bits = Float(0).bitPattern
        while bits <= Float(1).bitPattern { values.append(Float(bitPattern: bits)); bits &+= 61 }
        values.append(1)
        while values.count % 8 != 0 { values.append(0.5) }
        ColorTransfer.sixteenBitKnots.withUnsafeBufferPointer { knots in
            let k = knots.baseAddress!
            var mismatches = 0
            for start in stride(from: 0, to: values.count, by: 8) {
                var v = SIMD8<Float>()
                for j in 0..<8 { v[j] = values[start + j] }
                let codes = ColorTransfer.sixteenBitSRGB(v, knots: k)
                let integers = ColorTransfer.integers(ofSmall: codes)
                for j in 0..<8 {
                    let want = ColorTransfer.sixteenBitSRGB(v[j], knots: k)
                    if codes[j] != Float(want) || integers[j] != Int32(want) {
                        mismatches += 1
                        if mismatches < 5 { Issue.record("\(v[j]): \(codes[j]) / \(integers[j]) against \(want)") }
                    }
                }
            }
            #expect(mismatches == 0, "\(mismatches) of \(values.count) values")
            let nan = ColorTransfer.sixteenBitSRGB(SIMD8<Float>(repeating: .nan), knots: k)
            #expect(nan == .zero)
        }
        let v = SIMD8<Float>(0, 0.5, 1, 1.5, 2.5, 3.499_999_8, 65535.5, 255.996)
        #expect(ColorTransfer.floorOfSmall(v) == SIMD8<Float>(0, 0, 1, 1, 2, 3, 65535, 255))
    }
}
