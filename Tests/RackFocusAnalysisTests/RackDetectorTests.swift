import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import Testing

@testable import RackFocusAnalysis

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
        print(
            "\(easing): start \(rack.startFrame) (visible \(truth.start), cue 10), land \(land) (visible \(truth.land), cue 30)"
        )
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

@Suite("Racks in noisy, compressed and faulty footage", .serialized)
struct FaultyRackTests {
    /// Focus in dioptres from a list of (frame, dioptres, easing of the move that ends there).
    static func path(_ keys: [(Int, Double, Easing)], frames: Int) -> [Double] {
        (0..<frames).map { n in
            guard let j = keys.firstIndex(where: { $0.0 >= n }), j > 0 else {
                return 1 / (n <= keys[0].0 ? keys[0].1 : keys.last!.1)
            }
            let (a, da, _) = keys[j - 1], (b, db, e) = keys[j]
            return 1 / (da + (db - da) * e.progress(Double(n - a) / Double(b - a)))
        }
    }

    @Test(arguments: [Easing.linear, .easeInOut])
    func aNoisyRackIsTimedWithinTwoFrames(easing: Easing) throws {
        let focus = Synthetic.rack(frames: 48, start: 10, land: 30, easing: easing)
        let found = Synthetic.analyse(focus) { n, img in Synthetic.noisy(img, sigma: 0.01, seed: UInt64(100 + n)) }
        let truth = Synthetic.visibleMove(focus)
        #expect(found.racks.count == 1, "\(found.racks)")
        let rack = try #require(found.racks.first)
        print(
            "noisy \(easing): start \(rack.startFrame) (visible \(truth.start)), land \(rack.landFrame ?? -1) (visible \(truth.land))"
        )
        #expect(abs(rack.startFrame - truth.start) <= 2)
        #expect(abs(try #require(rack.landFrame) - truth.land) <= 2)
        #expect(rack.overshoot == nil && rack.hunting == nil && found.hunts.isEmpty)
    }

    @Test func aRackThroughLowBitrateH264IsTimedWithinTwoFrames() throws {
        let focus = Synthetic.rack(frames: 48, start: 10, land: 30, easing: .easeInOut)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rackfocus-analysis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // 400 kbit/s at 320×180 (about 0.29 bit per pixel at 24 fps), 12-frame GOP.
        let raw = dir.appendingPathComponent("raw.mkv").path, clip = dir.appendingPathComponent("low.mp4").path
        let writer = try FrameWriter(
            path: raw, width: Synthetic.width, height: Synthetic.height, frameRate: FrameRate(numerator: 24))
        for f in focus {
            try writer.write(Synthetic.noisy(Synthetic.render(focus: f), sigma: 0.004, seed: UInt64(f * 1000)))
        }
        try writer.finish()
        _ = try FFmpeg.run(
            [
                "-v", "error", "-y", "-i", raw, "-c:v", "libx264", "-b:v", "400k", "-g", "12", "-pix_fmt", "yuv420p",
                clip,
            ],
            writes: true, context: clip)
        let analyzer = FocusAnalyzer(regions: Synthetic.regions)
        let reader = try FrameReader(path: clip)
        var frame: PlanarImage?
        while try reader.next(into: &frame) { analyzer.add(frame!) }
        #expect(analyzer.frameCount == 48)
        let found = RackDetector().detect(analyzer.curves(), fps: 24)
        let truth = Synthetic.visibleMove(focus)
        #expect(found.racks.count == 1, "\(found.racks)")
        let rack = try #require(found.racks.first)
        print(
            "H.264 400k: start \(rack.startFrame) (visible \(truth.start)), land \(rack.landFrame ?? -1) (visible \(truth.land))"
        )
        #expect(rack.from == "near" && rack.to == "far")
        #expect(abs(rack.startFrame - truth.start) <= 2)
        #expect(abs(try #require(rack.landFrame) - truth.land) <= 2)
        #expect(rack.overshoot == nil && rack.hunting == nil && found.hunts.isEmpty)
    }

    /// Curves of a rack from `near` to `far` over frames 12–27, then `hold(t)` added to the far
    /// card's sharpness.
    static func curves(hold: (Int) -> Double) -> [SharpnessCurve] {
        var near: [Double] = [], far: [Double] = []
        for t in 0..<48 {
            let p = min(max(Double(t - 12) / 15, 0), 1)
            near.append(1 - 0.9 * p)
            far.append(0.1 + 0.86 * p + hold(t))
        }
        return [SharpnessCurve(name: "near", raw: near), SharpnessCurve(name: "far", raw: far)]
    }

    @Test func aCodecStepInTheHoldDoesNotDelayTheLanding() throws {
        // A 4% step at frame 36 (an I-frame), after a hold flat since the landing at 27.
        let found = RackDetector().detect(Self.curves { $0 >= 36 ? 0.04 : 0 }, fps: 24)
        #expect(found.racks.count == 1)
        let land = try #require(found.racks.first?.landFrame)
        #expect(abs(land - 27) <= 1, "land \(land)")
    }

    @Test func focusStillCreepingIsNotLanded() throws {
        // After frame 27 the far card keeps sharpening by 2% a frame until 33: no flat run, so
        // the landing is at the end of the creep.
        let found = RackDetector().detect(Self.curves { Double(min(max($0 - 27, 0), 6)) * 0.02 }, fps: 24)
        let land = try #require(found.racks.first?.landFrame)
        #expect(land >= 31, "land \(land)")
    }

    @Test func anOvershootIsFoundAndCorrectedFramesAreCounted() throws {
        // Near → 0.05 dioptres past the far card (6 m → 8.6 m), hold, back onto the far card.
        let dFar = 1 / Synthetic.far, dNear = 1 / Synthetic.near
        let focus = Self.path(
            [(10, dNear, .linear), (26, dFar - 0.05, .easeOut), (29, dFar - 0.05, .linear), (35, dFar, .easeInOut)],
            frames: 50)
        let found = Synthetic.analyse(focus)
        #expect(found.racks.count == 1, "\(found.racks)")
        let rack = try #require(found.racks.first)
        let overshoot = try #require(rack.overshoot, "\(rack)")
        print("overshoot: \(rack)")
        #expect(rack.to == "far" && rack.hunting == nil)
        #expect(overshoot.passFrame < overshoot.farthestFrame)
        #expect(abs(overshoot.farthestFrame - 27) <= 2)
        // Back within a 1-px circle on the far card (7.06 m, frame 32) before the cue (frame 35).
        #expect(abs(try #require(rack.landFrame) - Synthetic.visibleMove(focus).land) <= 1)
        #expect(found.hunts.isEmpty)
    }

    @Test func huntingAroundTheMarkIsFound() throws {
        // Lands on the far card, then hunts ±0.06 dioptres four times (8 frames a swing, as
        // contrast autofocus does) before settling.
        let dFar = 1 / Synthetic.far, dNear = 1 / Synthetic.near
        var keys: [(Int, Double, Easing)] = [(8, dNear, .linear), (22, dFar, .easeInOut)]
        for k in 0..<4 { keys.append((28 + 8 * k, dFar + (k % 2 == 0 ? -0.06 : 0.06), .easeInOut)) }
        keys.append((64, dFar, .easeInOut))
        let focus = Self.path(keys, frames: 80)
        let found = Synthetic.analyse(focus)
        print("hunting: \(found.racks) \(found.hunts)")
        let hunted = found.racks.contains { $0.hunting != nil } || !found.hunts.isEmpty
        #expect(hunted)
        #expect(found.racks.filter { $0.to == "far" }.count == 1)
    }
}

@Suite("Racks that do not finish")
struct UnfinishedRackTests {
    @Test func aRackCutOffByTheEndOfTheClipNeverLands() throws {
        // The move would land at frame 40; the clip ends at frame 31, mid-move.
        let focus = Array(Synthetic.rack(frames: 48, start: 10, land: 40, easing: .linear).prefix(32))
        let found = Synthetic.analyse(focus)
        let rack = try #require(found.racks.first, "\(found.racks)")
        #expect(found.racks.count == 1)
        #expect(rack.from == "near")
        #expect(rack.landFrame == nil, "\(rack)")
    }
}

@Suite("What the focus curve adds to a rack")
struct RackFocusCurveTests {
    @Test(arguments: [
        (Easing.linear, "linear"), (.easeIn, "ease in"), (.easeOut, "ease out"), (.easeInOut, "ease in and out"),
        (.landing, "ease out"),
    ])
    func speedProfilesAreNamed(easing: Easing, expected: String) {
        #expect(SpeedProfile.classify((0...30).map { easing.progress(Double($0) / 30) }) == expected)
    }

    @Test func distancesProfileAndOvershootInMetres() throws {
        // 2 m → 5 m, linear in dioptres over frames 10-30, past the mark to 6 m at frame 33, back by 40.
        var focus = [Double?](repeating: 2, count: 50)
        for t in 10...30 { focus[t] = 1 / (0.5 + (0.2 - 0.5) * Double(t - 10) / 20) }
        for t in 31...39 { focus[t] = t <= 33 ? 5 + Double(t - 30) / 3 : 6 - Double(t - 33) / 7 }
        for t in 40..<50 { focus[t] = 5 }
        var rack = RackEvent(from: "a", to: "b", startFrame: 10, switchFrame: 30)
        rack.landFrame = 30
        rack.overshoot = Overshoot(passFrame: 30, farthestFrame: 33, correctedFrame: 40, sharpnessLost: 0.4)
        rack.attach(focus: focus)
        #expect(rack.fromMeters == 2 && rack.toMeters == 5)
        #expect(rack.profile == "linear")
        #expect(abs(try #require(rack.overshootMeters) - 1) < 1e-9)
    }
}
