import ArgumentParser
import RackFocusImage
import RackFocusPlan
import RackFocusShot

/// `rackfocus prompt`: a plan's racks as a text prompt for AI video models.
struct PromptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "Describe a plan's racks as a text prompt for AI video models.",
        discussion: """
            Who starts sharp and who soft, their depth relation, when the focus shifts and how fast, the \
            lens and stop, in the words video models are prompted with. The words come from the plan's \
            numbers (blur in delivery pixels, durations, curves). --style short gives one line per rack.
              rackfocus prompt examples/demo-rack.yaml --style detailed
            """)

    @Argument(help: "Shot plan (YAML or JSON).") var planFile: String
    @Option(help: "short (one line per rack) or detailed (a paragraph).") var style: RackPrompt.Style = .detailed
    @OptionGroup var depthOptions: DepthOptions

    func run() throws {
        print(
            RackPrompt.text(
                for: try loadPlan(planFile, depth: try depthOptions.mapSettings(for: "prompt")).plan, style: style))
    }
}

extension RackPrompt.Style: ExpressibleByArgument {}
