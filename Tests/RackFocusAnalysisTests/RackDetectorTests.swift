import Foundation
import Testing
@testable import RackFocusAnalysis
import RackFocusPlan
import RackFocusRender

@Suite("Racks found in rendered footage")
struct RackDetectorTests {
    @Test(arguments: [Easing.linear, .easeInOut, .easeIn, .easeOut])
    func aCleanRackStartsAndLandsOnItsFrames(easing: Easing) throws {
        let focus = Synthetic.rack(frames: 48, start: 10, land: 30, easing: easing)
        let found = Synthetic.analyse(focus)
        let rack = try #require(found.racks.first, "no rack found")
        #expect(found.racks.count == 1, "\(found.racks)")
        #expect(rack.from == "near" && rack.to == "far")
        let land = try #require(rack.landFrame)
        let truth = Synthetic.visibleMove(focus)
        print("\(easing): start \(rack.startFrame) (visible \(truth.start), cue 10), land \(land) (visible \(truth.land), cue 30)")
        #expect(abs(rack.startFrame - truth.start) <= 1)
        #expect(abs(land - truth.land) <= 1)
        #expect(rack.overshoot == nil && rack.hunting == nil)
        #expect(found.hunts.isEmpty)
    }

    @Test func aStaticShotHasNoRack() {
        let found = Synthetic.analyse(Array(repeating: Synthetic.near, count: 30)) { n, img in
            Synthetic.noisy(img, sigma: 0.01, seed: UInt64(n + 1))
        }
        #expect(found.racks.isEmpty, "\(found.racks)")
        #expect(found.hunts.isEmpty)
        #expect(found.curves.allSatisfy { !$0.changes })
    }

    @Test func aSlowExposureChangeIsNotARack() {
        // Exposure falls by a stop and a half over the shot, focus never moves.
        let found = Synthetic.analyse(Array(repeating: Synthetic.near, count: 36)) { n, img in
            var out = img
            let gain = Float(pow(2, -1.5 * Double(n) / 35))
            for i in out.data.indices { out.data[i] *= gain }
            return Synthetic.noisy(out, sigma: 0.004, seed: UInt64(n + 7))
        }
        #expect(found.racks.isEmpty, "\(found.racks)")
        #expect(found.hunts.isEmpty)
    }
}
