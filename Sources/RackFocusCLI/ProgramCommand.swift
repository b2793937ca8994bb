import ArgumentParser
import Foundation
import RackFocusOptics
import RackFocusPlan

/// `rackfocus program`: a shot plan as a follow-focus motor program.
struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program",
        abstract: "Write a plan's focus as a follow-focus motor program (CSV or JSON), and as OpenTrackIO lens samples.",
        discussion: """
        Samples the focus distance at the motor rate and maps it to the lens ring through the plan's \
        lensMap (monotone interpolation in dioptres) or the generic scale, with the encoder position \
        0 (infinity) ... 65535 (close focus). Moves the motor cannot follow are warned about with the \
        frame where the limit is first exceeded and the fastest duration that fits.
          rackfocus program shot.yaml --rate 100 -o pull.csv --opentrackio lens.json
        """)

    @Argument(help: "Shot plan (YAML or JSON).") var planFile: String
    @Option(help: "Motor samples per second.") var rate: Double = 100
    @Option(name: .shortAndLong, help: "Output: .csv (time_s, focus_m, ring_deg, encoder) or .json.") var output: String?
    @Option(help: "Also write one OpenTrackIO lens sample per video frame (JSON).") var opentrackio: String?
    @Option(help: "Motor's top ring speed, degrees per second.") var maxSpeed: Double = 360
    @Option(help: "Motor's ring acceleration, degrees per second squared.") var maxAccel: Double = 3600

    func validate() throws {
        guard rate.isFinite, rate >= 1, rate <= 10_000 else { throw ValidationError("--rate: \(rate) must be 1-10000 samples per second") }
        guard maxSpeed > 0, maxAccel > 0 else { throw ValidationError("--max-speed and --max-accel must be positive") }
        if output == nil && opentrackio == nil { throw ValidationError("give -o pull.csv|pull.json and/or --opentrackio lens.json") }
    }

    func run() throws {
        let plan = try loadPlan(planFile)
        let program = MotorProgram(plan: plan, rate: rate)
        if let output {
            let ext = (output as NSString).pathExtension.lowercased()
            switch ext {
            case "csv": try OutputFile.write(csv(program), to: output)
            case "json": try OutputFile.write(try json(program), to: output)
            default: throw CLIError("-o: \(output): write the program as .csv or .json")
            }
        }
        if let opentrackio { try OutputFile.write(try openTrackIO(plan, program), to: opentrackio) }
        for v in program.violations(MotorProgram.Limits(speed: maxSpeed, acceleration: maxAccel)) {
            warn(describe(v, plan: plan))
        }
        let scale: String
        if case .calibrated(let map) = plan.focusScale { scale = "lens map of \(map.points.count) marks" } else { scale = String(format: "generic scale, %.0f° throw", plan.focusScale.throwDegrees) }
        print("\(program.samples.count) samples at \(String(format: "%g", rate))/s over \(String(format: "%.3f", plan.duration)) s, \(scale)"
              + [output, opentrackio].compactMap { $0.map { " → \($0)" } }.joined())
    }

    func describe(_ v: MotorProgram.Violation, plan: ShotPlan) -> String {
        let at = "\(plan.timecode(at: v.time)) (frame \(v.frame))"
        let entry = "\(planFile): focus[\(v.entry)]"
        if !v.isSpeed && v.peak.isInfinite {
            return "\(entry): the \(v.easing.rawValue) curve \(v.easing.speed(0) > 0 ? "starts" : "stops") at full speed at \(at); no motor changes speed instantly: use curve: ease-in-out or landing"
        }
        let what = v.isSpeed ? String(format: "ring speed %.0f°/s exceeds the motor's %.0f°/s", v.peak, v.limit)
            : String(format: "ring acceleration %.0f°/s² exceeds the motor's %.0f°/s²", v.peak, v.limit)
        let fix = v.fastestDuration.map { String(format: "; this curve fits the motor from %.2f s (planned %.2f s): lengthen the move or raise the limit", $0, v.duration) } ?? ""
        return "\(entry): \(what) at \(at)\(fix)"
    }

    func csv(_ p: MotorProgram) -> String {
        var lines = ["time_s,focus_m,ring_deg,encoder"]
        lines.reserveCapacity(p.samples.count + 1)
        for s in p.samples {
            let m = s.focus.isInfinite ? "inf" : String(format: "%.4f", s.focus.meters)
            lines.append(String(format: "%.4f,%@,%.3f,%d", s.time, m, s.ringDegrees, s.encoder))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json(_ p: MotorProgram) throws -> String {
        struct Sample: Encodable { var t: Double; var focusMeters: Double?; var ringDegrees: Double; var encoder: Int }
        struct Program: Encodable {
            var plan: String; var rate: Double; var throwDegrees: Double; var encoderRange: [Int]; var samples: [Sample]
        }
        let program = Program(plan: planFile, rate: p.rate, throwDegrees: p.plan.focusScale.throwDegrees, encoderRange: [0, 65535],
                              samples: p.samples.map { Sample(t: $0.time, focusMeters: $0.focus.isInfinite ? nil : $0.focus.meters,
                                                             ringDegrees: $0.ringDegrees, encoder: $0.encoder) })
        return try encodeJSON(program)
    }

    /// One sample per video frame in the SMPTE RIS OpenTrackIO form: protocol, timing (sample rate
    /// and timecode) and lens (focus distance in metres, f-stop, focus encoder 0 = infinity ...
    /// 1 = closest). Focus at infinity has no focusDistance, only the encoder.
    func openTrackIO(_ plan: ShotPlan, _ p: MotorProgram) throws -> String {
        struct Rate: Encodable { var num: Int; var denom: Int }
        struct Format: Encodable { var frameRate: Rate; var dropFrame: Bool }
        struct TC: Encodable { var hours: Int; var minutes: Int; var seconds: Int; var frames: Int; var format: Format }
        struct Timing: Encodable { var mode = "internal"; var sampleRate: Rate; var timecode: TC }
        struct Encoders: Encodable { var focus: Double }
        struct Lens: Encodable { var focusDistance: Double?; var fStop: Double; var encoders: Encoders }
        struct ProtocolID: Encodable { var name = "OpenTrackIO"; var version = [1, 0, 0] }
        struct Sample: Encodable { var `protocol` = ProtocolID(); var timing: Timing; var lens: Lens }
        let rate = Rate(num: plan.fps.numerator, denom: plan.fps.denominator)
        let samples = (0...plan.frameCount).map { n -> Sample in
            let d = plan.curve.focus(frame: n, fps: plan.fps)
            let parts = plan.timecode(at: Double(n) / plan.fps.fps).split(whereSeparator: { $0 == ":" || $0 == ";" }).compactMap { Int($0) }
            let tc = TC(hours: parts[0], minutes: parts[1], seconds: parts[2], frames: parts[3], format: Format(frameRate: rate, dropFrame: plan.dropFrame))
            return Sample(timing: Timing(sampleRate: rate, timecode: tc),
                          lens: Lens(focusDistance: d.isInfinite ? nil : d.meters, fStop: plan.camera.stop.number,
                                     encoders: Encoders(focus: p.normalizedEncoder(d))))
        }
        return try encodeJSON(samples)
    }

    func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
