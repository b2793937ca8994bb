import RackFocusDepthModel
import RackFocusOptics
import RackFocusRender

/// How a depth map of another shape than the frame is fitted to it.
package enum DepthFit: String, Sendable, CaseIterable {
    /// Scaled to the frame's size on both axes, whatever the aspect ratios.
    case stretch
    /// Cut to the frame's aspect ratio about its centre, then scaled.
    case crop
}

/// Where a shot's depth comes from and what its values mean: the one description every command
/// that reads depth shares (the command line's depth options fill it in).
///
/// Conventions, decided once (docs/plan-format.md, "Depth maps"):
/// - `metric` values are metres (times `scale` for integer maps);
/// - `inverse` values are disparity, bigger = nearer; calibrated to plan subjects with a point
///   and a measured distance, else `near` and `far` are the distances of the map's largest and
///   smallest values (its exact extremes);
/// - `normalized` values run 0 = `near` to 1 = `far` (`nearIsWhite` flips them);
/// - a map of the frame's aspect ratio is scaled to the frame (nearest sample); another aspect
///   ratio is an error naming both sizes unless `fit` says how to fit it.
package struct DepthSettings: Sendable, Equatable {
    /// A clip or image sequence with one map per frame, or one map (`still`).
    package var path: String
    package var kind: DepthKind
    /// Metres per step of an integer metric map (0.001 for millimetres).
    package var scale: Double?
    /// The EXR channel holding depth (nil: `Z`, `depth.Z`, `depth.V`, ... as found).
    package var channel: String?
    package var near: Distance?
    package var far: Distance?
    package var nearIsWhite: Bool
    /// The first map serves every frame (a locked-off shot).
    package var still: Bool
    /// Per-frame alignment and temporal smoothing of flickering estimator depth.
    package var stabilize: Bool
    package var fit: DepthFit?
    /// Gaussian sigma, in frames, for distances read under subjects placed in the image.
    package var subjectSmoothing: Double
    /// Estimate depth from the colour frames with this network instead of reading `path`
    /// (`DepthEstimation.resolve` turns these settings into ones that read its estimates).
    package var model: DepthModelSettings?
    /// Pull the maps onto the frame's edges (`DepthRefinement.refineDepth`).
    package var refine: Bool = false
    /// The maps are a depth model's estimates (`DepthEstimation.resolve`), for messages.
    package var estimatedBy: String?

    package init(
        path: String, kind: DepthKind = .metric, scale: Double? = nil, channel: String? = nil, near: Distance? = nil,
        far: Distance? = nil,
        nearIsWhite: Bool = false, still: Bool = false, stabilize: Bool = false, fit: DepthFit? = nil,
        subjectSmoothing: Double = 2
    ) {
        self.path = path
        self.kind = kind
        self.scale = scale
        self.channel = channel
        self.near = near
        self.far = far
        self.nearIsWhite = nearIsWhite
        self.still = still
        self.stabilize = stabilize
        self.fit = fit
        self.subjectSmoothing = subjectSmoothing
    }
}

/// A depth network and what its output means.
package struct DepthModelSettings: Sendable, Equatable {
    package var path: String
    package var kind: DepthModelKind
    /// Refinement of the network's output onto the frame's edges.
    package var refine: Bool
    package init(path: String, kind: DepthModelKind = .relative, refine: Bool = true) {
        self.path = path
        self.kind = kind
        self.refine = refine
    }
}
