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
            StillCommand.self, DepthCommand.self, FarmCommand.self, StudioLauncher.self, ScoreCommand.self,
            BenchCommand.self,
        ]
    )

    package init() {}
}

extension RackFocusCommand {
    /// `--focus -3m` would be read as an unknown option `-3m` ("Missing value for '--focus'"): a
    /// long option followed by a value that starts with a minus and a digit gets it joined as
    /// `--focus=-3m`, so the value's own check says what is wrong with it.
    package static func joiningSignedValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a.hasPrefix("--"), !a.contains("="), i + 1 < arguments.count {
                let next = arguments[i + 1]
                if next.count > 1, next.hasPrefix("-"), next.dropFirst().first.map({ $0.isNumber || $0 == "." }) == true
                {
                    out.append("\(a)=\(next)")
                    i += 2
                    continue
                }
            }
            out.append(a)
            i += 1
        }
        return out
    }
}
