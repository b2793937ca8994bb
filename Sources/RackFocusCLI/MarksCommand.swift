import ArgumentParser
import Foundation
import RackFocusCharts
import RackFocusImage
import RackFocusMedia
import RackFocusPlan
import RackFocusShot

/// `rackfocus marks`: the plan's focus marks on the lens's focus scale, as a printable chart.
struct MarksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marks",
        abstract: "Focus marks and their ring positions, as a table and a printable SVG chart.",
        discussion: """
            Ring positions use the plan's camera.lensMap (distance → ring angle, monotone interpolation) \
            or, without one, a generic cine scale: linear in dioptres from infinity (0°) to close focus \
            over camera.ringThrow (default 300°).
            """)

    @Argument(help: "Shot plan (YAML or JSON).") var planFile: String
    @Option(name: .customLong("svg"), help: "Write the printable chart to this SVG file.") var svgPath: String?
    @OptionGroup var depthOptions: DepthOptions

    func run() throws {
        let plan = try loadPlan(planFile, depth: try depthOptions.mapSettings(for: "marks")).plan
        try OutputPath.requireDistinct(svgPath, from: [planFile, depthOptions.depth])
        print(Self.render(plan))
        if let svgPath { try AtomicFile.write(MarksChart.svg(plan: plan), to: svgPath) }
    }

    static func render(_ plan: ShotPlan) -> String {
        let entries = MarksChart.entries(plan: plan)
        return table(
            ["#", "mark", "distance", "ring", "first cue"],
            entries.enumerated().map { i, e in
                ["\(i + 1)", e.label, e.distance.formatted(), String(format: "%.0f°", e.ringDegrees), e.cue]
            }, indent: "")
    }
}
