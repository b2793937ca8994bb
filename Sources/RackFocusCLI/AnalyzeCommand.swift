import ArgumentParser
import Foundation
import RackFocusAnalysis
import RackFocusCharts
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import RackFocusShot

/// `rackfocus analyze`: which region is sharp when, where each rack starts and lands, and how.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Measure, time and grade the racks in a clip.",
        discussion: """
            Follows the sharpness of regions frame by frame (luma in linear light; gradient energy over \
            variance, noise-compensated, unless --measure says otherwise), finds each rack (one region losing \
            sharpness while another gains it), where it starts and lands, and whether it overshot or \
            hunted. Regions: --region name=x,y,w,h (normalised 0-1, or pixels), the subjects of --plan \
            placed in the image, or a grid of tiles. With --plan, each rack is graded against its cue. \
            With --depth (any convention render reads), the focus distance of every frame is estimated \
            from where sharpness peaks across depth, and each rack gets its distances, direction, speed \
            profile and overshoot in metres.
              rackfocus analyze demo/rack.mp4 --plan demo/shot.yaml --svg rack.svg
            """)

    @Argument(help: "The clip or image sequence.") var clip: String
    @Option(
        name: .customLong("region"), help: "A region to follow: name=x,y,w,h (normalised 0-1 or pixels). Repeatable.")
    var regionSpecs: [String] = []
    @Option(
        help: "Shot plan: its subjects placed in the image become regions, and its racks are the cues to grade against."
    ) var plan: String?
    @Option(help: "Grid of tiles when no region is given, COLUMNSxROWS.") var grid: String = "4x3"
    @Option(help: "Focus measure: \(FocusMeasure.allCases.map(\.rawValue).joined(separator: ", ")).") var measure:
        FocusMeasure = .standard
    @OptionGroup var depthOptions: DepthOptions
    @Flag(help: "Print JSON with every per-frame figure and event instead of the table.") var json = false
    @Option(help: "Write the sharpness curves with starts, landings and faults marked as SVG.") var svg: String?
    @Option(
        help: "With --depth and --plan (for its lens): write a shot plan whose focus curve reproduces the clip's racks."
    ) var toPlan: String?
    @Option(
        help:
            "Write the clip with focus peaking (in-focus edges painted red over a dimmed grey picture), e.g. peaking.mp4."
    ) var peaking: String?
    @Option(help: "Peaking threshold: display-space edge steepness (0-0.5) to paint.") var peakingLevel: Float = 0.12

    func run() throws {
        var a = analysis
        if let depth = a.depth, depth.model != nil {
            // Estimates are cached beside what analyze writes, else beside the clip.
            let beside = [toPlan, svg].compactMap { $0 }.first { $0 != "-" } ?? clip
            a.depth = try DepthEstimation.resolve(
                depth, input: clip, output: beside, threads: defaultThreadCount, feedback: Progress.terminal)
        }
        print(try a.report())
    }

    var analysis: ClipAnalysis {
        var a = ClipAnalysis(clip: clip)
        a.regionSpecs = regionSpecs
        a.plan = plan
        a.grid = grid
        a.measure = measure
        a.depth = depthOptions.settings
        a.json = json
        a.svg = svg
        a.toPlan = toPlan
        a.peaking = peaking
        a.peakingLevel = peakingLevel
        a.feedback = Progress.terminal
        a.guardOutput = abandonOnCtrlC
        return a
    }
}

extension FocusMeasure: ExpressibleByArgument {}
