import ArgumentParser
import RackFocusDepthModel
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusRender
import RackFocusShot

extension DepthKind: ExpressibleByArgument {}
extension DepthFit: ExpressibleByArgument {}
extension DepthModelKind: ExpressibleByArgument {}

/// Distances typed with their unit (`1.8m`, `6ft`), for `transform:`.
func parseDistance(_ option: String) -> @Sendable (String) throws -> Distance {
    { text in
        do { return try Distance(parsing: text) } catch { throw ValidationError("\(option): \(error)") }
    }
}

/// The depth options every command that reads depth declares once: where depth comes from, what
/// its values mean, how to fit, calibrate and steady it.
package struct DepthOptions: ParsableArguments {
    @Option(help: "Depth: a clip or sequence with one map per frame, or one map (see --depth-kind).") var depth: String?
    @Option(
        help:
            "What depth values mean: metric (metres), inverse (disparity: bigger = nearer), normalized (0 = near, 1 = far)."
    )
    var depthKind: DepthKind = .metric
    @Option(help: "Metres per step of integer depth maps (0.001 for millimetres).") var depthScale: Double?
    @Option(
        help: "The EXR channel holding depth (default: Z, depth.Z, depth.V, depth.R, Y or R, whichever the file has).")
    var depthChannel: String?
    @Option(
        help:
            "Distance of the map's nearest value: its largest for inverse maps, 0 for normalized ones (1 with --near-is-white).",
        transform: parseDistance("--near"))
    var near: Distance?
    @Option(
        help: "Distance of the map's farthest value: its smallest for inverse maps, 1 for normalized ones.",
        transform: parseDistance("--far"))
    var far: Distance?
    @Flag(help: "Normalized maps: 1 is near, 0 is far (After Effects / Resolve style).") var nearIsWhite = false
    @Flag(help: "Use the first depth map for every frame (a locked-off shot).") var depthStill = false
    @Option(
        help:
            "Estimate depth from the colour frames with this ONNX depth model instead of --depth (docs/depth.md); estimates are cached beside the output."
    )
    var depthModel: String?
    @Option(help: "What the depth model outputs: relative (inverse depth, bigger = nearer) or metric (metres).")
    var depthModelKind: DepthModelKind = .relative
    @Option(
        help:
            "With --depth-model, for commands that read no footage (plan, marks, program, prompt): the colour clip to estimate from (estimates cached beside it)."
    )
    var depthFrom: String?
    @Flag(
        inversion: .prefixedNo,
        help:
            "Steady flickering per-frame depth (estimator output): robust per-frame scale/shift alignment and temporal smoothing. Default: on with --depth-model, off with --depth."
    )
    var stabilizeDepth: Bool?
    @Flag(
        inversion: .prefixedNo,
        help:
            "Pull soft depth edges onto the frame's edges (for coarse or soft maps). Default: on with --depth-model, off with --depth."
    )
    var refineDepth: Bool?
    @Option(
        help:
            "A depth map of another aspect ratio than the frame: stretch (scale both ways) or crop (cut to the frame's shape). Without it, that is an error."
    )
    var depthFit: DepthFit?
    @Option(help: "Smoothing of distances read for subjects placed in the image, in frames (Gaussian sigma; 0 = none).")
    var subjectSmoothing: Double = 2

    package init() {}

    package func validate() throws {
        if depthFrom != nil && depthModel == nil {
            throw ValidationError("--depth-from names the clip a --depth-model estimates from; give --depth-model too")
        }
        if depth != nil && depthModel != nil {
            throw ValidationError(
                "give either --depth (a depth map or clip) or --depth-model (a network to estimate it), not both")
        }
        if !subjectSmoothing.isFinite || subjectSmoothing < 0 || subjectSmoothing > 50 {
            throw ValidationError("--subject-smoothing: \(subjectSmoothing) must be 0-50 frames")
        }
        if let s = depthScale, !(s.isFinite && s > 0) {
            throw ValidationError("--depth-scale: \(s) must be a positive number of metres per step")
        }
        if let n = near, let f = far, !(n.meters > 0 && f.meters > n.meters) {
            throw ValidationError("--near/--far: near (\(n)) must be positive and nearer than far (\(f))")
        }
    }

    /// The settings, when --depth or --depth-model is given.
    var settings: DepthSettings? {
        guard depth != nil || depthModel != nil else { return nil }
        let estimated = depthModel != nil
        var settings = DepthSettings(
            path: depth ?? "", kind: depthKind, scale: depthScale, channel: depthChannel, near: near, far: far,
            nearIsWhite: nearIsWhite,
            still: depthStill,
            stabilize: stabilizeDepth ?? estimated, fit: depthFit, subjectSmoothing: subjectSmoothing)
        settings.model = depthModel.map {
            DepthModelSettings(path: $0, kind: depthModelKind, refine: refineDepth ?? true)
        }
        settings.refine = !estimated && refineDepth == true
        return settings
    }

    /// The settings of a command that cannot work without depth.
    package func required(by command: String) throws -> DepthSettings {
        guard let settings else {
            throw CLIError(
                "\(command) needs --depth (a depth clip, sequence or map for the input) or --depth-model (an ONNX network that estimates it)"
            )
        }
        return settings
    }

    /// The settings of a command that reads depth maps but no colour frames (`plan`, `marks`,
    /// `program`, `prompt`): a depth model estimates from the clip `--depth-from` names, its
    /// estimates cached beside that clip.
    func mapSettings(for command: String) throws -> DepthSettings? {
        guard let settings, let model = depthModel else { return settings }
        guard let clip = depthFrom else {
            throw CLIError(
                "\(command) reads no footage: give the clip --depth-model estimates from with --depth-from CLIP, or run `rackfocus depth CLIP --model \(model) -o depth_%04d.exr` once and pass --depth depth_%04d.exr"
            )
        }
        return try DepthEstimation.resolve(
            settings, input: clip, output: clip, threads: defaultThreadCount, feedback: Progress.terminal)
    }
}

/// `--quality preview|final|reference`, `--threads N` and `--highlights`, for every command that renders.
package struct RenderOptions: ParsableArguments {
    @Option(
        help:
            "Highlight recovery before blurring: off, or THRESHOLD:GAIN (e.g. 0.85:15). Default: 0.85:15 for display-referred input (video, PNG, JPEG, TIFF), none for EXR and PFM."
    )
    package var highlights: Highlights = .automatic
    @Option(help: "preview (half resolution), final, or reference (the exact oracle: slow).") package var quality:
        RenderQuality = .final
    @Option(help: "Worker threads (default: all cores).") var threads: Int?

    package init() {}

    package func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads: \(t) must be at least 1") }
    }

    package var threadCount: Int { threads ?? defaultThreadCount }
}

extension RenderQuality: ExpressibleByArgument {}

/// How EXR outputs are written, for every command that writes frames (`render`, `still`).
/// Without these, an EXR output keeps an EXR input's compression and type, else float ZIP.
struct EXROutputOptions: ParsableArguments {
    @Option(
        help:
            "EXR output compression: none, rle, zips, zip, piz, pxr24, b44, b44a (default: the input EXR's, else zip).")
    var exrCompression: EXRCompression?
    @Option(help: "EXR output values: half or float (default: the input EXR's, else float).") var exrType: EXRValueType?

    func validate() throws {
        if let c = exrCompression, c.isDWA {
            throw ValidationError(
                "--exr-compression: \(c.rawValue) cannot be written (OpenEXR 3.1's C library has no DWA encoder); use piz or zip"
            )
        }
    }

    /// The style for an output whose input is `input`.
    func style(matchingInput input: String) -> EXRStyle {
        var style = EXRStyle(matchingInput: input)
        if let exrCompression { style.compression = exrCompression }
        if let exrType { style.half = exrType == .half }
        return style
    }
}

/// Half or full 32-bit floats.
enum EXRValueType: String, ExpressibleByArgument, CaseIterable { case half, float }

extension EXRCompression: ExpressibleByArgument {}

extension Highlights: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    public var defaultValueDescription: String { "automatic" }
}
