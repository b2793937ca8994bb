import Foundation
import RackFocusImage

/// A frame's depth from its colour alone: the network's output brought to the frame's size
/// (bilinear) and pulled onto the frame's edges
/// (`DepthRefinement.refineInverseDepth`), in inverse depth.
public struct DepthEstimator: Sendable {
    public let model: DepthModel
    /// Refinement onto the frame's edges (on by default: the network's output is coarse).
    public var refine: Bool
    /// Threads for the work around the network (the network's own are the model's).
    public var threads: Int

    public init(model: DepthModel, refine: Bool = true, threads: Int = defaultThreadCount) {
        self.model = model
        self.refine = refine
        self.threads = threads
    }

    /// The depth of a linear-light RGB frame, at its size: relative inverse depth (bigger = nearer)
    /// for a relative model, metres for a metric one.
    public func estimate(_ frame: PlanarImage, frameNumber: Int? = nil) throws(DepthModelError) -> PlanarImage {
        try estimateTimed(frame, frameNumber: frameNumber).depth
    }

    /// Seconds spent preparing the input, in the network, and bringing its output to the frame.
    public struct Timings: Sendable {
        public var prepare = 0.0, network = 0.0, finish = 0.0
    }

    /// `estimate`, with where the time went.
    public func estimateTimed(_ frame: PlanarImage, frameNumber: Int? = nil) throws(DepthModelError) -> (
        depth: PlanarImage, timings: Timings
    ) {
        var timings = Timings()
        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }
        let size = model.inputSize(forFrameWidth: frame.width, height: frame.height)
        var input = DepthModel.input(for: frame, size: size)
        timings.prepare = lap()
        let raw = try model.run(&input, width: size.width, height: size.height, frame: frameNumber)
        timings.network = lap()
        let depth = try finish(raw, frame: frame, frameNumber: frameNumber)
        timings.finish = lap()
        return (depth, timings)
    }

    /// The network's output `raw` brought to `frame`'s size and refined.
    func finish(_ raw: PlanarImage, frame: PlanarImage, frameNumber: Int?) throws(DepthModelError) -> PlanarImage {
        guard raw.data.allSatisfy(\.isFinite) else {
            throw .run(file: model.path, frame: frameNumber, "the model's output holds NaN or infinite values")
        }
        let metric = model.kind == .metric
        if metric, let bad = raw.data.first(where: { $0 <= 0 }) {
            throw .run(
                file: model.path, frame: frameNumber,
                "a metric model gave \(bad) m; if its output is inverse depth, use --depth-model-kind relative")
        }
        var inverse = PlanarImage(
            width: raw.width, height: raw.height, channels: 1, data: metric ? raw.data.map { 1 / $0 } : raw.data)
        if inverse.width != frame.width || inverse.height != frame.height {
            // Bilinear: stays within the output's range, and the refinement sharpens what it softens.
            inverse = PlanarImage(
                width: frame.width, height: frame.height, channels: 1,
                data: DepthRefinement.bilinear(
                    inverse.data, width: inverse.width, height: inverse.height, to: frame.width, frame.height,
                    threads: threads))
        }
        if refine {
            let scale = max(Double(frame.width) / Double(raw.width), Double(frame.height) / Double(raw.height))
            DepthRefinement.refineInverseDepth(
                &inverse.data, frame: frame, radius: DepthRefinement.refineRadius(scale: scale), threads: threads)
        }
        if metric { for i in inverse.data.indices { inverse.data[i] = 1 / inverse.data[i] } }
        return inverse
    }
}
