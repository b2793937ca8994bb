import Testing

@testable import RackFocusOptics

@Suite("Distances, lengths, stops, sensors")
struct UnitsTests {
    @Test(arguments: [
        ("1.8m", 1.8), ("180cm", 1.8), ("1800mm", 1.8), ("40ft", 12.192), ("40'", 12.192),
        ("12'6\"", 3.81), ("12' 6\"", 3.81), ("12ft 6in", 3.81), ("6in", 0.1524), ("6\"", 0.1524), ("2 m", 2),
    ])
    func distances(text: String, meters: Double) throws {
        #expect(close(try Distance(parsing: text).meters, meters, 1e-9))
    }

    @Test func infinityAndUnitSystems() throws {
        #expect(try Distance(parsing: "inf").isInfinite)
        #expect(try Distance(parsing: "40ft").system == .imperial)
        #expect(try Distance(parsing: "1.8m").system == .metric)
    }

    @Test func printedBackInTheUsersUnits() throws {
        #expect(try Distance(parsing: "12'6\"").formatted() == "12'6\"")
        #expect(try Distance(parsing: "40ft").formatted() == "40'0\"")
        #expect(try Distance(parsing: "7in").formatted() == "7\"")
        #expect(try Distance(parsing: "1.8m").formatted() == "1.80 m")
        #expect(try Distance(parsing: "45cm").formatted() == "45 cm")
        #expect(Distance.infinity.formatted() == "∞")
    }

    @Test func bareNumbersAndNonsenseAreRejectedWithAFix() {
        #expect(throws: ValueError("\"3\" has no unit", fix: "write it with a unit, e.g. 1.8m, 180cm, 6ft or 12'6\"")) {
            try Distance(parsing: "3")
        }
        #expect(throws: ValueError.self) { try Distance(parsing: "three metres") }
        #expect(throws: ValueError.self) { try Distance(parsing: "") }
    }

    @Test func stopsAndTStops() throws {
        #expect(try Stop(parsing: "f/2.8") == Stop(2.8))
        #expect(try Stop(parsing: "2.8") == Stop(2.8))
        #expect(try Stop(parsing: "T2.1") == Stop(2.1, isTStop: true))
        #expect(Stop(2.1, isTStop: true).description == "T2.1")
        #expect(throws: ValueError.self) { try Stop(parsing: "f/0.1") }
        #expect(Stop.thirdStop(atMost: 1.9) == 1.8)
        #expect(Stop.thirdStop(atLeast: 13.5) == 14)
    }

    @Test func sensorPresetsHaveTheirDocumentedCoC() throws {
        let expected: [String: Double] = [
            "super35": 0.025, "fullframe": 0.030, "apsc": 0.020, "mft": 0.015,
            "twothirds": 0.011, "lf65": 0.042, "phone": 0.0085,
        ]
        for (name, coc) in expected { #expect(try Sensor.preset(named: name).cocMM == coc) }
        #expect(try Sensor.preset(named: "FF").name == "fullframe")
        #expect(throws: ValueError.self) { try Sensor.preset(named: "imax") }
        // Custom sensors follow diagonal / 1442: 36 x 24 gives 0.030 mm.
        #expect(close(Sensor.custom(widthMM: 36, heightMM: 24).cocMM, 0.030, 0.001))
    }

    @Test func lengthsAndResolutions() throws {
        #expect(try Length.millimeters(parsing: "50mm") == 50)
        #expect(try Length.millimeters(parsing: "5cm") == 50)
        #expect(try Length.millimeters(parsing: "85") == 85)
        #expect(try Resolution(parsing: "4k") == Resolution(width: 3840, height: 2160))
        #expect(try Resolution(parsing: "1920x1080") == Resolution(width: 1920, height: 1080))
        #expect(throws: ValueError.self) { try Resolution(parsing: "1920") }
    }
}

@Suite("Frame rates, timecode and times")
struct TimeTests {
    @Test func ntscRatesAreExact() throws {
        #expect(try FrameRate(parsing: "23.976") == FrameRate(numerator: 24000, denominator: 1001))
        #expect(try FrameRate(parsing: "23.98") == FrameRate(numerator: 24000, denominator: 1001))
        #expect(try FrameRate(parsing: "29.97") == FrameRate(numerator: 30000, denominator: 1001))
        #expect(try FrameRate(parsing: "24000/1001").timecodeBase == 24)
        #expect(try FrameRate(parsing: "25fps") == FrameRate(numerator: 25))
    }

    /// Drop-frame values from SMPTE ST 12-1's counting rule, checked by hand: minute 1 starts at
    /// frame 1800 labelled ;02; ten minutes are 17982 frames.
    @Test func dropFrameTimecode() throws {
        let r = try FrameRate(parsing: "29.97")
        #expect(try Timecode.frame(parsing: "00:01:00;02", rate: r) == 1800)
        #expect(try Timecode.frame(parsing: "00:10:00;00", rate: r) == 17982)
        #expect(try Timecode.frame(parsing: "01:00:00;00", rate: r) == 107892)
        #expect(Timecode.string(frame: 1800, rate: r, dropFrame: true) == "00:01:00;02")
        #expect(Timecode.string(frame: 17982, rate: r, dropFrame: true) == "00:10:00;00")
        #expect(throws: ValueError.self) { try Timecode.frame(parsing: "00:01:00;00", rate: r) }
        #expect(throws: ValueError.self) { try Timecode.frame(parsing: "00:00:04;12", rate: FrameRate(numerator: 24)) }
    }

    @Test func dropFrameRoundTripsEveryFrameOfTwelveMinutes() {
        for rate in [FrameRate(numerator: 30000, denominator: 1001), FrameRate(numerator: 60000, denominator: 1001)] {
            for frame in stride(from: 0, to: 12 * 60 * 60, by: 7) {
                let tc = Timecode.string(frame: frame, rate: rate, dropFrame: true)
                #expect((try? Timecode.frame(parsing: tc, rate: rate)) == frame)
            }
        }
    }

    @Test func nonDropTimecodeAt23976CountsAt24() throws {
        let r = try FrameRate(parsing: "23.976")
        #expect(try Timecode.frame(parsing: "01:00:00:00", rate: r) == 86400)
        #expect(try Timecode.frame(parsing: "00:00:04:12", rate: r) == 108)
        #expect(throws: ValueError.self) { try Timecode.frame(parsing: "00:00:04:24", rate: r) }
    }

    @Test func timeSpecs() throws {
        let r = FrameRate(numerator: 24)
        #expect(try TimeSpec(parsing: "1.5s").seconds(at: r) == 1.5)
        #expect(try TimeSpec(parsing: "500ms").seconds(at: r) == 0.5)
        #expect(try TimeSpec(parsing: "36f").seconds(at: r) == 1.5)
        #expect(try TimeSpec(parsing: "00:00:04:12").seconds(at: r) == 4.5)
        #expect(throws: ValueError("\"1.5\" has no unit", fix: TimeSpec.unitFix)) { try TimeSpec(parsing: "1.5") }
    }
}

@Suite("Focus scales")
struct FocusScaleTests {
    @Test func genericScaleIsLinearInDioptres() {
        let s = FocusScale.generic(closeFocus: .meters(0.5), throwDegrees: 300)
        #expect(s.angle(for: .infinity) == 0)
        #expect(close(s.angle(for: .meters(0.5)), 300))
        #expect(close(s.angle(for: .meters(1)), 150))
    }

    @Test func calibratedMapPassesThroughItsMarksAndIsMonotone() throws {
        let pts: [(Double, Double)] = [(0.45, 300), (0.6, 250), (1, 180), (2, 110), (5, 50), (.infinity, 0)]
        let map = try LensMap(points: pts.map { LensMap.Point(distance: Distance(meters: $0.0), angleDegrees: $0.1) })
        for p in pts {
            #expect(
                close(map.angle(for: Distance(meters: p.0)), p.1, 1e-9)
                    || (p.1 == 0 && abs(map.angle(for: .infinity)) < 1e-9))
        }
        var previous = map.angle(for: .meters(0.45))
        var d = 0.46
        while d < 100 {
            let a = map.angle(for: .meters(d))
            #expect(a <= previous)
            previous = a
            d *= 1.03
        }
    }

    @Test func nonMonotoneMapIsRejected() {
        #expect(throws: ValueError.self) {
            try LensMap(points: [
                .init(distance: .meters(1), angleDegrees: 100), .init(distance: .meters(2), angleDegrees: 150),
                .init(distance: .meters(3), angleDegrees: 120),
            ])
        }
    }
}
