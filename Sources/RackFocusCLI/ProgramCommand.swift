import ArgumentParser
import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusShot

/// `rackfocus program`: a shot plan as a follow-focus motor program.
struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program",
        abstract:
            "Write a plan's focus as a follow-focus motor program (CSV or JSON), and as OpenTrackIO lens samples.",
        discussion: """
            Samples the focus distance at the motor rate and maps it to the lens ring through the plan's \
            lensMap (monotone interpolation in dioptres) or the generic scale, with the encoder position \
            0 (infinity) ... 65535 (close focus). Moves the motor cannot follow are warned about with the \
            frame where the limit is first exceeded and the fastest duration that fits.
              rackfocus program shot.yaml --rate 100 -o pull.csv --opentrackio lens.json
            """)

    @Argument(help: "Shot plan (YAML or JSON).") var planFile: String
    @OptionGroup var depthOptions: DepthOptions
    @Option(help: "Motor samples per second.") var rate: Double = 100
    @Option(name: .shortAndLong, help: "Output: .csv (time_s, focus_m, ring_deg, encoder) or .json.") var output:
        String?
    @Option(help: "Also write one OpenTrackIO lens sample per video frame (JSON).") var opentrackio: String?
    @Option(help: "Motor's top ring speed, degrees per second.") var maxSpeed: Double = 360
    @Option(help: "Motor's ring acceleration, degrees per second squared.") var maxAccel: Double = 3600

    func validate() throws {
        guard rate.isFinite, rate >= 1, rate <= 10_000 else {
            throw ValidationError("--rate: \(rate) must be 1-10000 samples per second")
        }
        guard maxSpeed > 0, maxAccel > 0 else { throw ValidationError("--max-speed and --max-accel must be positive") }
        if output == nil && opentrackio == nil {
            throw ValidationError("give -o pull.csv|pull.json and/or --opentrackio lens.json")
        }
        if let output, !["csv", "json"].contains((output as NSString).pathExtension.lowercased()) {
            throw ValidationError("-o: \(output): write the program as .csv or .json")
        }
        if let opentrackio, (opentrackio as NSString).pathExtension.lowercased() != "json" {
            throw ValidationError("--opentrackio: \(opentrackio): OpenTrackIO is JSON; name the file .json")
        }
    }

    func run() throws {
        let plan = try loadPlan(planFile, depth: try depthOptions.mapSettings(for: "program")).plan
        try OutputPath.requireDistinct(output, from: [planFile, depthOptions.depth])
        try OutputPath.requireDistinct(opentrackio, from: [planFile, depthOptions.depth, output])
        let program = MotorProgram(plan: plan, rate: rate)
        if let output {
            let ext = (output as NSString).pathExtension.lowercased()
            switch ext {
            case "csv": try AtomicFile.write(program.csv, to: output)
            case "json": try AtomicFile.write(program.json(planFile: planFile), to: output)
            default: throw CLIError("-o: \(output): write the program as .csv or .json")
            }
        }
        if let opentrackio { try AtomicFile.write(program.openTrackIO, to: opentrackio) }
        for v in program.violations(MotorProgram.Limits(speed: maxSpeed, acceleration: maxAccel)) {
            warn(describe(v, plan: plan))
        }
        let scale: String
        if case .calibrated(let map) = plan.focusScale {
            scale = "lens map of \(map.points.count) marks"
        } else {
            scale = String(format: "generic scale, %.0f° throw", plan.focusScale.throwDegrees)
        }
        print(
            "\(program.samples.count) samples at \(String(format: "%g", rate))/s over \(String(format: "%.3f", plan.duration)) s, \(scale)"
                + [output, opentrackio].compactMap { $0.map { " → \($0)" } }.joined())
    }

    func describe(_ v: MotorProgram.Violation, plan: ShotPlan) -> String {
        let at = "\(plan.timecode(at: v.time)) (frame \(v.frame))"
        let entry = "\(planFile): focus[\(v.entry)]"
        if !v.isSpeed && v.peak.isInfinite {
            return
                "\(entry): the \(v.easing.rawValue) curve \(v.easing.speed(0) > 0 ? "starts" : "stops") at full speed at \(at); no motor changes speed instantly: use curve: ease-in-out or landing"
        }
        let what =
            v.isSpeed
            ? String(format: "ring speed %.0f°/s exceeds the motor's %.0f°/s", v.peak, v.limit)
            : String(format: "ring acceleration %.0f°/s² exceeds the motor's %.0f°/s²", v.peak, v.limit)
        let fix =
            v.fastestDuration.map {
                String(
                    format:
                        "; this curve fits the motor from %.2f s (planned %.2f s): lengthen the move or raise the limit",
                    $0, v.duration)
            } ?? ""
        return "\(entry): \(what) at \(at)\(fix)"
    }
}
