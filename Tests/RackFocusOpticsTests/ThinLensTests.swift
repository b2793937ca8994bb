import Foundation
import Testing

@testable import RackFocusOptics

/// Relative agreement within 0.5%, the bar for independently computed optics.
func close(_ a: Double, _ b: Double, _ tol: Double = 0.005) -> Bool { abs(a - b) <= tol * max(abs(b), 1e-12) }

func camera(_ sensor: String, _ f: Double, _ n: Double, coc: Double? = nil, breathing: Double = 0) -> Camera {
    Camera(sensor: try! Sensor.preset(named: sensor), focalLengthMM: f, stop: Stop(n), cocMM: coc, breathing: breathing)
}

/// Expected values were computed independently in Python from the *alternative* exact forms
/// near = s f² / (f² + N c (s − f)), far = s f² / (f² − N c (s − f)), and blur from the lens
/// equation v = 1/(1/f − 1/d): blur = (f/N) (v_s − v_d) / v_d. Where a published figure exists it
/// is quoted too (DOFMaster: 50 mm f/2.8, CoC 0.03 mm at 3 m: near 2.73 m, far 3.33 m, H 29.8 m).
@Suite("Thin-lens optics against independent values")
struct ThinLensTests {
    @Test func hyperfocal50mmF28() {
        let c = camera("fullframe", 50, 2.8)
        #expect(close(c.hyperfocal.millimeters, 29811.904761904763))
    }

    @Test func nearAndFar50mmF28At3m() {
        let dof = camera("fullframe", 50, 2.8).depthOfField(focus: .meters(3))
        #expect(close(dof.near.millimeters, 2729.4562923065723))
        #expect(close(dof.far.millimeters, 3330.0772577923813))
        #expect(close(dof.total.millimeters, 3330.0772577923813 - 2729.4562923065723))
    }

    @Test func nearAndFar85mmF2Super35() {
        let dof = camera("super35", 85, 2).depthOfField(focus: .meters(1.8))
        #expect(close(dof.near.millimeters, 1778.8872550695894))
        #expect(close(dof.far.millimeters, 1821.6199180586195))
    }

    @Test func wideLensNearFarAndHyperfocal() {
        let c = camera("super35", 25, 8)
        let dof = c.depthOfField(focus: .meters(2))
        #expect(close(dof.near.millimeters, 1225.4901960784314))
        #expect(close(dof.far.millimeters, 5434.782608695652))
        #expect(close(c.hyperfocal.millimeters, 3150))
    }

    @Test func farLimitIsInfinityBeyondHyperfocal() {
        let c = camera("super35", 25, 8)
        let dof = c.depthOfField(focus: .meters(4))
        #expect(dof.far.isInfinite)
        #expect(close(c.depthOfField(focus: .infinity).near.millimeters, 3150 - 25))
    }

    @Test func blurBehindFocusIsPositive() {
        let c = camera("super35", 85, 2)
        #expect(close(c.blurDiameterMM(subject: .meters(12.192), focus: .meters(1.8)), 1.7954276761323171))
    }

    @Test func blurInFrontOfFocusIsNegative() {
        let c = camera("super35", 85, 2)
        #expect(close(c.blurDiameterMM(subject: .meters(1.8), focus: .meters(12.192)), -1.7226535613006222))
    }

    @Test func blurOfThePathTracedSampleLens() {
        // cycles-a: 50 mm f/1.8, 36 mm sensor, focus 1.5 m, box at 4 m.
        let c = camera("fullframe", 50, 1.8)
        #expect(close(c.blurDiameterMM(subject: .meters(4), focus: .meters(1.5)), 0.5986590038314146))
    }

    @Test func splitFocusAndStopToHoldBoth() {
        let c = camera("fullframe", 50, 2.8)
        #expect(close(c.splitFocus(.meters(2), .meters(6)).meters, 3.0))
        #expect(close(c.stopToHold(.meters(2), .meters(6)), 14.12429378531083))
        #expect(close(c.splitFocus(.meters(2), .infinity).meters, 4.0))
    }

    @Test func anglesOfView() {
        // Well-known: 50 mm on full frame is 39.6° horizontal; 35 mm is 63.4° diagonal.
        #expect(close(camera("fullframe", 50, 2).horizontalAngleOfView(), 39.597752709049864))
        #expect(close(camera("fullframe", 35, 2).diagonalAngleOfView(), 63.43996659541458))
    }

    @Test func magnificationAndBreathing() {
        let c = camera("fullframe", 50, 2, breathing: 1)
        #expect(close(c.magnification(focus: .meters(0.5)), 0.1111111111111111))
        #expect(close(c.frameScale(focus: .meters(1)), 1.0526315789473684))
        #expect(camera("fullframe", 50, 2).frameScale(focus: .meters(1)) == 1)
        // Breathing narrows the view when focused closer (β > 0).
        #expect(c.horizontalAngleOfView(focus: .meters(1)) < c.horizontalAngleOfView())
    }

    @Test func anamorphicSqueezeWidensTheView() {
        var c = camera("super35", 50, 2)
        let spherical = c.horizontalAngleOfView()
        c.squeeze = 2
        #expect(close(c.horizontalAngleOfView(), 2 * atan(24.89 * 2 / 100) * 180 / .pi))
        #expect(c.horizontalAngleOfView() > spherical)
        #expect(close(c.pixelsPerMM, 1920 / (24.89 * 2)))
    }

    @Test func cocFromDeliveryResolution() throws {
        let mm = try CircleOfConfusion.millimeters(
            parsing: "1px@4k", sensorWidthMM: 24.89, delivery: Resolution(width: 1920, height: 1080))
        #expect(close(mm, 0.006481770833333333))
        let hd = try CircleOfConfusion.millimeters(
            parsing: "2px", sensorWidthMM: 24.89, delivery: Resolution(width: 1920, height: 1080))
        #expect(close(hd, 2 * 24.89 / 1920))
        #expect(throws: ValueError.self) {
            try CircleOfConfusion.millimeters(
                parsing: "2mm", sensorWidthMM: 24.89, delivery: Resolution(width: 1920, height: 1080))
        }
    }
}

@Suite("Thin-lens properties")
struct ThinLensPropertyTests {
    static let focusDistances: [Double] = [0.6, 1, 1.8, 3, 7, 15]
    static let stops: [Double] = [1.4, 2, 2.8, 4, 5.6, 8, 11]

    @Test(arguments: focusDistances)
    func nearIsBeforeFocusIsBeforeFar(s: Double) {
        for f in [18.0, 35, 50, 85, 135] where s * 1000 > 2 * f {
            for n in Self.stops {
                let dof = camera("super35", f, n).depthOfField(focus: .meters(s))
                #expect(dof.near.meters < s)
                #expect(dof.far.meters > s)
            }
        }
    }

    @Test(arguments: focusDistances)
    func depthOfFieldGrowsAsTheStopCloses(s: Double) {
        var previous = 0.0
        for n in Self.stops {
            let dof = camera("fullframe", 50, n).depthOfField(focus: .meters(s))
            let total = dof.far.isInfinite ? Double.infinity : dof.total.meters
            #expect(total > previous)
            previous = total
            if total.isInfinite { break }
        }
    }

    @Test(arguments: focusDistances)
    func blurIsZeroAtFocusAndGrowsAway(s: Double) {
        let c = camera("super35", 85, 2)
        #expect(c.blurDiameterMM(subject: .meters(s), focus: .meters(s)) == 0)
        #expect(c.blurDiameterMM(subject: .meters(s * 0.8), focus: .meters(s)) < 0)
        #expect(c.blurDiameterMM(subject: .meters(s * 1.25), focus: .meters(s)) > 0)
        #expect(
            abs(c.blurDiameterMM(subject: .meters(s * 0.6), focus: .meters(s)))
                > abs(c.blurDiameterMM(subject: .meters(s * 0.8), focus: .meters(s))))
    }

    @Test(arguments: focusDistances)
    func depthOfFieldLimitsAreWhereBlurEqualsTheCoC(s: Double) {
        let c = camera("super35", 50, 2.8)
        let dof = c.depthOfField(focus: .meters(s))
        #expect(close(abs(c.blurDiameterMM(subject: dof.near, focus: .meters(s))), c.cocMM, 1e-9))
        if !dof.far.isInfinite { #expect(close(c.blurDiameterMM(subject: dof.far, focus: .meters(s)), c.cocMM, 1e-9)) }
    }

    @Test(arguments: [(1.0, 2.0), (1.5, 9.0), (0.8, 0.9), (3.0, 40.0)])
    func splitFocusLiesBetweenAndBlursBothEqually(pair: (Double, Double)) {
        let c = camera("fullframe", 50, 2)
        let s = c.splitFocus(.meters(pair.0), .meters(pair.1))
        #expect(s.meters > pair.0 && s.meters < pair.1)
        let b1 = abs(c.blurDiameterMM(subject: .meters(pair.0), focus: s))
        let b2 = abs(c.blurDiameterMM(subject: .meters(pair.1), focus: s))
        #expect(close(b1, b2, 1e-9))
        var held = c
        held.stop = Stop(c.stopToHold(.meters(pair.0), .meters(pair.1)))
        #expect(close(abs(held.blurDiameterMM(subject: .meters(pair.0), focus: s)), c.cocMM, 1e-9))
    }
}

@Suite("Blur model for the render engine")
struct BlurModelTests {
    @Test(arguments: [0.5, 1.5, 4.0, .infinity])
    func linearModelMatchesTheThinLensFormula(focus: Double) {
        let c = camera("fullframe", 50, 1.8)
        let model = c.blurModel(focus: Distance(meters: focus))
        for d in [0.3, 0.9, 1.5, 2.5, 9, 25, .infinity] {
            let exact = c.blurPixels(subject: Distance(meters: d), focus: Distance(meters: focus))
            #expect(abs(model.pixels(dioptres: d.isInfinite ? 0 : 1 / d) - exact) < 1e-9 * max(1, abs(exact)))
        }
    }
}

@Suite("Blur in the infinity-focus frame")
struct FrameBlurTests {
    /// Hand computation: 50 mm f/1.8, s = 1.5 m, d = 16.4 m, 960 px across 36 mm:
    /// A·f·(d − s)/(d·s) = 27.78 · 50 · 14.9 / (16.4 · 1.5) mm = 0.84125 mm → 22.43 px.
    @Test func frameBlurOfTheSampleLens() {
        var c = camera("fullframe", 50, 1.8)
        c.resolution = Resolution(width: 960, height: 540)
        let model = c.frameBlurModel(focus: .meters(1.5))
        let expected = (50.0 / 1.8) * 50 * (16.4 - 1.5) / (16.4 * 1.5) * 960 / 36 / 1000
        #expect(close(model.pixels(dioptres: 1 / 16.4), expected * 1000 / 1000))
        // The frame's width given explicitly, on a camera delivering another resolution: the same model.
        let hd = camera("fullframe", 50, 1.8)
        #expect(hd.resolution.width != 960)
        #expect(close(hd.frameBlurModel(focus: .meters(1.5), frameWidth: 960).pixels(dioptres: 1 / 16.4), expected))
        // An anamorphic squeeze spreads the same sensor width over the frame: horizontal pixels shrink.
        var squeezed = hd
        squeezed.squeeze = 2
        #expect(
            close(
                squeezed.frameBlurModel(focus: .meters(1.5), frameWidth: 960).pixels(dioptres: 1 / 16.4), expected / 2))
    }

    @Test(arguments: [0.8, 2.0, 9.0])
    func thinLensBreathingRestoresTheSensorBlur(focus: Double) {
        var c = camera("fullframe", 85, 2, breathing: 1)
        c.resolution = Resolution(width: 1920, height: 1080)
        let s = Distance.meters(focus)
        for d in [0.6, 1.5, 4.0, 30] {
            let inFrame = c.frameBlurModel(focus: s).pixels(dioptres: 1 / d)
            #expect(close(inFrame * c.frameScale(focus: s), c.blurPixels(subject: .meters(d), focus: s), 1e-9))
        }
    }
}
