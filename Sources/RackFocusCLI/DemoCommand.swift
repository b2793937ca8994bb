import ArgumentParser
import Foundation
import RackFocusCharts
import RackFocusPlan

/// `rackfocus demo`: the main job on a built-in shot, no inputs needed.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Plan a built-in dialogue rack and write its focus plot and mark chart.")

    @Option(name: .shortAndLong, help: "Folder for the demo's outputs (created if missing).") var output = "demo"

    func run() throws {
        let plan = try Self.plan()
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw CLIError("\(output): cannot create the folder (\(error.localizedDescription)); choose another with -o")
        }
        let plot = (output as NSString).appendingPathComponent("plan.svg")
        let marks = (output as NSString).appendingPathComponent("marks.svg")
        let planCopy = (output as NSString).appendingPathComponent("shot.yaml")
        try OutputFile.write(Self.planText, to: planCopy)
        try OutputFile.write(FocusPlot.svg(plan: plan), to: plot)
        try OutputFile.write(MarksChart.svg(plan: plan), to: marks)
        print(PlanText.render(PlanReport(plan: plan)))
        print("\nWrote \(planCopy), \(plot) and \(marks).")
    }

    /// The built-in shot plan: the same text as examples/dialogue-85mm.yaml (a test keeps them equal).
    static let planText = DemoPlan.yaml

    static func plan() throws(CLIError) -> ShotPlan {
        do { return try ShotPlan.parse(planText, file: "demo plan") } catch { throw CLIError(error.description) }
    }
}
