import ArgumentParser
import Foundation
import RackFocusCharts
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan

/// `rackfocus plan`: will each rack read, what are the marks, how fast is each move.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Check a shot plan: focus marks, depth of field, whether each rack reads, and advice.",
        discussion: """
        Verdicts use the smaller blur at the two ends of a rack, in pixels of the delivery \
        resolution: reads ≥ 6 px per 1920 px of width, subtle 2-6 px, invisible below. With \
        --depth, subjects placed in the image (point, box, track) are read from the depth map at \
        every frame and reported; each rack then uses where its subjects stand at its cues.
        """)

    @Argument(help: "Shot plan (YAML or JSON).") var planFile: String
    @Flag(help: "Print JSON instead of text.") var json = false
    @Option(name: .customLong("svg"), help: "Also write a plot of focus distance over time to this SVG file.") var svgPath: String?
    @Flag(help: "Print the plan with its presets expanded into ordinary marks and racks, and stop.") var expand = false

    @OptionGroup var depthInput: DepthInput

    func run() throws {
        if expand {
            let source: String, plan: ShotPlan
            do {
                source = try ShotPlan.text(contentsOf: planFile)
                plan = try ShotPlan.parse(source, file: planFile == "-" ? "stdin" : planFile)
            } catch { throw CLIError(error.description) }
            for w in plan.warnings { warn(w.located(in: plan.file)) }
            guard let text = plan.expandedText(source: source) else {
                note("\(planFile) uses no presets; its focus entries are already ordinary marks and racks")
                print(source, terminator: source.hasSuffix("\n") ? "" : "\n")
                return
            }
            print(text, terminator: "")
            return
        }
        let (report, plan) = try report()
        if let svgPath { try OutputFile.write(FocusPlot.svg(plan: plan), to: svgPath) }
        print(json ? encodeJSON(report) : PlanText.render(report))
    }

    /// The report, and the plan it describes (with subjects from depth resolved at their cues).
    func report() throws -> (PlanReport, ShotPlan) {
        let loaded = try loadPlan(planFile, depth: depthInput.depth != nil)
        guard let depth = depthInput.depth else { return (PlanReport(plan: loaded), loaded) }
        let mapping = try depthInput.mapping(plan: loaded)
        let info = try media { () throws(MediaError) in try FFmpeg.probeClip(depth) }
        let frames = depthInput.depthStill ? loaded.frameCount : (info.frameCount ?? loaded.frameCount)
        let live = try depthInput.subjectDistances(plan: loaded, mapping: mapping, frames: frames, rate: loaded.fps)
        if live.isEmpty { note("no subject in \(planFile) is placed in the image (point, box or track) without a measured distance; nothing to read from \(depth)") }
        let plan = loaded.resolved { name, t in live.distance(name, frame: loaded.frame(at: t)) }
        var report = PlanReport(plan: plan)
        report.subjectsFromDepth = loaded.depthSubjects.compactMap { s in
            guard let series = live.frames[s.name] else { return nil }
            return PlanReport.DepthSubject(subject: s.name, position: Self.position(of: s), perFrameM: series)
        }
        return (report, plan)
    }
}

extension PlanCommand {
    static func position(of s: Subject) -> String {
        if let t = s.track { return "track of \(t.count) key\(t.count == 1 ? "" : "s")" }
        if let b = s.box { return String(format: "box %.2f, %.2f %.2f×%.2f", b.x, b.y, b.width, b.height) }
        if let p = s.point { return String(format: "point %.2f, %.2f", p.x, p.y) }
        return "-"
    }
}

/// Loads a plan, turning every problem into one line that names the file, line and key. Unless
/// the command has a depth map (`depth`), every subject focus lands on must have a distance.
func loadPlan(_ path: String, depth: Bool = false) throws(CLIError) -> ShotPlan {
    do {
        let plan = try ShotPlan.load(contentsOf: path)
        if !depth { try plan.requireMeasuredDistances() }
        return plan
    } catch { throw CLIError(error.description) }
}
