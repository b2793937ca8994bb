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

@Suite("Steadying estimated depth")
struct DepthStabilizerTests {
    /// Per-pixel noise on a static wall is smoothed; a square moving one pixel a frame across it
    /// is followed at once: no ghost where it was, none missing where it is.
    @Test func noiseIsSmoothedAndAMovingSubjectDoesNotGhost() {
        let w = 64, h = 48
        let stabilizer = DepthStabilizer()
        var z: UInt64 = 7
        // Flicker on the wall: mean frame-to-frame change, before and after.
        var flickerBefore = 0.0, flickerAfter = 0.0
        var previous: (PlanarImage, PlanarImage)?
        for t in 0..<12 {
            var depth = PlanarImage(width: w, height: h, channels: 1)
            for y in 0..<h {
                for x in 0..<w {
                    z = z &* 6364136223846793005 &+ 1442695040888963407
                    let u = Float(z >> 40) / Float(1 << 24) - 0.5
                    let inSquare = (10 + t)..<(22 + t) ~= x && (18..<30).contains(y)
                    depth[0, x, y] = inSquare ? 1 : 5 * (1 + 0.06 * u)
                }
            }
            let input = depth
            stabilizer.process(&depth)
            if let (a, b) = previous, t >= 4 {
                for y in 0..<14 {
                    for x in 0..<w {
                        flickerBefore += Double(abs(input[0, x, y] - a[0, x, y]))
                        flickerAfter += Double(abs(depth[0, x, y] - b[0, x, y]))
                    }
                }
            }
            previous = (input, depth)
            if t > 0 {
                // Where the square is now: 1 m. The column it left: the wall, within 10%.
                for y in 19..<29 {
                    #expect(abs(depth[0, 12 + t, y] - 1) < 0.05, "frame \(t)")
                    #expect(abs(depth[0, 9 + t, y] - 5) < 0.5, "frame \(t): ghost at x \(9 + t)")
                }
            }
        }
        print(
            "wall flicker (frame to frame, m): \(flickerBefore / Double(8 * 14 * w)) before, \(flickerAfter / Double(8 * 14 * w)) after"
        )
        #expect(flickerAfter < 0.5 * flickerBefore)
    }
}
