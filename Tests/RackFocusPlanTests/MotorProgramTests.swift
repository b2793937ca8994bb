import Foundation
import Testing

@testable import RackFocusOptics
@testable import RackFocusPlan

@Suite("Follow-focus motor programs")
struct MotorProgramTests {
    static let mapped = try! ShotPlan.load(
        contentsOf: examplesFolder.appendingPathComponent("split-dual-plane.json").path)

    @Test func samplesRunAtTheMotorRateAndEndOnTheLastMark() throws {
        let program = MotorProgram(plan: Self.mapped, rate: 100)
        #expect(program.samples.count == 701)  // 7 s inclusive
        for (i, s) in program.samples.enumerated() { #expect(abs(s.time - Double(i) / 100) < 1e-12) }
        let last = try #require(program.samples.last)
        #expect(abs(last.focus.meters - 4.1) < 1e-9)
    }

    @Test func encoderPositionsFollowTheLensMap() {
        let program = MotorProgram(plan: Self.mapped, rate: 100)
        // The map's marks (270° at 1.5 m ... 0° at infinity): 3 m is 140°, 140/270 of 0...65535.
        #expect(abs(Self.mapped.focusScale.angle(for: .meters(3)) - 140) < 1e-9)
        #expect(program.normalizedEncoder(.meters(3)) == 140.0 / 270)
        #expect(program.normalizedEncoder(.infinity) == 0)
        #expect(program.normalizedEncoder(.meters(1.5)) == 1)
        // Every sample's encoder is its ring angle over the throw, and moves one way within a move.
        for s in program.samples { #expect(s.encoder == Int((s.ringDegrees / 270 * 65535).rounded())) }
        let rack = program.samples.filter { $0.time >= 2 && $0.time <= 3.2 }.map(\.encoder)
        #expect(zip(rack, rack.dropFirst()).allSatisfy { $0 >= $1 }, "near → far: the encoder only falls")
    }

    @Test func aMoveTooFastForTheMotorSaysWhenAndHowLongItNeeds() throws {
        let text = plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, duration: 0.5s, curve: ease-in-out }")
        let fast = try ShotPlan.parse(text)
        let limits = MotorProgram.Limits(speed: 100, acceleration: 1000)
        let violations = MotorProgram(plan: fast, rate: 100).violations(limits)
        let speed = try #require(violations.first { $0.isSpeed })
        #expect(speed.entry == 1 && speed.frame >= 24 && speed.frame <= 36)
        let needed = try #require(violations.compactMap(\.fastestDuration).max())
        #expect(needed > 0.5)
        // Re-planned at the duration it names, the same move fits the motor.
        let fitted = try ShotPlan.parse(
            text.replacingOccurrences(of: "duration: 0.5s", with: String(format: "duration: %.4fs", needed * 1.0001)))
        #expect(MotorProgram(plan: fitted, rate: 100).violations(limits).isEmpty)
    }

    @Test func aCurveThatStartsAtFullSpeedCannotBeFixedByTime() throws {
        let linear = try ShotPlan.parse(
            plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, duration: 2s, curve: linear }"))
        let v = MotorProgram(plan: linear, rate: 100).violations(MotorProgram.Limits(speed: 1000, acceleration: 1000))
        let jump = try #require(v.first { !$0.isSpeed })
        #expect(jump.peak.isInfinite && jump.fastestDuration == nil && jump.frame == 24)
        // The same move eased fits the same motor.
        let eased = try ShotPlan.parse(
            plan(focus: "  - { at: 0s, on: a }\n  - { rack: b, start: 1s, duration: 2s, curve: ease-in-out }"))
        #expect(
            MotorProgram(plan: eased, rate: 100).violations(MotorProgram.Limits(speed: 1000, acceleration: 1000))
                .isEmpty)
    }
}
