import RackFocusImage
import Testing

@testable import RackFocusAnalysis

@Suite("Normalised cross-correlation")
struct NCCTests {
    /// A fixed pseudo-random plane (a linear congruential generator, so every machine sees the same).
    func noise(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
    }

    /// The textbook formula, in doubles: Σ(t − t̄)(p − p̄) / √(Σ(t − t̄)² · Σ(p − p̄)²).
    func naive(_ plane: PlanarImage, _ t: [Float], _ pw: Int, _ ph: Int, x: Int, y: Int) -> Double {
        let n = Double(pw * ph)
        let patch = (0..<(pw * ph)).map { Double(plane.data[(y + $0 / pw) * plane.width + x + $0 % pw]) }
        let tm = t.map(Double.init).reduce(0, +) / n, pm = patch.reduce(0, +) / n
        var num = 0.0, tt = 0.0, pp = 0.0
        for i in 0..<(pw * ph) {
            let a = Double(t[i]) - tm, b = patch[i] - pm
            num += a * b; tt += a * a; pp += b * b
        }
        return num / (tt * pp).squareRoot()
    }

    @Test func fastScoresMatchTheFormulaEverywhere() {
        let plane = PlanarImage(width: 23, height: 17, data: noise(23 * 17, seed: 7))
        // 11 wide: one SIMD8 block and a tail of three.
        let pw = 11, ph = 5
        let template = noise(pw * ph, seed: 11)
        let map = NormalizedCrossCorrelation.scores(
            plane, Integral(plane), template: template, pw, ph, x0: 2, x1: 12, y0: 1, y1: 12)
        #expect(map.width == 11 && map.height == 12)
        var worst = 0.0
        for y in 1...12 {
            for x in 2...12 {
                worst = max(
                    worst, abs(map.scores[(y - 1) * map.width + x - 2] - naive(plane, template, pw, ph, x: x, y: y)))
            }
        }
        // Float dot products over 55 terms of values in 0-1: a few ulps of the sum.
        #expect(worst < 1e-5, "worst difference \(worst)")
    }

    @Test func aCopyOfThePatchScoresOneWhateverItsGainAndOffset() {
        let plane = PlanarImage(width: 20, height: 20, data: noise(400, seed: 3))
        let pw = 6, ph = 7, x = 9, y = 4
        let template = (0..<(pw * ph)).map { 3 * plane.data[(y + $0 / pw) * 20 + x + $0 % pw] + 0.5 }
        let map = NormalizedCrossCorrelation.scores(
            plane, Integral(plane), template: template, pw, ph, x0: 0, x1: 14, y0: 0, y1: 13)
        let best = map.peak()!
        #expect(abs(best.score - 1) < 1e-5)
        #expect(abs(best.x - Double(x)) < 0.5 && abs(best.y - Double(y)) < 0.5)
    }

    @Test func aFlatTemplateOrPatchHasNoCorrelation() {
        let plane = PlanarImage(width: 8, height: 8, data: [Float](repeating: 0.5, count: 64))
        let flat = NormalizedCrossCorrelation.scores(
            plane, Integral(plane), template: [Float](repeating: 1, count: 9), 3, 3, x0: 0, x1: 5, y0: 0, y1: 5)
        #expect(flat.scores.allSatisfy { $0 == -1 })
        let patch = NormalizedCrossCorrelation.scores(
            plane, Integral(plane), template: noise(9, seed: 5), 3, 3, x0: 0, x1: 5, y0: 0, y1: 5)
        #expect(patch.scores.allSatisfy { $0 == 0 })
    }
}
