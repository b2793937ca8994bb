import ArgumentParser
import RackFocusImage
import RackFocusShot

/// The `rackfocus` command: plan, program and (in later releases) render and analyse rack focus.
package struct RackFocusCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "rackfocus",
        abstract: "Plan, program and check the cinematic rack focus.",
        discussion: """
            Start with `rackfocus demo`, then `rackfocus plan examples/dialogue-85mm.yaml`.
            Distances take units (1.8m, 180cm, 6ft, 12'6"); times are 1.5s, 36f or 00:00:04:12.
            """,
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, DofCommand.self, PlanCommand.self, MarksCommand.self, RenderCommand.self,
            AnalyzeCommand.self, TrackCommand.self, ProgramCommand.self, PromptCommand.self, DialogueCommand.self,
            StillCommand.self, ScoreCommand.self, BenchCommand.self,
        ]
    )

    package init() {}
}
