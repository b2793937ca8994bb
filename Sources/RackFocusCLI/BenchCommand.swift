import ArgumentParser
import Dispatch
import Foundation
import RackFocusDepthModel
import RackFocusImage
import RackFocusRender
import RackFocusShot

/// `rackfocus bench`: times the lens-blur engine on a built-in synthetic frame.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Time the fast renderer at 1920x1080 (max CoC 20, 40, 80 px), on one thread and all threads, and the oracle at a small size.",
        discussion: "Medians over --runs runs after one warm-up; run a release build (swift build -c release).")

    @Option(help: "Timed runs per case.") var runs: Int = 5
    @Option(help: "Frame width.") var width: Int = 1920
    @Option(help: "Frame height.") var height: Int = 1080
    @Option(help: "Max CoC diameters to test, comma-separated (px).") var coc: String = "20,40,80"
    @Option(help: "All-threads count (default: every core).") var threads: Int?
    @Flag(help: "Skip the oracle comparison.") var noReference = false
    @Flag(help: "Also print where the time goes (last run of each case).") var stages = false
    @Option(
        help:
            "Time this ONNX depth model instead (scripts/bench-depth-model.sh exports Depth Anything V2 Small with random weights): seconds per frame on 1 thread and all, with preparing the input and finishing the output apart."
    )
    var depthModel: String?

    func run() throws {
        guard runs >= 1, width >= 64, height >= 64 else {
            throw CLIError("bench: --runs must be ≥ 1 and the frame at least 64x64")
        }
        if let depthModel { return try benchDepthModel(depthModel) }
        let cocs = coc.split(separator: ",").compactMap { Double($0) }
        guard !cocs.isEmpty, cocs.allSatisfy({ $0 > 0 && $0 <= 400 }) else {
            throw CLIError("--coc: \"\(coc)\" must be diameters in px, e.g. 20,40,80")
        }
        let all = threads ?? defaultThreadCount
        #if DEBUG
            print("warning: this is a debug build; time a release build (swift build -c release) for real figures")
        #endif
        print(
            "RackFocus bench: fast renderer, \(width)x\(height), median of \(runs) runs (\(ProcessInfo.processInfo.activeProcessorCount) cores)"
        )
        var rows: [[String]] = []
        for c in cocs {
            let scene = BenchmarkScene.make(width: width, height: height, maxCoC: c)
            var single = 0.0
            for t in Array(Set([1, all])).sorted() {
                let renderer = LayeredRenderer(threads: t)
                let settings = LensBlurSettings(
                    camera: BenchmarkScene.camera, focus: BenchmarkScene.focus, quality: .final, threads: t)
                var timings = RenderTimings()
                let ms = try median(runs) {
                    timings = try LensBlur.renderTimed(
                        image: scene.image, depth: scene.depth, settings: settings, renderer: renderer
                    ).timings
                }
                if t == 1 { single = ms }
                let mp = Double(width * height) / 1e6 / (ms / 1000)
                if stages {
                    let parts = timings.stages
                    print(
                        "  \(Int(c)) px, \(t) thread(s): "
                            + parts.map { String(format: "%@ %.1f ms", $0.0 as NSString, $0.1) }.joined(separator: ", ")
                    )
                }
                rows.append([
                    "\(Int(c)) px", "\(t)", String(format: "%.1f", ms), String(format: "%.2f", mp),
                    String(format: "%.2fx", single / ms),
                ])
            }
        }
        print(table(["max CoC", "threads", "ms/frame", "MP/s", "vs 1 thread"], rows, indent: ""))
        guard !noReference else { return }
        let w = 240, h = 135, c = cocs.first! * Double(w) / Double(width) * 4
        let scene = BenchmarkScene.make(width: w, height: h, maxCoC: c)
        let fast = LensBlurSettings(
            camera: BenchmarkScene.camera, focus: BenchmarkScene.focus, quality: .final, threads: all)
        var reference = fast
        reference.quality = .reference
        let tf = try median(runs) { _ = try LensBlur.render(image: scene.image, depth: scene.depth, settings: fast) }
        let tr = try median(max(1, runs / 2)) {
            _ = try LensBlur.render(image: scene.image, depth: scene.depth, settings: reference)
        }
        let a = try LensBlur.render(image: scene.image, depth: scene.depth, settings: fast)
        let b = try LensBlur.render(image: scene.image, depth: scene.depth, settings: reference)
        print(
            String(
                format:
                    "oracle at %dx%d, max CoC %.0f px: %.1f ms vs fast %.2f ms (%.0fx); fast vs oracle %.1f dB PSNR",
                w, h, c, tr, tf, tr / tf, ImageQuality.psnr(a, b)))
    }

    /// Median wall time in ms of `n` runs after one warm-up run.
    func median(_ n: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<n {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        times.sort()
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }
}

extension BenchCommand {
    /// Seconds per frame of depth estimation on the benchmark frame: the network, and the work
    /// around it (input: resize, sRGB, normalise; output: resize to the frame, edge refinement).
    func benchDepthModel(_ path: String) throws {
        let scene = BenchmarkScene.make(width: width, height: height, maxCoC: 20)
        print(
            "RackFocus bench: depth model \((path as NSString).lastPathComponent), \(width)x\(height) frame, median of \(runs) runs"
        )
        var rows: [[String]] = []
        for t in Array(Set([1, threads ?? defaultThreadCount])).sorted() {
            let model = try DepthModel(path: path, threads: t)
            let estimator = DepthEstimator(model: model, threads: t)
            _ = try estimator.estimateTimed(scene.image)
            var runsTimed: [DepthEstimator.Timings] = []
            for _ in 0..<runs { runsTimed.append(try estimator.estimateTimed(scene.image).timings) }
            func med(_ f: (DepthEstimator.Timings) -> Double) -> Double {
                let v = runsTimed.map(f).sorted()
                return v[v.count / 2]
            }
            let net = med(\.network), around = med { $0.prepare + $0.finish }
            let size = model.inputSize(forFrameWidth: width, height: height)
            rows.append([
                "\(t)", "\(size.width)x\(size.height)", String(format: "%.2f", med(\.prepare)),
                String(format: "%.2f", net), String(format: "%.2f", med(\.finish)),
                String(format: "%.2f", med { $0.prepare + $0.network + $0.finish }),
                String(format: "%.0f%%", 100 * around / max(net, 1e-9)),
            ])
        }
        print(
            table(
                ["threads", "network input", "prepare s", "network s", "finish s", "s/frame", "around/network"], rows,
                indent: ""))
    }
}
