import ArgumentParser
import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusRender
import RackFocusShot

/// `rackfocus still`: one frame through the lens-blur engine.
struct StillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "still",
        abstract: "Blur one frame from its depth map as a real lens focused at a distance would.",
        discussion: """
            Colour: PNG/JPEG/TIFF (sRGB, decoded to linear light) or EXR/PFM (linear). Depth: metres as \
            EXR/PFM/float TIFF or an integer image with --depth-scale, or inverse or normalized (--depth-kind). Output: .png/.tif (16-bit \
            sRGB), .exr/.pfm (linear float). Example:
              rackfocus still --image frame.exr --depth depth.exr --focus 2.5m --focal 50mm --stop 1.8 --sensor fullframe -o out.png
            """)

    @Option(help: "The sharp frame.") var image: String
    @OptionGroup var depthOptions: DepthOptions
    @Option(help: "Focus distance: 2.5m, 8ft ...") var focus: String?
    @Option(help: "Focus on whatever is at this normalised image point x,y (0-1 from the top-left).") var focusAt:
        String?
    @OptionGroup var lens: LensOptions
    @Option(help: "Aperture blades (0 = circular).") var blades: Int = 0
    @Option(
        help:
            "Blade rotation in degrees, as in Blender/Cycles (0: a flat side faces right; positive: counter-clockwise)."
    )
    var bladeRotation: Double = 0
    @Option(help: "Blade curvature, 0 (straight) to 1 (round).") var bladeCurvature: Double = 0
    @Option(help: "Anamorphic squeeze (oval bokeh).") var squeeze: Double = 1
    @Option(
        help:
            "Cat's eye (optical vignetting), 0-0.9: the share of a corner disc's width, toward the centre, the lens barrel cuts away."
    )
    var catEye: Double = 0
    @Option(
        help:
            "Focus breathing coefficient (0 none, 1 thin lens); the frame is taken as framed at --breathing-reference.")
    var breathing: Double = 0
    @Option(help: "Distance the input frame is framed at, for breathing.") var breathingReference: String = "inf"
    @OptionGroup var renderOptions: RenderOptions
    @OptionGroup var exrOptions: EXROutputOptions
    @Option(name: .shortAndLong, help: "Output image (.png, .tif, .exr, .pfm).") var output: String

    func validate() throws {
        guard (focus == nil) != (focusAt == nil) else {
            throw ValidationError("give either --focus DISTANCE or --focus-at X,Y")
        }
        guard blades == 0 || (3...32).contains(blades) else {
            throw ValidationError("--blades: \(blades) must be 0 (circular) or 3-32")
        }
        guard (0...1).contains(bladeCurvature) else {
            throw ValidationError("--blade-curvature: \(bladeCurvature) must be 0-1")
        }
        guard squeeze >= 1, squeeze <= 3 else { throw ValidationError("--squeeze: \(squeeze) must be 1-3") }
        guard (0...0.9).contains(catEye) else {
            throw ValidationError(
                "--cat-eye: \(catEye) must be 0 (none) to 0.9 (a corner disc keeps a tenth of its width)")
        }
        guard breathing.isFinite, abs(breathing) <= 5 else {
            throw ValidationError("--breathing: \(breathing) is outside -5…5 (0 = none, 1 = thin-lens breathing)")
        }
    }

    func run() throws {
        guard ["png", "tif", "tiff", "exr", "pfm"].contains((output as NSString).pathExtension.lowercased()) else {
            throw CLIError("-o: cannot write \"\(output)\"; use .png, .tif, .exr or .pfm")
        }
        let given = try depthOptions.required(by: "still")
        try OutputPath.requireDistinct(
            output, from: [image, given.path, given.model?.path ?? ""].filter { !$0.isEmpty })
        var camera = try lens.camera(coc: nil, resolution: "hd")
        camera.aperture = ApertureShape(blades: blades, rotationDegrees: bladeRotation, curvature: bladeCurvature)
        camera.squeeze = squeeze
        camera.catEye = catEye
        camera.breathing = breathing
        let reference = try parseOption("--breathing-reference", breathingReference) { t throws(ValueError) in
            try Distance(parsing: t)
        }

        let color = try StillImage.readColor(image)
        let depthSettings = try DepthEstimation.resolve(
            given, input: image, output: output, threads: renderOptions.threadCount, feedback: Progress.terminal)
        let source = try DepthSource(depthSettings, feedback: Progress.terminal)
        let maps = try source.frames(mapping: try source.mapping(plan: nil), size: (color.width, color.height))
        defer { maps.close() }
        var depthMap = try maps.require()
        if let radius = source.refineRadius(frameWidth: color.width) {
            DepthRefinement.refineDepth(&depthMap, frame: color, radius: radius)
        }
        let focusDistance: Distance
        if let focus {
            focusDistance = try parseOption("--focus", focus) { t throws(ValueError) in try Distance(parsing: t) }
        } else {
            let p = focusAt!.split(separator: ",").compactMap { Double($0) }
            guard p.count == 2, (0...1).contains(p[0]), (0...1).contains(p[1]) else {
                throw CLIError("--focus-at: \"\(focusAt!)\" is not x,y in 0-1; write e.g. 0.5,0.4")
            }
            focusDistance = .meters(Double(DepthProbe.robustDepth(depthMap, x: p[0], y: p[1])))
        }
        guard focusDistance.meters > camera.focalLengthMM / 1000 else {
            throw CLIError("--focus: \(focusDistance) is inside the focal length; a lens cannot focus there")
        }
        let settings = LensBlurSettings(
            camera: camera, focus: focusDistance, quality: renderOptions.quality,
            highlights: renderOptions.highlights.boost(sceneReferred: StillImage.isSceneReferred(image)),
            breathingReference: breathing != 0 ? reference : nil, threads: renderOptions.threadCount)
        let result: PlanarImage
        do { result = try LensBlur.render(image: color, depth: depthMap, settings: settings) } catch {
            throw error.located(file: depthSettings.path, frame: nil)
        }
        try StillImage.write(result, to: output, exr: exrOptions.style(matchingInput: image))
        FileHandle.standardError.write(Data("focused at \(focusDistance) → \(output)\n".utf8))
    }
}
