import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// The demo's media: the built-in scene rendered through its plan into a clip and a contact
/// sheet, with the sharp plate and its depth written beside them so `render` and `still` can be
/// tried on the demo's own inputs. Without ffmpeg the clip is a PFM sequence.
package struct DemoRender {
    package var plan: ShotPlan
    package var width: Int
    package var height: Int
    package var folder: String
    package var threads: Int

    package init(plan: ShotPlan, width: Int, height: Int, folder: String, threads: Int = defaultThreadCount) {
        self.plan = plan
        self.width = width
        self.height = height
        self.folder = folder
        self.threads = threads
    }

    package struct Result: Sendable {
        package var clip: String
        package var contactSheet: String
        /// The frames on the contact sheet.
        package var keyFrames: [Int]
        /// The sharp plate and its depth map (nil without ffmpeg).
        package var plate: (clip: String, depth: String)?
        package var summary: ShotRenderer.Summary
    }

    package func file(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    package func run(feedback: Feedback = .silent) throws -> Result {
        let haveFFmpeg = (try? FFmpeg.executable()) != nil
        let clip = haveFFmpeg ? file("rack.mp4") : file("frames/rack_%04d.pfm")
        if !haveFFmpeg {
            try? FileManager.default.createDirectory(atPath: file("frames"), withIntermediateDirectories: true)
        }
        let scene = DemoScene.make(width: width, height: height)
        let frames = plan.frameCount
        var plate: (clip: String, depth: String)?
        if haveFFmpeg {
            let writer = try FrameWriter(path: file("plate.mp4"), width: width, height: height, frameRate: plan.fps)
            do {
                for _ in 0..<frames { try writer.write(scene.image) }
                try writer.finish()
            } catch { writer.cancel(); throw error }
            // Depth as an RGB EXR (the same metres in each channel), as renderers write a Z pass.
            let depth3 = PlanarImage(
                width: width, height: height, channels: 3,
                data: scene.depth.data + scene.depth.data + scene.depth.data)
            try StillImage.write(depth3, to: file("depth.exr"))
            plate = (file("plate.mp4"), file("depth.exr"))
        }
        let keys = [0, plan.frame(at: 1.25), plan.frame(at: 1.75), frames - 1]
        var keyFrames: [PlanarImage] = []
        let writer = try FrameWriter(path: clip, width: width, height: height, frameRate: plan.fps)
        let summary = try ShotRenderer(plan: plan, threads: threads)
            .render(
                MemoryFrames([scene.image], repeatsLast: true), depth: FixedDepth(scene.depth), range: 0..<frames,
                rate: plan.fps,
                to: writer, feedback: feedback
            ) { n, frame in
                if keys.contains(n) { keyFrames.append(frame) }
            }
        let sheet = haveFFmpeg ? file("contact-sheet.png") : file("contact-sheet.pfm")
        let labels = keys.map { n in
            "\(plan.timecode(at: Double(n) / plan.fps.fps))  \(plan.curve.focus(frame: n, fps: plan.fps).formatted())"
        }
        try StillImage.write(ContactSheet.make(keyFrames, columns: 2, labels: labels), to: sheet)
        return Result(clip: clip, contactSheet: sheet, keyFrames: keys, plate: plate, summary: summary)
    }
}

/// Key frames side by side, in a grid, with a thin dark gutter; each panel's label (its
/// timecode and focus) burnt into its bottom-left corner.
package enum ContactSheet {
    package static func make(_ frames: [PlanarImage], columns: Int, labels: [String] = []) -> PlanarImage {
        guard let first = frames.first else { return PlanarImage(width: 1, height: 1, channels: 3) }
        let gutter = 4, w = first.width, h = first.height
        let rows = (frames.count + columns - 1) / columns
        var sheet = PlanarImage(
            width: columns * w + (columns + 1) * gutter, height: rows * h + (rows + 1) * gutter,
            channels: 3, fill: 0.02)
        for (i, f) in frames.enumerated() {
            let ox = gutter + (i % columns) * (w + gutter), oy = gutter + (i / columns) * (h + gutter)
            for c in 0..<3 { for y in 0..<h { for x in 0..<w { sheet[c, ox + x, oy + y] = f[c, x, y] } } }
            if i < labels.count {
                // Twice the font's pixels from 480 px across, so the label stays legible.
                let scale = w >= 480 ? 2 : 1
                let size = BitmapText.size(labels[i], scale: scale)
                BitmapText.draw(
                    labels[i], into: &sheet, x: ox + 4 * scale, y: oy + h - size.height - 4 * scale, scale: scale)
            }
        }
        return sheet
    }
}
