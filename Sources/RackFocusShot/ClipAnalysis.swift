import Foundation
import RackFocusAnalysis
import RackFocusCharts
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// `analyze`'s whole job: which region is sharp when, where each rack starts and lands and how,
/// graded against a plan's cues; with depth, the focus distance of every frame, the effective
/// stop and a plan that reproduces the clip's racks (`toPlan`).
package struct ClipAnalysis {
    package var clip: String
    /// `name=x,y,w,h` (normalised 0-1 or pixels); empty: the plan's subjects, else `grid`.
    package var regionSpecs: [String] = []
    package var plan: String?
    package var grid: String = "4x3"
    package var measure: FocusMeasure = .standard
    package var depth: DepthSettings?
    package var json = false
    package var svg: String?
    package var toPlan: String?
    package var peaking: String?
    package var peakingLevel: Float = 0.12
    package var feedback: Feedback = .silent
    /// Receives the peaking writer before the first frame; returns what releases that guard.
    package var guardOutput: (FrameWriter) -> () -> Void = { _ in {} }

    package init(clip: String) { self.clip = clip }

    /// The whole report (text, or JSON with --json), writing the SVG, plan and peaking clip on the way.
    package func report() throws -> String {
        // Options are checked before any frame is read.
        if !(0.01...0.5).contains(peakingLevel) {
            throw ShotError(.options, "--peaking-level: \(peakingLevel) must be between 0.01 and 0.5")
        }
        if toPlan != nil {
            guard depth != nil else {
                throw ShotError(.options, "--to-plan: the plate's focus distances come from its depth map; add --depth")
            }
            guard plan != nil else {
                throw ShotError(
                    .options,
                    "--to-plan: the plan needs the plate's lens; give --plan with its camera (its focus entries are not used)"
                )
            }
        }
        for output in [peaking, svg, toPlan] {
            try OutputPath.requireDistinct(output, from: [clip, depth?.path, plan])
        }
        let m = try passes()
        if let toPlan, let shot = m.shot { try writePlan(m, to: toPlan, shot: shot) }
        let grades =
            m.shot.map { grade(m.racks, against: $0, width: m.info.width, height: m.info.height, rate: m.rate) } ?? []
        if let svg { try writeSVG(m, to: svg) }
        if json {
            return try jsonReport(
                curves: m.curves, racks: m.racks, hunts: m.hunts, grades: grades, rate: m.rate, measure: measure,
                focus: m.focus,
                stop: m.effectiveStop)
        }
        return text(m, grades: grades)
    }
}
