import ArgumentParser
import Foundation
import RackFocusDepthModel
import RackFocusImage
import RackFocusOptics
import RackFocusPlan
import RackFocusShot

/// `rackfocus depth`: depth maps from colour alone, through a depth network.
struct DepthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth",
        abstract: "Estimate one depth map per frame from the colour alone, with an ONNX depth model.",
        discussion: """
            The model follows RackFocus's contract (docs/depth.md): Depth Anything V2 exported to ONNX, or any \
            network with its input and output. ONNX Runtime is loaded at run time: scripts/install-onnxruntime.sh \
            installs it (RACKFOCUS_ONNXRUNTIME points elsewhere). Relative models are calibrated to metres by \
            plan subjects with a point and a measured distance, or --near and --far; --inverse writes the \
            network's output as it is. Estimates are cached beside the output.
              rackfocus depth clip.mp4 --model depth_anything_v2_vits.onnx --near 1m --far 12m -o depth_%04d.exr
            """)

    @Argument(help: "The clip, image sequence or image.") var input: String
    @Option(help: "The ONNX depth model.") var model: String
    @Option(help: "What the model outputs: relative (inverse depth, bigger = nearer) or metric (metres).")
    var modelKind: DepthModelKind = .relative
    @Option(name: .shortAndLong, help: "Output: an EXR/PFM sequence (depth_%04d.exr), or one file for one image.")
    var output: String
    @Flag(help: "Write the network's relative inverse depth as it is (no calibration, no smoothing).") var inverse =
        false
    @Option(help: "A shot plan whose subjects (a point and a measured distance) calibrate the depth.") var plan: String?
    @Option(
        help: "Distance of the nearest thing in frame (with --far: calibrates relative depth).",
        transform: parseDistance("--near"))
    var near: Distance?
    @Option(help: "Distance of the farthest thing in frame.", transform: parseDistance("--far")) var far: Distance?
    @Flag(inversion: .prefixedNo, help: "Per-frame alignment and temporal smoothing, so renders do not flicker.")
    var stabilize = true
    @Flag(inversion: .prefixedNo, help: "Pull the network's coarse output onto the frame's edges.")
    var refine = true
    @Option(help: "Worker threads (default: all cores).") var threads: Int?

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads: \(t) must be at least 1") }
        if (near == nil) != (far == nil) { throw ValidationError("--near and --far go together") }
        if let n = near, let f = far, !(n.meters > 0 && f.meters > n.meters) {
            throw ValidationError("--near/--far: near (\(n)) must be positive and nearer than far (\(f))")
        }
    }

    func run() throws {
        var job = DepthExport(
            input: input, model: DepthModelSettings(path: model, kind: modelKind, refine: refine), output: output)
        job.inverse = inverse
        job.planFile = plan
        job.plan = try plan.map { try ShotPlan.load(contentsOf: $0) }
        job.near = near
        job.far = far
        job.stabilize = stabilize
        job.threads = threads ?? defaultThreadCount
        let (frames, seconds) = try job.run(feedback: Progress.terminal)
        let what = inverse && modelKind == .relative ? "relative inverse depth" : "depth in metres"
        FileHandle.standardError.write(
            Data(
                "wrote \(frames) map\(frames == 1 ? "" : "s") of \(what) → \(output) (\(String(format: "%.1f", seconds)) s)\n"
                    .utf8))
    }
}
