import Foundation
import RackFocusPlan

/// The motor program in the forms motors and virtual-production tools read.
extension MotorProgram {
    /// time_s, focus_m, ring_deg, encoder: one row a sample.
    package var csv: String {
        let p = self
        var lines = ["time_s,focus_m,ring_deg,encoder"]
        lines.reserveCapacity(p.samples.count + 1)
        for s in p.samples {
            // Infinity has no number: the field is empty there (the ring angle and encoder say it).
            let m = s.focus.isInfinite ? "" : String(format: "%.4f", s.focus.meters)
            lines.append(String(format: "%.4f,%@,%.3f,%d", s.time, m, s.ringDegrees, s.encoder))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The samples as JSON, naming the plan file they came from.
    package func json(planFile: String) -> String {
        let p = self
        struct Sample: Encodable { var t: Double; var focusMeters: Double?; var ringDegrees: Double; var encoder: Int }
        struct Program: Encodable {
            var plan: String; var rate: Double; var throwDegrees: Double; var encoderRange: [Int]; var samples: [Sample]
        }
        let program = Program(
            plan: planFile, rate: p.rate, throwDegrees: p.plan.focusScale.throwDegrees, encoderRange: [0, 65535],
            samples: p.samples.map {
                Sample(
                    t: $0.time, focusMeters: $0.focus.isInfinite ? nil : $0.focus.meters,
                    ringDegrees: $0.ringDegrees, encoder: $0.encoder)
            })
        return encodeJSON(program) + "\n"
    }

    /// One sample per video frame in the SMPTE RIS OpenTrackIO form: protocol, timing (sample rate
    /// and timecode) and lens (focus distance in metres, f-stop or, for a T-stop plan, T-stop,
    /// focus encoder 0 = infinity ... 1 = closest). Focus at infinity has no focusDistance, only the encoder.
    package var openTrackIO: String {
        let plan = self.plan, p = self
        struct Rate: Encodable { var num: Int; var denom: Int }
        struct Format: Encodable { var frameRate: Rate; var dropFrame: Bool }
        struct TC: Encodable { var hours: Int; var minutes: Int; var seconds: Int; var frames: Int; var format: Format }
        struct Timing: Encodable { var mode = "internal"; var sampleRate: Rate; var timecode: TC }
        struct Encoders: Encodable { var focus: Double }
        // A T-stop plan knows the T-number, not the f-number behind it: it is written as tStop.
        struct Lens: Encodable {
            var focusDistance: Double?; var fStop: Double?; var tStop: Double?; var encoders: Encoders
        }
        struct ProtocolID: Encodable { var name = "OpenTrackIO"; var version = [1, 0, 0] }
        struct Sample: Encodable { var `protocol` = ProtocolID(); var timing: Timing; var lens: Lens }
        let rate = Rate(num: plan.fps.numerator, denom: plan.fps.denominator)
        let samples = (0...plan.frameCount).map { n -> Sample in
            let d = plan.curve.focus(frame: n, fps: plan.fps)
            let parts = plan.timecode(at: Double(n) / plan.fps.fps).split(whereSeparator: { $0 == ":" || $0 == ";" })
                .compactMap { Int($0) }
            let tc = TC(
                hours: parts[0], minutes: parts[1], seconds: parts[2], frames: parts[3],
                format: Format(frameRate: rate, dropFrame: plan.dropFrame))
            return Sample(
                timing: Timing(sampleRate: rate, timecode: tc),
                lens: Lens(
                    focusDistance: d.isInfinite ? nil : d.meters,
                    fStop: plan.camera.stop.isTStop ? nil : plan.camera.stop.number,
                    tStop: plan.camera.stop.isTStop ? plan.camera.stop.number : nil,
                    encoders: Encoders(focus: p.normalizedEncoder(d))))
        }
        return encodeJSON(samples) + "\n"
    }
}
