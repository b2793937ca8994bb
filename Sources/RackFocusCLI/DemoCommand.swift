import ArgumentParser
import Dispatch
import Foundation
import RackFocusCharts
import RackFocusMedia
import RackFocusPlan
import RackFocusRender

/// `rackfocus demo`: the main job on a built-in scene, no inputs needed.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Render a built-in foreground-to-background rack and write the clip, a contact sheet, the plan and its charts.",
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

    static func plan() throws(CLIError) -> ShotPlan {
        do { return try ShotPlan.parse(planText, file: "demo plan") } catch { throw CLIError(error.description) }
    }

    func run() throws {
        let plan = try Self.plan()
        let dims = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard dims.count == 2, dims[0] >= 64, dims[1] >= 36, dims[0] <= 7680, dims[1] <= 4320 else {
            throw CLIError("--size: \"\(size)\" is not WIDTHxHEIGHT between 64x36 and 7680x4320")
        }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw CLIError("\(output): cannot create the folder (\(error.localizedDescription)); choose another with -o")
        }
        func file(_ name: String) -> String { (output as NSString).appendingPathComponent(name) }
        try OutputFile.write(Self.planText, to: file("shot.yaml"))
        try OutputFile.write(FocusPlot.svg(plan: plan), to: file("plan.svg"))
        try OutputFile.write(MarksChart.svg(plan: plan), to: file("marks.svg"))
        print(PlanText.render(PlanReport(plan: plan)))

        let haveFFmpeg = (try? FFmpeg.executable()) != nil
        let clip = haveFFmpeg ? file("rack.mp4") : file("frames/rack_%04d.pfm")
        if !haveFFmpeg {
            try? FileManager.default.createDirectory(atPath: file("frames"), withIntermediateDirectories: true)
        }
        let scene = DemoScene.make(width: dims[0], height: dims[1])
        let frames = plan.frameCount
        // The sharp plate and its depth, so `render` and `still` can be tried on the demo's own inputs.
        if haveFFmpeg {
            let plate = try media { () throws(MediaError) in try FrameWriter(path: file("plate.mp4"), width: dims[0], height: dims[1], frameRate: plan.fps) }
            do {
                for _ in 0..<frames { try media { () throws(MediaError) in try plate.write(scene.image) } }
                try media { () throws(MediaError) in try plate.finish() }
            } catch { plate.cancel(); throw error }
            var depth3 = PlanarImage(width: dims[0], height: dims[1], channels: 3)
            for c in 0..<3 { for i in 0..<scene.depth.pixelCount { depth3.data[c * scene.depth.pixelCount + i] = scene.depth.data[i] } }
            try media { () throws(MediaError) in try StillImage.write(depth3, to: file("depth.exr")) }
        }
        let keys = [0, plan.frame(at: 1.25), plan.frame(at: 1.75), frames - 1]
        var keyFrames: [PlanarImage] = []
        let writer = try media { () throws(MediaError) in try FrameWriter(path: clip, width: dims[0], height: dims[1], frameRate: plan.fps) }
        let renderer = LayeredRenderer(threads: threads ?? defaultThreadCount)
        let progress = Progress(total: frames, label: "demo")
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            for n in 0..<frames {
                let settings = LensBlurSettings(camera: plan.camera, focus: plan.curve.focus(frame: n, fps: plan.fps),
                                                threads: threads ?? defaultThreadCount)
                let frame = try LensBlur.render(image: scene.image, depth: scene.depth, settings: settings, renderer: renderer)
                try media { () throws(MediaError) in try writer.write(frame) }
                if keys.contains(n) { keyFrames.append(frame) }
                progress.update(n + 1)
            }
            try media { () throws(MediaError) in try writer.finish() }
        } catch {
            writer.cancel()
            throw error
        }
        progress.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let sheet = ContactSheet.make(keyFrames, columns: 2)
        let sheetPath = haveFFmpeg ? file("contact-sheet.png") : file("contact-sheet.pfm")
        try media { () throws(MediaError) in try StillImage.write(sheet, to: sheetPath) }
        print("")
        print(String(format: "Rendered %d frames of %dx%d in %.1f s (%.1f fps, encode included) → %@", frames, dims[0], dims[1],
                     seconds, Double(frames) / seconds, clip))
        print("Contact sheet (frames \(keys.map(String.init).joined(separator: ", "))): \(sheetPath)")
        print("Plan and charts: \(file("shot.yaml")), \(file("plan.svg")), \(file("marks.svg"))")
        if haveFFmpeg {
            print("The sharp plate and its depth (metres): \(file("plate.mp4")), \(file("depth.exr")); try")
            print("  rackfocus render \(file("shot.yaml")) --input \(file("plate.mp4")) --depth \(file("depth.exr")) --depth-still -o \(file("again.mp4"))")
        }
        if !haveFFmpeg {
            print("ffmpeg was not found, so the clip is a PFM sequence; install ffmpeg (apt-get install ffmpeg) for MP4 and PNG.")
        }
    }
}

/// Key frames side by side, in a grid, with a thin dark gutter.
enum ContactSheet {
    static func make(_ frames: [PlanarImage], columns: Int) -> PlanarImage {
        guard let first = frames.first else { return PlanarImage(width: 1, height: 1, channels: 3) }
        let gutter = 4, w = first.width, h = first.height
        let rows = (frames.count + columns - 1) / columns
        var sheet = PlanarImage(width: columns * w + (columns + 1) * gutter, height: rows * h + (rows + 1) * gutter,
                                channels: 3, fill: 0.02)
        for (i, f) in frames.enumerated() {
            let ox = gutter + (i % columns) * (w + gutter), oy = gutter + (i / columns) * (h + gutter)
            for c in 0..<3 { for y in 0..<h { for x in 0..<w { sheet[c, ox + x, oy + y] = f[c, x, y] } } }
        }
        return sheet
    }
}
