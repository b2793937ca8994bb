import Foundation
import Testing

@testable import RackFocusImage

@Suite("Depth refinement onto the frame's edges")
struct DepthRefinementTests {
    /// A 64×32 frame, orange left of x = 30 and blue from it, with inverse depth 2 (near) on the
    /// left and 0.25 on the right, softened into a ramp over x = 22…38 as a network gives it.
    func scene(sameColour: Bool = false) -> (PlanarImage, [Float]) {
        var frame = PlanarImage(width: 64, height: 32, channels: 3)
        var inverse = [Float](repeating: 0, count: 64 * 32)
        for y in 0..<32 {
            for x in 0..<64 {
                let left = x < 30
                let c: SIMD3<Float> = sameColour || left ? [0.8, 0.35, 0.1] : [0.05, 0.15, 0.7]
                for k in 0..<3 { frame[k, x, y] = c[k] }
                let t = min(max(Float(x - 22) / 16, 0), 1)
                inverse[y * 64 + x] = 2 + (0.25 - 2) * t
            }
        }
        return (frame, inverse)
    }

    @Test func aSoftDepthEdgeMovesOntoTheColourEdge() {
        let (frame, soft) = scene()
        var refined = soft
        DepthRefinement.refineInverseDepth(&refined, frame: frame, radius: 8, threads: 2)
        for y in [3, 16, 28] {
            for x in 20..<28 { #expect(abs(refined[y * 64 + x] - 2) < 0.1, "x \(x): \(refined[y * 64 + x])") }
            for x in 32..<40 { #expect(abs(refined[y * 64 + x] - 0.25) < 0.1, "x \(x): \(refined[y * 64 + x])") }
        }
        // Before: the ramp was halfway at x = 30 and off by up to 0.8 on either side.
        #expect(abs(soft[16 * 64 + 26] - 2) > 0.4)
        #expect(refined.allSatisfy { $0 >= 0.25 - 1e-6 && $0 <= 2 + 1e-6 })
    }

    @Test func withoutColourEvidenceOrADepthJumpNothingChanges() {
        let (flatColour, soft) = scene(sameColour: true)
        var refined = soft
        DepthRefinement.refineInverseDepth(&refined, frame: flatColour, radius: 8, threads: 1)
        #expect(zip(refined, soft).allSatisfy { abs($0 - $1) < 1e-5 })
        let (frame, _) = scene()
        var flat = [Float](repeating: 0.7, count: 64 * 32)
        DepthRefinement.refineInverseDepth(&flat, frame: frame, radius: 8, threads: 1)
        #expect(flat.allSatisfy { $0 == 0.7 })
    }

    /// A textured floor receding smoothly (inverse depth 1 → 0.1 up the frame) has no edge to snap
    /// to: its texture says nothing about depth, so the slope stays a slope.
    @Test func aTexturedSlopeStaysASlope() {
        let w = 64, h = 64
        var frame = PlanarImage(width: w, height: h, channels: 3)
        var slope = [Float](repeating: 0, count: w * h)
        var z: UInt64 = 12345
        for y in 0..<h {
            for x in 0..<w {
                z = z &* 6364136223846793005 &+ 1442695040888963407
                let t = Float(z >> 40) / Float(1 << 24)
                for k in 0..<3 { frame[k, x, y] = 0.1 + 0.6 * t }
                slope[y * w + x] = 0.1 + 0.9 * Float(y) / Float(h - 1)
            }
        }
        var refined = slope
        DepthRefinement.refineInverseDepth(&refined, frame: frame, radius: 4, threads: 2)
        let change = zip(refined, slope).map { abs($0 - $1) / $1 }
        let mean = change.reduce(0, +) / Float(change.count)
        print("textured slope: mean relative change \(mean), largest \(change.max()!)")
        #expect(mean < 0.01)
    }

    @Test func boxMeansAndBilinearResizeMatchTheirDefinitions() {
        let w = 23, h = 17, r = 3
        let src = (0..<(w * h)).map { Float(($0 * 7919) % 101) / 100 }
        for threads in [1, 2] {
            let fast = DepthRefinement.boxMean(src, width: w, height: h, radius: r, threads: threads)
            for y in 0..<h {
                for x in 0..<w {
                    var sum: Float = 0, count = 0
                    for yy in max(0, y - r)...min(h - 1, y + r) {
                        for xx in max(0, x - r)...min(w - 1, x + r) { sum += src[yy * w + xx]; count += 1 }
                    }
                    #expect(abs(fast[y * w + x] - sum / Float(count)) < 1e-5)
                }
            }
        }
        // A linear ramp stays linear under bilinear resizing (away from the clamped edges).
        let ramp = (0..<(8 * 4)).map { Float($0 % 8) }
        let up = DepthRefinement.bilinear(ramp, width: 8, height: 4, to: 32, 16)
        for x in 4..<28 { #expect(abs(up[5 * 32 + x] - ((Float(x) + 0.5) / 4 - 0.5)) < 1e-5) }
    }
}
