import Foundation
import Testing

@testable import RackFocusRender

@Suite("Layer coordinates")
struct LayerCoordinateTests {
    /// The vectorised asinh holds its stated bound (absolute error within 1e-6 plus two float
    /// steps of the result) from tiny to huge arguments of either sign, against the
    /// Double-precision library function.
    @Test func vectorisedAsinhMatchesTheLibrary() {
        var values: [Float] = [0, 1e-7, 1e-6, 1e-3, 0.1, 0.5, 1, 1.5, 2, 3.7, 10, 100, 2200, 1e6, 1e12, 1e18]
        values += values.map { -$0 }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { values.append(Float.random(in: -5000...5000, using: &rng)) }
        for _ in 0..<20_000 { values.append(Float.random(in: -4...4, using: &rng)) }
        var worst = 0.0  // error over the bound's allowance (≤ 1 passes)
        for start in stride(from: 0, to: values.count, by: 8) {
            var lanes = SIMD8<Float>.zero
            for j in 0..<min(8, values.count - start) { lanes[j] = values[start + j] }
            let got = LayeredRenderer.asinh(lanes)
            for j in 0..<min(8, values.count - start) {
                let exact = Foundation.asinh(Double(lanes[j]))
                let allowance = 1e-6 + 2 * Double(Float(exact).ulp)
                worst = max(worst, abs(Double(got[j]) - exact) / allowance)
            }
        }
        #expect(worst <= 1, "worst error \(worst) of the allowance")
    }

    /// Every count (a whole number of eights or not) gives each value's coordinate and the true
    /// lowest and highest.
    @Test(arguments: [1, 7, 8, 9, 23, 64])
    func coordinatesOfAnyCount(count: Int) {
        let c = (0..<count).map { Float($0 * 37 % 23) * 1.7 - 19 }
        var out = [Float](repeating: .nan, count: count)
        let (lo, hi) = c.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                LayeredRenderer.layerCoordinates(
                    src.baseAddress!, into: dst.baseAddress!, count: count, linearRange: 2, spacing: 0.12)
            }
        }
        for (v, l) in zip(c, out) { #expect(abs(Double(l) - Foundation.asinh(Double(v) / 2) / 0.12) < 1e-4) }
        #expect(lo == out.min()!)
        #expect(hi == out.max()!)
    }
}
