import ArgumentParser
import RackFocusCharts
import RackFocusPlan

/// `rackfocus plan`: will each rack read, what are the marks, how fast is each move.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Check a shot plan: focus marks, depth of field, whether each rack reads, and advice.",
        discussion: """
        Verdicts use the smaller blur at the two ends of a rack, in pixels of the delivery \
        resolution: reads ≥ 6 px per 1920 px of width, subtle 2-6 px, invisible below.
        """)

    @Argument(help: "Shot plan (YAML or JSON).") var planFile: String
    @Flag(help: "Print JSON instead of text.") var json = false
    @Option(name: .customLong("svg"), help: "Also write a plot of focus distance over time to this SVG file.") var svgPath: String?

    func run() throws {
        let plan = try loadPlan(planFile)
        let report = PlanReport(plan: plan)
        if let svgPath { try OutputFile.write(FocusPlot.svg(plan: plan), to: svgPath) }
        print(json ? encodeJSON(report) : PlanText.render(report))
    }
}

/// Loads a plan, turning every problem into one line that names the file, line and key.
func loadPlan(_ path: String) throws(CLIError) -> ShotPlan {
    do { return try ShotPlan.load(contentsOf: path) } catch { throw CLIError(error.description) }
}
