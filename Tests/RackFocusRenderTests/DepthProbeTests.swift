import Foundation
import RackFocusImage
import Testing

@testable import RackFocusRender

@Suite("Subject distance from depth")
struct SubjectDepthTests {
    /// A 100×100 map: a subject at `near` covering the left `share` of the box's columns, a wall at
    /// `far` elsewhere, with ±1% noise.
    func map(share: Double, near: Float = 2, far: Float = 8) -> PlanarImage {
        var m = PlanarImage(width: 100, height: 100, channels: 1)
        var seed: UInt64 = 7
        for y in 0..<100 {
            for x in 0..<100 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let noise = Float(seed >> 40) / Float(1 << 24) * 0.02 - 0.01
                let inSubject = x >= 20 && Double(x - 20) < share * 60
                m[0, x, y] = (inSubject ? near : far) * (1 + noise)
            }
        }
        return m
    }

    @Test func aBoxReadsTheSubjectInFrontNotTheMeanOrTheWall() {
        // The box spans x 20-80: 40% subject at 2 m, 60% wall at 8 m. Mean ≈ 5.6 m, median 8 m.
        let d = DepthProbe.subjectDepth(map(share: 0.4), x: 0.2, y: 0.2, width: 0.6, height: 0.6)
        #expect(abs(d - 2) < 0.03)
    }

    @Test func aFewStrayNearPixelsDoNotCaptureTheBox() {
        // 8% near pixels (the edge of something else) are not the subject: the wall is.
        let d = DepthProbe.subjectDepth(map(share: 0.08), x: 0.2, y: 0.2, width: 0.6, height: 0.6)
        #expect(abs(d - 8) < 0.1)
    }

    @Test func aRecedingFloorReadsNearItsMiddle() {
        var m = PlanarImage(width: 64, height: 64, channels: 1)
        for y in 0..<64 { for x in 0..<64 { m[0, x, y] = 2 + Float(y) / 63 * 2 } }
        let d = DepthProbe.subjectDepth(m, x: 0, y: 0, width: 1, height: 1)
        #expect(d > 2 && d < 4)
    }

    @Test func smoothingRemovesJitterWithoutLag() {
        // A subject walking steadily (linear in dioptres) read with ±3% jitter and one bad frame.
        var seed: UInt64 = 3
        let truth = (0..<96).map { 0.5 + Double($0) / 96 }
        var read = truth.map { v -> Double in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return v * (1 + (Double(seed >> 11) / Double(1 << 53) - 0.5) * 0.06)
        }
        read[40] *= 2
        let smooth = SeriesSmoothing.smooth(read, sigma: 2)
        func maxStep(_ s: [Double]) -> Double { zip(s, s.dropFirst()).map { abs($1 - $0) }.max()! }
        let trueStep = 1.0 / 96
        #expect(maxStep(read) > 10 * trueStep)
        #expect(maxStep(smooth) < 2 * trueStep)
        // No lag: away from the ends the smoothed walk stays on the true one (a lag of one frame
        // would bias it by a whole step, 0.0104), and within 2% everywhere.
        let interior = 8..<88
        let bias = interior.map { smooth[$0] - truth[$0] }.reduce(0, +) / Double(interior.count)
        #expect(abs(bias) < 0.003)
        for i in interior { #expect(abs(smooth[i] - truth[i]) < 0.02 * truth[i], "frame \(i)") }
        #expect(SeriesSmoothing.smooth(read, sigma: 0) == read)
        // A clean steady walk is kept straight to its first and last frames.
        let kept = SeriesSmoothing.smooth(truth, sigma: 3)
        for i in truth.indices { #expect(abs(kept[i] - truth[i]) < 1e-9, "frame \(i)") }
    }
}
