import ArgumentParser
import Foundation
import RackFocusCharts
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusShot

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
    @Option(name: .customLong("svg"), help: "Also write a plot of focus distance over time to this SVG file.")
    var svgPath: String?
    @Flag(help: "Print the plan with its presets expanded into ordinary marks and racks, and stop.") var expand = false

    @OptionGroup var depthOptions: DepthOptions

    func run() throws {
        if expand {
            let source = try ShotPlan.text(contentsOf: planFile)
            let plan = try ShotPlan.parse(source, file: planFile == "-" ? "stdin" : planFile)
            for w in plan.warnings { warn(w.located(in: plan.file)) }
            guard let text = plan.expandedText(source: source) else {
                note("\(planFile) uses no presets; its focus entries are already ordinary marks and racks")
                print(source, terminator: source.hasSuffix("\n") ? "" : "\n")
                return
            }
            print(text, terminator: "")
            return
        }
        let resolved = try loadPlan(planFile, depth: try depthOptions.mapSettings(for: "plan"))
        let report = resolved.report
        if let svgPath {
            try OutputPath.requireDistinct(svgPath, from: [planFile, depthOptions.depth])
            try AtomicFile.write(FocusPlot.svg(plan: resolved.plan), to: svgPath)
        }
        print(json ? encodeJSON(report) : PlanText.render(report))
    }
}
