import Foundation
import RackFocusImage

/// A frame's depth from its colour alone: the network's output brought to the frame's size
/// (cubic, kept within the output's range) and pulled onto the frame's edges by a guided filter
/// (`GuidedFilter.refineInverseDepth`), in inverse depth.
public struct DepthEstimator: Sendable {
    public let model: DepthModel
    /// Guided refinement onto the frame's edges (on by default: the network's output is coarse).
    public var refine: Bool

    public init(model: DepthModel, refine: Bool = true) {
        self.model = model
        self.refine = refine
    }

    /// The depth of a linear-light RGB frame, at its size: relative inverse depth (bigger = nearer)
    /// for a relative model, metres for a metric one.
    public func estimate(_ frame: PlanarImage, frameNumber: Int? = nil) throws(DepthModelError) -> PlanarImage {
        let raw = try model.infer(frame, frameNumber: frameNumber)
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
        var lo = Float.infinity, hi = -Float.infinity
        for v in inverse.data { lo = min(lo, v); hi = max(hi, v) }
        if inverse.width != frame.width || inverse.height != frame.height {
            inverse = Resample.resize(inverse, width: frame.width, height: frame.height)
            for i in inverse.data.indices { inverse.data[i] = min(max(inverse.data[i], lo), hi) }
        }
        if refine {
            let scale = max(Double(frame.width) / Double(raw.width), Double(frame.height) / Double(raw.height))
            GuidedFilter.refineInverseDepth(&inverse.data, frame: frame, scale: scale)
        }
        if metric { for i in inverse.data.indices { inverse.data[i] = 1 / inverse.data[i] } }
        return inverse
    }
}
