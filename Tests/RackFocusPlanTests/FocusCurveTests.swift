import Foundation
import Testing

@testable import RackFocusOptics
@testable import RackFocusPlan

@Suite("Focus curves")
struct FocusCurveTests {
    @Test(arguments: Easing.allCases)
    func everyEasingIsMonotoneAndLandsExactly(easing: Easing) {
        #expect(easing.progress(0) == 0)
        #expect(easing.progress(1) == 1)
        var previous = 0.0
        for i in 1...1000 {
            let e = easing.progress(Double(i) / 1000)
            #expect(e >= previous)
            #expect(e <= 1)
            previous = e
        }
        // The stated peak speed is the maximum of de/du.
        let sampledPeak = (0...10000).map { easing.speed(Double($0) / 10000) }.max()!
        #expect(abs(sampledPeak - easing.peakSpeed) < 1e-3)
    }

    @Test func landingArrivesWithZeroSpeedAndDeceleratesLonger() {
        #expect(Easing.landing.speed(1) == 0)
        #expect(Easing.landing.speed(0) == 0)
        // Peak speed in the first quarter: most of the move is deceleration.
        let peakU = (0...1000).max {
            Easing.landing.speed(Double($0) / 1000) < Easing.landing.speed(Double($1) / 1000)
        }!
        #expect(peakU == 250)
    }

    static let curveText = """
        fps: 24
        camera: { sensor: super35, focalLength: 85mm, stop: 2, minFocus: 0.9m }
        subjects: { near: { distance: 1m }, far: { distance: 4m } }
        focus:
          - { at: 0s, on: far }
          - { rack: near, start: 2s, duration: 1s, curve: linear }
          - { rack: far, land: 6s, duration: 48f, curve: landing }
        """

    @Test func curveInterpolatesInDioptres() throws {
        let p = try ShotPlan.parse(Self.curveText)
        // Halfway through a linear rack from 4 m (0.25 D) to 1 m (1 D): 0.625 D = 1.6 m.
        #expect(abs(p.curve.focus(at: 2.5).meters - 1.6) < 1e-12)
        #expect(p.curve.focus(at: 0) == .meters(4))
        #expect(p.curve.focus(at: 1.999) == .meters(4))
    }

    @Test func curveHoldsTheMarkExactlyAfterLanding() throws {
        let p = try ShotPlan.parse(Self.curveText)
        for t in stride(from: 3.0, to: 4.0, by: 0.01) { #expect(p.curve.focus(at: t).meters == 1) }
        for t in stride(from: 6.0, to: 9.0, by: 0.01) { #expect(p.curve.focus(at: t).meters == 4) }
    }

    @Test func everyRackIsMonotoneFrameByFrame() throws {
        let p = try ShotPlan.parse(Self.curveText)
        let frames = (0..<(9 * 24)).map { p.curve.focus(frame: $0, fps: p.fps).dioptres }
        // Frames 48-72: 4 m → 1 m (dioptres rise); frames 96-144: 1 m → 4 m (dioptres fall).
        for i in 48..<72 { #expect(frames[i + 1] >= frames[i]) }
        for i in 96..<144 { #expect(frames[i + 1] <= frames[i]) }
        // Never past either mark: no overshoot.
        #expect(frames.allSatisfy { $0 >= 0.25 - 1e-12 && $0 <= 1 + 1e-12 })
    }

    @Test func curveReachesInfinity() throws {
        let text = """
            fps: 24
            camera: { sensor: super35, focalLength: 25mm, stop: 2 }
            subjects: { a: { distance: 2m }, sky: { distance: inf } }
            focus: [ { at: 0s, on: a }, { rack: sky, start: 1s, duration: 1s } ]
            """
        let p = try ShotPlan.parse(text)
        #expect(p.curve.focus(at: 2).isInfinite)
        #expect(abs(p.curve.focus(at: 1.5).meters - 4) < 1e-9)  // smoothstep(0.5) = 0.5 → 0.25 D
    }
}

@Suite("Rack assessment")
struct RackAssessmentTests {
    func report(_ text: String) throws -> PlanReport { PlanReport(plan: try ShotPlan.parse(text)) }

    @Test func verdictThresholdsScaleWithResolution() {
        #expect(RackVerdict(blurPixels: 6, width: 1920) == .reads)
        #expect(RackVerdict(blurPixels: 5.9, width: 1920) == .subtle)
        #expect(RackVerdict(blurPixels: 1.9, width: 1920) == .invisible)
        #expect(RackVerdict(blurPixels: 6, width: 3840) == .subtle)
    }

    @Test func adviceMakesTheRackRead() throws {
        // 35 mm f/11 on Super 35, 3 m → 7 m: 1.6 px, invisible. Each tip, applied alone, must read.
        let text = """
            fps: 25
            camera: { sensor: super35, focalLength: 35mm, stop: 11 }
            subjects: { a: { distance: 3m }, b: { distance: 7m } }
            focus: [ { at: 0s, on: a }, { rack: b, start: 1s, duration: 1s } ]
            """
        let r = try report(text)
        let rack = try #require(r.racks.first)
        #expect(rack.verdict != .reads)
        let stopTip = try #require(rack.advice.first { $0.hasPrefix("open up to f/") })
        let n = Double(stopTip.dropFirst("open up to f/".count).split(separator: " ")[0])!
        let opened = try report(text.replacingOccurrences(of: "stop: 11", with: "stop: \(n)"))
        #expect(opened.racks[0].verdict == .reads)
        let lensTip = try #require(rack.advice.first { $0.hasPrefix("a ") && $0.contains(" mm lens") })
        let f = Int(lensTip.split(separator: " ")[1])!
        let longer = try report(text.replacingOccurrences(of: "focalLength: 35mm", with: "focalLength: \(f)mm"))
        #expect(longer.racks[0].verdict == .reads)
        // Here infinity is not far enough for b, so the tip is to bring a closer.
        let sepTip = try #require(rack.advice.first { $0.hasPrefix("more separation: ") })
        let words = sepTip.split(separator: " ")
        let (who, distance) = (String(words[2]), words[4...5].joined())
        let apart = try report(
            text.replacingOccurrences(
                of: who == "a" ? "a: { distance: 3m }" : "b: { distance: 7m }",
                with: "\(who): { distance: \(distance) }"))
        #expect(apart.racks[0].verdict == .reads)
    }

    @Test func fastRacksWarn() throws {
        let text = """
            fps: 24
            camera: { sensor: super35, focalLength: 50mm, stop: 2 }
            subjects: { a: { distance: 0.6m }, b: { distance: 10m } }
            focus: [ { at: 0s, on: a }, { rack: b, start: 1s, duration: 10f, curve: landing } ]
            """
        let rack = try #require(try report(text).racks.first)
        // 300° throw, 0.6 m → 10 m with close focus 0.5 m: 300·(1/0.6 − 1/10)/2 = 235° over 0.417 s;
        // landing peaks at 2.109× the mean speed: about 1190°/s.
        #expect(abs(rack.ringTravelDegrees - 235) < 0.5)
        #expect(abs(rack.peakRingSpeedDegreesPerSecond - 235 / (10.0 / 24) * Easing.landing.peakSpeed) < 5)
        #expect(rack.warnings.contains { $0.contains("too fast to land cleanly by hand") })
    }

    @Test func blursInTheReportMatchTheOptics() throws {
        let plan = try ShotPlan.parse(FocusCurveTests.curveText)
        let r = PlanReport(plan: plan)
        let near = try #require(r.racks[0].subjects.first { $0.subject == "near" })
        #expect(near.blurStartPx == abs(plan.camera.blurPixels(subject: .meters(1), focus: .meters(4))))
        #expect(near.blurEndPx == 0)
    }
}
