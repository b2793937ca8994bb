import Foundation
import RackFocusImage
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// Chooses the mapping from depth-map values to metres, and says when the values look like
/// another kind of map than the one given.
struct DepthCalibration {
    let settings: DepthSettings
    let feedback: Feedback

    /// A subject whose misfit exceeds this fraction of its measured distance gets a warning.
    static let misfitLimit = 0.2

    func mapping(plan: ShotPlan?, firstMap: () throws -> PlanarImage) throws -> DepthMapping {
        let kind = settings.kind, near = settings.near, far = settings.far
        if let n = near, let f = far, !(n.meters > 0 && f.meters > n.meters) {
            throw ShotError(.depthOptions, "--near/--far: near (\(n)) must be positive and nearer than far (\(f))")
        }
        let anchors = (plan?.subjects ?? []).compactMap { s -> (name: String, at: ImagePoint, d: Double)? in
            guard let d = s.distance, !d.isInfinite, let r = s.region(at: 0) else { return nil }
            return (s.name, r.centre, d.meters)
        }
        let needed = kind == .metric ? 2 : 1
        if anchors.count >= needed && !(kind == .normalized && near != nil && far != nil) {
            let map = try firstMap()
            let values = anchors.map { DepthProbe.medianValue(map, x: $0.at.x, y: $0.at.y) }
            if let fit = DepthMapping.calibrated(kind: kind, values: values, distances: anchors.map(\.d)) {
                let residuals = zip(anchors, values).map { a, v in
                    String(format: "%@ %.2f m (measured %.2f m)", a.name as NSString, Double(fit.metres(v)), a.d)
                }
                feedback.note(
                    "depth calibrated from \(anchors.count) subject(s): \(fit); \(residuals.joined(separator: ", "))")
                check(fit, names: anchors.map(\.name), values: values, distances: anchors.map(\.d))
                return fit
            }
        }
        switch kind {
        case .metric:
            checkMetres(try firstMap())
            return .metric()
        case .normalized:
            guard let n = near, let f = far else {
                throw ShotError(
                    .depthOptions,
                    "--depth-kind normalized needs --near and --far (the distances of 0 and 1), or plan subjects with a point and a distance"
                )
            }
            return .normalized(near: n.meters, far: f.meters, nearIsWhite: settings.nearIsWhite)
        case .inverse:
            if let model = settings.estimatedBy, near == nil || far == nil {
                throw ShotError(
                    .depthOptions, file: model,
                    "gives relative depth, which needs calibrating to metres: give --near and --far (the distances of the nearest and farthest things in frame), or plan subjects with a point and a measured distance; a model that outputs metres takes --depth-model-kind metric"
                )
            }
            guard let n = near, let f = far else {
                throw ShotError(
                    .depthOptions,
                    "--depth-kind inverse needs plan subjects with a point and a measured distance to calibrate it, or --near and --far"
                )
            }
            return .inverse(spanning: try firstMap().data, near: n.meters, far: f.meters)
        }
    }

    /// Warnings for a calibration that contradicts the kind given: a slope of the wrong sign, or
    /// subjects it misses by more than `misfitLimit`.
    func check(_ fit: DepthMapping, names: [String], values: [Float], distances: [Double]) {
        let file = settings.estimatedBy ?? settings.path
        if fit.scale < 0 {
            if let model = settings.estimatedBy {
                feedback.warn(
                    "\(model): calibrated to the plan's subjects, bigger outputs come out farther (\(fit)): if the model outputs metres, pass --depth-model-kind metric; otherwise a subject's point may be off the subject"
                )
            } else if fit.kind == .inverse {
                feedback.warn(
                    "\(file): calibrated as inverse depth, bigger values come out farther (\(fit)), as in a map of metres; if it is one, pass --depth-kind metric (or normalized with --near/--far)"
                )
            } else {
                feedback.warn(
                    "\(file): calibrated as \(fit.kind.rawValue) depth, bigger values come out nearer (\(fit)), as in disparity; if it is inverse depth, pass --depth-kind inverse"
                )
            }
        }
        for (name, (v, d)) in zip(names, zip(values, distances)) {
            let m = Double(fit.metres(v))
            let off = m.isFinite && m > 0 ? abs(m - d) / d : .infinity
            guard off > Self.misfitLimit else { continue }
            let reads = m.isFinite && m > 0 ? String(format: "%.2f m", m) : "no distance"
            let by = off.isFinite ? String(format: "%.0f%%", off * 100) : "entirely"
            feedback.warn(
                "\(file): the calibration misses \(name) by \(by) (reads \(reads), measured \(String(format: "%.2f m", d))); the map may not be \(fit.kind.rawValue) depth (see --depth-kind), or \(name)'s point is off the subject"
            )
        }
    }

    /// A warning when a map read as metres holds only values within 0-1: as metres all of it
    /// would lie within a metre of the lens, which is what normalized and inverse maps look like.
    func checkMetres(_ map: PlanarImage) {
        var lo = Float.infinity, hi = -Float.infinity
        for v in map.data where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        guard lo.isFinite, lo >= 0, hi <= 1, hi > lo else { return }
        feedback.warn(
            "\(settings.path): every value lies between 0 and 1 (\(String(format: "%.3g-%.3g", lo, hi))), so as metres the whole frame is within a metre of the lens; if it is a normalized or inverse map, pass --depth-kind normalized (with --near/--far) or --depth-kind inverse"
        )
    }
}
