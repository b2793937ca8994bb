import Foundation
import RackFocusOptics

/// A text prompt for AI video models that describes a plan's racks the way such models are
/// prompted: who starts sharp and who soft, their depth relation, when and how fast the focus
/// shifts, the lens, stop and "shallow depth of field". Words come from the plan's own numbers:
/// blur in delivery pixels, move durations, curves.
public enum RackPrompt {
    public enum Style: String, Sendable, CaseIterable { case short, detailed }

    public static func text(for plan: ShotPlan, style: Style) -> String {
        let report = PlanReport(plan: plan)
        let lens = String(format: "%.0fmm lens at f/%@", plan.camera.focalLengthMM, trimmed(plan.camera.stop.number))
        let article =
            String(format: "%.0f", plan.camera.focalLengthMM).first.map { "8".contains($0) } == true ? "an" : "a"
        let dof = depthOfFieldWords(report)
        if report.racks.isEmpty {
            let on = report.marks.first.map { "\($0.target) in sharp focus" } ?? "a single subject in focus"
            return "A single unbroken shot, \(on), \(dof), \(lens), cinematic."
        }
        switch style {
        case .short:
            return report.racks.map { rack in
                let (type, _) = kind(rack, plan)
                let start = blurState(blur(rack, rack.to, atStart: true))
                return
                    "Cinematic \(type) rack focus: \(opening(rack, plan, detailed: false)) while \(rack.to) is \(start); "
                    + "at \(seconds(rack.startSeconds)) the focus shifts \(speedWords(rack)) to \(rack.to), "
                    + "and \(leaving(rack, plan)). \(dof.prefix(1).uppercased() + dof.dropFirst()), \(lens)."
            }.joined(separator: "\n")
        case .detailed:
            var parts: [String] = []
            let name = plan.name.map { "\"\($0)\": " } ?? ""
            parts.append(
                "\(name)one unbroken shot on \(article) \(lens), \(plan.camera.sensor.title) sensor, \(dof)"
                    + (report.marks.first?.totalM.map { " (about \(depthWords($0, plan)) deep at the first mark)" }
                        ?? "") + ".")
            if let first = report.racks.first {
                parts.append(
                    "It opens with \(opening(first, plan, detailed: true)) and \(describe(first.to, plan)) "
                        + "\(relation(first, plan)), \(blurState(blur(first, first.to, atStart: true))).")
            }
            for (i, rack) in report.racks.enumerated() {
                let (type, _) = kind(rack, plan)
                let then = i == 0 ? "At" : "Then at"
                parts.append(
                    "\(then) \(seconds(rack.startSeconds)) a \(type) rack focus pulls focus \(speedWords(rack)) "
                        + "over \(seconds(rack.durationSeconds)), \(curveWords(rack.curve)), and lands on \(rack.to) at \(seconds(rack.landSeconds)): "
                        + "\(rack.to) resolves sharp while \(leaving(rack, plan))."
                )
            }
            if let last = report.racks.last {
                parts.append(
                    "Focus holds on \(last.to) to the end of the \(trimmed((plan.duration * 10).rounded() / 10))-second shot; no focus hunting, no overshoot, no zoom."
                )
            }
            if hasDistantBackground(plan) { parts.append("The distant background melts into soft bokeh.") }
            parts.append("Photoreal, cinematic, natural lens blur.")
            return parts.joined(separator: " ")
        }
    }

    /// The subjects a rack leaves sharp: its origin when that is a subject, else the subjects
    /// within a pixel of sharp there (a split focus between two planes), nearest first.
    static func heldSubjects(_ rack: PlanReport.Rack, _ plan: ShotPlan) -> [String] {
        if plan.subject(named: rack.from) != nil { return [rack.from] }
        return rack.subjects.filter { $0.subject != rack.to && $0.blurStartPx < blurWords[0].below }
            .sorted { ($0.distanceM ?? .infinity) < ($1.distanceM ?? .infinity) }.map(\.subject)
    }

    /// What is sharp as the rack begins: "anna in crisp focus", or for focus set between subjects
    /// "a split focus at 2.30 m holding witness sharp".
    static func opening(_ rack: PlanReport.Rack, _ plan: ShotPlan, detailed: Bool) -> String {
        let held = heldSubjects(rack, plan)
        if held == [rack.from] {
            return detailed ? "\(describe(rack.from, plan)) in crisp focus" : "\(rack.from) sharp"
        }
        guard !held.isEmpty else { return detailed ? "focus at \(rack.fromDistance)" : "focus at \(rack.fromDistance)" }
        let names = (detailed ? held.map { describe($0, plan) } : held).joined(separator: " and ")
        return "a split focus at \(rack.fromDistance) holding \(names) sharp"
    }

    /// What happens to what the rack leaves: "witness goes barely soft".
    static func leaving(_ rack: PlanReport.Rack, _ plan: ShotPlan) -> String {
        let held = heldSubjects(rack, plan)
        guard !held.isEmpty else { return "\(rack.fromDistance) \(blurMotion(blur(rack, rack.from, atStart: false)))" }
        return held.map { "\($0) \(blurMotion(blur(rack, $0, atStart: false)))" }.joined(separator: " and ")
    }

    /// "foreground-to-background" or "background-to-foreground", and whether the target is farther.
    static func kind(_ rack: PlanReport.Rack, _ plan: ShotPlan) -> (String, Bool) {
        let from = distance(rack.from, rack.fromDistance, plan), to = distance(rack.to, rack.toDistance, plan)
        let farther = (to ?? .infinity) > (from ?? 0)
        return (farther ? "foreground-to-background" : "background-to-foreground", farther)
    }

    static func relation(_ rack: PlanReport.Rack, _ plan: ShotPlan) -> String {
        let (_, farther) = kind(rack, plan)
        guard let a = distance(rack.from, rack.fromDistance, plan), let b = distance(rack.to, rack.toDistance, plan),
            a.isFinite, b.isFinite
        else {
            return farther ? "behind, in the background" : "in front, in the foreground"
        }
        return
            "\(depthWords(abs(b - a), plan)) \(farther ? "behind, in the background" : "in front, in the foreground")"
    }

    static func distance(_ name: String, _ printed: String, _ plan: ShotPlan) -> Double? {
        if let d = plan.subject(named: name)?.distance { return d.meters }
        return (try? Distance(parsing: printed))?.meters
    }

    /// The subject with where it stands in the frame, when the plan places it.
    static func describe(_ name: String, _ plan: ShotPlan) -> String {
        guard let r = plan.subject(named: name)?.region(at: 0) else { return name }
        let c = r.centre
        let side = c.x < 0.4 ? "on the left" : c.x > 0.6 ? "on the right" : "in the centre"
        let height = c.y < 0.35 ? "high " : c.y > 0.65 ? "low " : ""
        return "\(name) (\(height)\(side) of frame)"
    }

    static func blur(_ rack: PlanReport.Rack, _ subject: String, atStart: Bool) -> Double {
        rack.subjects.first { $0.subject == subject }.map { atStart ? $0.blurStartPx : $0.blurEndPx } ?? 0
    }

    /// Blur in delivery pixels in words, by upper bound: as a state ("… is heavily blurred") and
    /// as what happens to a subject focus leaves.
    static let blurWords: [(below: Double, state: String, motion: String)] = [
        (2, "barely soft", "goes barely soft"),
        (6, "slightly soft", "goes slightly soft"),
        (20, "soft, out of focus", "falls softly out of focus"),
        (.infinity, "heavily blurred, unrecognisable", "dissolves into a heavy, unrecognisable blur"),
    ]

    static func blurState(_ px: Double) -> String { blurWords.first { px < $0.below }!.state }
    static func blurMotion(_ px: Double) -> String { blurWords.first { px < $0.below }!.motion }

    /// The depth of field in words, from the plan's verdict on its weakest rack.
    static func depthOfFieldWords(_ report: PlanReport) -> String {
        switch report.racks.map(\.verdict).min(by: { order($0) < order($1) }) {
        case .invisible?: return "deep depth of field, the focus shift barely visible"
        case .subtle?: return "moderately shallow depth of field"
        default: return "very shallow depth of field"
        }
    }

    /// Weakest first.
    static func order(_ v: RackVerdict) -> Int { v == .invisible ? 0 : v == .subtle ? 1 : 2 }

    static func speedWords(_ rack: PlanReport.Rack) -> String {
        switch rack.durationSeconds {
        case ..<0.35: return "in a sudden snap"
        case ..<1: return "quickly"
        case ..<2.5: return "smoothly"
        default: return "slowly and deliberately"
        }
    }

    static func curveWords(_ curve: String) -> String {
        switch Easing(name: curve) ?? .easeInOut {
        case .linear: return "at an even speed"
        case .easeIn: return "starting slowly and accelerating"
        case .easeOut: return "starting quickly and slowing to a stop"
        case .easeInOut: return "eased gently at both ends"
        case .landing: return "briskly at first, then settling gently onto the mark"
        }
    }

    static func seconds(_ s: Double) -> String {
        let text = trimmed((s * 10).rounded() / 10)
        return "\(text) second\(text == "1" ? "" : "s")"
    }

    /// A depth or separation in the plan's own units, rounded for prose.
    static func depthWords(_ m: Double, _ plan: ShotPlan) -> String {
        Distance.meters(m).printed(in: plan.units).description
    }

    static func trimmed(_ v: Double) -> String { String(format: "%g", v) }

    /// Whether the plan names a distant background (a subject 15 m or more away).
    static func hasDistantBackground(_ plan: ShotPlan) -> Bool {
        plan.subjects.contains { s in (s.distance?.meters ?? 0) >= 15 }
    }
}
