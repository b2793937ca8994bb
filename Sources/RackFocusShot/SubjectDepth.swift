import Foundation
import RackFocusImage
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// Per-frame distances (metres) of the subjects a depth map places (point, box or track).
package struct SubjectDistances: Sendable {
    package var frames: [String: [Double]]

    package init(frames: [String: [Double]]) { self.frames = frames }

    package var isEmpty: Bool { frames.isEmpty }

    /// The distance at frame n (the last one read past the end), or nil for a subject not read.
    package func distance(_ name: String, frame n: Int) -> Distance? {
        guard let s = frames[name], !s.isEmpty else { return nil }
        return Distance(meters: s[min(max(0, n), s.count - 1)])
    }

    /// The focus distance at frame n of a clip at `rate`.
    package func focus(_ plan: ShotPlan, frame n: Int, rate: FrameRate) -> Distance {
        isEmpty
            ? plan.curve.focus(at: Double(n) / rate.fps)
            : plan.focus(at: Double(n) / rate.fps) { distance($0, frame: n) }
    }

    /// Reads the distance of each of the plan's depth subjects at every frame 0..<frames (`rate`
    /// frames a second) from the whole depth input, whatever range is rendered, so chunks of a
    /// split render agree; then smooths each series in dioptres (Gaussian, `subjectSmoothing`).
    package static func read(
        plan: ShotPlan, depth: DepthSource, mapping: DepthMapping, frames: Int?, rate: FrameRate,
        feedback: Feedback = .silent
    ) throws -> SubjectDistances {
        let subjects = plan.depthSubjects
        guard !subjects.isEmpty else { return SubjectDistances(frames: [:]) }
        let maps = try depth.frames(mapping: mapping)
        defer { maps.close() }
        let still = depth.settings.still
        var series: [String: [Double]] = Dictionary(uniqueKeysWithValues: subjects.map { ($0.name, []) })
        var n = 0
        while frames.map({ n < $0 }) ?? true {
            guard let metres = try maps.next() else {
                if n == 0 {
                    throw ShotError(
                        .depthCount, file: depth.path, "holds no depth map; check the path or the sequence pattern")
                }
                break
            }
            let t = Double(n) / rate.fps
            for s in subjects {
                guard let r = s.region(at: t) else { continue }
                series[s.name]!.append(
                    Double(DepthProbe.subjectDepth(metres, x: r.x, y: r.y, width: r.width, height: r.height)))
            }
            n += 1
            feedback.progress("subjects", n, frames)
            if still && frames == nil { break }
        }
        feedback.progress("subjects", -1, frames)
        for s in subjects {
            let raw = series[s.name]!
            if let bad = raw.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                let r = s.region(at: Double(bad) / rate.fps)!
                throw ShotError(
                    .subjectDepth, file: depth.path, frame: bad,
                    "frame \(bad): no valid depth for subject \(s.name) at \(String(format: "%.3f, %.3f", r.centre.x, r.centre.y)) (NaN, zero or negative); fix the depth map there, or give the subject a measured distance"
                )
            }
            let dioptres = SeriesSmoothing.smooth(raw.map { 1 / $0 }, sigma: depth.settings.subjectSmoothing)
            series[s.name] = dioptres.map { 1 / $0 }
        }
        return SubjectDistances(frames: series)
    }
}

/// A plan whose subjects placed in the image have been read from depth: what `plan`, `program`,
/// `prompt` and `marks` work from when given a depth map.
package struct PlanWithDepth {
    /// The plan with each depth subject's distance at its cues filled in.
    package var plan: ShotPlan
    package var distances: SubjectDistances
    /// Per-subject rows for the report (subject, where it is placed, distance per frame).
    package var subjects: [PlanReport.DepthSubject]

    /// The plan's report, with the subjects read from depth when there were any.
    package var report: PlanReport {
        var r = PlanReport(plan: plan)
        if readDepth { r.subjectsFromDepth = subjects }
        return r
    }

    /// Whether a depth map was read.
    package var readDepth: Bool

    /// Resolves `plan` through `depth` (nil: the plan as loaded, every subject must then have a
    /// measured distance).
    package static func resolve(_ plan: ShotPlan, file: String, depth: DepthSettings?, feedback: Feedback = .silent)
        throws -> PlanWithDepth
    {
        guard let depth else {
            try plan.requireMeasuredDistances()
            return PlanWithDepth(plan: plan, distances: SubjectDistances(frames: [:]), subjects: [], readDepth: false)
        }
        let source = try DepthSource(depth, feedback: feedback)
        let mapping = try source.mapping(plan: plan)
        let frames = depth.still ? plan.frameCount : (source.info.frameCount ?? plan.frameCount)
        let live = try SubjectDistances.read(
            plan: plan, depth: source, mapping: mapping, frames: frames, rate: plan.fps, feedback: feedback)
        if live.isEmpty {
            feedback.note(
                "no subject in \(file) is placed in the image (point, box or track) without a measured distance; nothing to read from \(depth.path)"
            )
        }
        let resolved = plan.resolved { name, t in live.distance(name, frame: plan.frame(at: t)) }
        let rows = plan.depthSubjects.compactMap { s -> PlanReport.DepthSubject? in
            guard let series = live.frames[s.name] else { return nil }
            return PlanReport.DepthSubject(subject: s.name, position: position(of: s), perFrameM: series)
        }
        return PlanWithDepth(plan: resolved, distances: live, subjects: rows, readDepth: true)
    }

    /// Where a subject is placed in the image, in words for the report.
    package static func position(of s: Subject) -> String {
        if let t = s.track { return "track of \(t.count) key\(t.count == 1 ? "" : "s")" }
        if let b = s.box { return String(format: "box %.2f, %.2f %.2f×%.2f", b.x, b.y, b.width, b.height) }
        if let p = s.point { return String(format: "point %.2f, %.2f", p.x, p.y) }
        return "-"
    }
}
