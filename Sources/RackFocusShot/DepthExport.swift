import Foundation
import RackFocusDepthModel
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// `rackfocus depth`: one depth map per frame of a clip (or one for an image), estimated by a
/// depth network. Metres by default, calibrated as `render` calibrates estimated depth (plan
/// subjects with a point and a measured distance, or `near`/`far`) and steadied; or the network's
/// own output (`inverse`: relative inverse depth, refined onto the frame's edges).
package struct DepthExport {
    package var input: String
    package var model: DepthModelSettings
    /// An EXR or PFM file (one image in), or a sequence pattern such as `depth_%04d.exr`.
    package var output: String
    package var inverse = false
    package var plan: ShotPlan?
    package var planFile: String?
    package var near: Distance?
    package var far: Distance?
    package var stabilize = true
    package var threads = defaultThreadCount

    package init(input: String, model: DepthModelSettings, output: String) {
        self.input = input
        self.model = model
        self.output = output
    }

    /// Writes the maps; returns how many and the seconds the whole job took.
    package func run(feedback: Feedback = .silent) throws -> (frames: Int, seconds: Double) {
        let start = Date()
        let ext = (output as NSString).pathExtension.lowercased()
        guard ext == "exr" || ext == "pfm" else {
            throw ShotError(
                .options, file: output, "depth maps are written as float EXR or PFM; name the output depth_%04d.exr")
        }
        try OutputPath.requireDistinct(output, from: [input, model.path, planFile])
        let info = try FFmpeg.probeClip(input)
        let sequence = FFmpeg.isSequence(output)
        if !sequence, !StillImage.isSingleImage(input), (info.frameCount ?? 2) > 1 {
            throw ShotError(
                .options, file: output,
                "\(input) has \(info.frameCount.map(String.init) ?? "several") frames: name a sequence such as depth_%04d.exr (one map per frame)"
            )
        }
        var settings = DepthSettings(path: "", near: near, far: far, stabilize: stabilize && !inverse)
        settings.model = model
        var resolved = try DepthEstimation.resolve(
            settings, input: input, output: output, threads: threads, feedback: feedback)
        let raw = inverse || model.kind == .metric
        if raw {
            // The network's values as they are: inverse depth, or metres (held at 1 km beyond).
            resolved.kind = .metric
            if model.kind == .relative { resolved.estimatedBy = nil }
        }
        // One source: the calibration's first map is read once and served again as frame 0.
        let source = try DepthSource(resolved, feedback: feedback)
        let frames = source.info.frameCount ?? 1
        let mapping = raw ? DepthMapping.metric() : try source.mapping(plan: plan)
        let maps = try source.frames(mapping: mapping)
        defer { maps.close() }
        var style = EXRStyle()
        style.names = [inverse && model.kind == .relative ? "Y" : "Z"]
        for n in 0..<frames {
            let map = try maps.require()
            try StillImage.write(map, to: sequence ? String(format: output, n) : output, exr: style)
            feedback.progress("write", n + 1, frames)
        }
        feedback.progress("write", -1, nil)
        return (frames, Date().timeIntervalSince(start))
    }
}
