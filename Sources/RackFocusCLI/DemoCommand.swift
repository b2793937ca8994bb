import ArgumentParser
import Dispatch
import Foundation
import RackFocusCharts
import RackFocusImage
import RackFocusMedia
import RackFocusPlan
import RackFocusRender
import RackFocusShot

/// `rackfocus demo`: the main job on a built-in scene, no inputs needed.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Render a built-in foreground-to-background rack and write the clip, a contact sheet, the plan and its charts.",
        discussion: """
            Synthesises a scene with true depth (a textured ball at 1.5 m, a figure at 6 m, a receding \
            floor, lights on a wall at 30 m), plans a 1.5 s landing rack on an 85 mm at f/1.8 and renders \
            3.5 s at 24 fps. With ffmpeg: rack.mp4, contact-sheet.png, and the sharp plate.mp4 with its \
            depth.exr for trying `render`; without: a PFM sequence.
            """)

    @Option(name: .shortAndLong, help: "Folder for the demo's outputs (created if missing).") var output = "demo"
    @Option(help: "Frame size, WIDTHxHEIGHT.") var size = "640x360"
    @Option(help: "Worker threads (default: all cores).") var threads: Int?

    /// The built-in shot plan: the same text as examples/demo-rack.yaml (a test keeps them equal).
    static let planText = DemoPlan.yaml

    static func plan() throws -> ShotPlan { try ShotPlan.parse(planText, file: "demo plan") }

    func run() throws {
        let plan = try Self.plan()
        let dims = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard dims.count == 2, dims[0] >= 64, dims[1] >= 36, dims[0] <= 7680, dims[1] <= 4320 else {
            throw CLIError("--size: \"\(size)\" is not WIDTHxHEIGHT between 64x36 and 7680x4320")
        }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw CLIError(
                "\(output): cannot create the folder (\(error.localizedDescription)); choose another with -o")
        }
        let demo = DemoRender(
            plan: plan, width: dims[0], height: dims[1], folder: output, threads: threads ?? defaultThreadCount)
        try AtomicFile.write(Self.planText, to: demo.file("shot.yaml"))
        try AtomicFile.write(FocusPlot.svg(plan: plan), to: demo.file("plan.svg"))
        try AtomicFile.write(MarksChart.svg(plan: plan), to: demo.file("marks.svg"))
        print(PlanText.render(PlanReport(plan: plan)))
        let result = try demo.run(feedback: Progress.terminal)
        let s = result.summary
        print("")
        print(
            String(
                format: "Rendered %d frames of %dx%d in %.1f s (%.1f fps, encode included) → %@", s.frames.count,
                dims[0], dims[1],
                s.seconds, s.framesPerSecond, result.clip))
        print(
            "Contact sheet (frames \(result.keyFrames.map(String.init).joined(separator: ", "))): \(result.contactSheet)"
        )
        print("Plan and charts: \(demo.file("shot.yaml")), \(demo.file("plan.svg")), \(demo.file("marks.svg"))")
        if let plate = result.plate {
            print("The sharp plate and its depth (metres): \(plate.clip), \(plate.depth); try")
            print(
                "  rackfocus render \(demo.file("shot.yaml")) --input \(plate.clip) --depth \(plate.depth) --depth-still -o \(demo.file("again.mp4"))"
            )
        } else {
            print(
                "ffmpeg was not found, so the clip is a PFM sequence; install ffmpeg (apt-get install ffmpeg) for MP4 and PNG."
            )
        }
    }
}
