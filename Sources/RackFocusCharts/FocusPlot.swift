import Foundation
import RackFocusOptics
import RackFocusPlan

/// Focus distance over time on a log-distance axis, with the depth-of-field band, each subject's
/// distance, rack start and landing markers and timecode ticks.
package enum FocusPlot {
    package static func svg(plan: ShotPlan) -> String {
        let W = 1000.0, H = 560.0
        let left = 90.0, right = 190.0, top = 60.0, bottom = 70.0
        let pw = W - left - right, ph = H - top - bottom
        var doc = SVGDocument(width: W, height: H)
        let cam = plan.camera
        let imperial = plan.units == .imperial

        // Distance range: subjects and the DOF limits around every focus position.
        let frames = max(2, plan.frameCount)
        var finite: [Double] = plan.subjects.compactMap { $0.distance?.meters }.filter(\.isFinite)
        var anyInfinite = plan.subjects.contains { $0.distance?.isInfinite ?? false }
        var samples: [(t: Double, focus: Distance, dof: DepthOfField)] = []
        for i in 0...frames {
            let t = plan.duration * Double(i) / Double(frames)
            let f = plan.curve.focus(at: t)
            let dof = cam.depthOfField(focus: f)
            samples.append((t, f, dof))
            finite += [f.meters, dof.near.meters, dof.far.meters].filter(\.isFinite)
            if dof.far.isInfinite || f.isInfinite { anyInfinite = true }
        }
        let lo = max(0.05, (finite.min() ?? 1) / 1.3)
        let hiFinite = (finite.max() ?? 10) * 1.3
        let hi = anyInfinite ? hiFinite * 1.6 : hiFinite
        let logLo = log10(lo), logHi = log10(hi)
        func y(_ d: Distance) -> Double {
            if d.isInfinite || d.meters >= hi { return top }
            return top + ph * (1 - (log10(max(d.meters, lo)) - logLo) / (logHi - logLo))
        }
        func x(_ t: Double) -> Double { left + pw * t / plan.duration }

        // Title.
        let title =
            (plan.name.map { "\($0) — " } ?? "")
            + "\(Int(cam.focalLengthMM)) mm \(cam.stop) on \(cam.sensor.title), \(plan.fps) fps"
        doc.text(title, x: left, y: 28, size: 18, weight: "bold")
        doc.text(
            "focus distance over time (log scale); band = depth of field (CoC \(Length.format(millimeters: cam.cocMM)))",
            x: left, y: 48, size: 12, fill: "#555")

        // Axes and grid.
        doc.rect(x: left, y: top, width: pw, height: ph, fill: "#fafafa", stroke: "#999")
        let ticks: [Double] =
            imperial
            ? [0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500].map { $0 * 0.3048 }
            : [0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 100, 200, 500]
        for m in ticks where m >= lo && m <= (anyInfinite ? hiFinite : hi) {
            let yy = y(.meters(m))
            doc.line(left, yy, left + pw, yy, stroke: "#e2e2e2")
            doc.text(
                Distance(meters: m, system: plan.units).formatted(), x: left - 8, y: yy + 4, size: 11, anchor: .end,
                fill: "#444")
        }
        if anyInfinite {
            doc.line(left, top, left + pw, top, stroke: "#bbb", dash: "2,3")
            doc.text("∞", x: left - 8, y: top + 5, size: 14, anchor: .end, fill: "#444")
        }
        let step = tickStep(plan.duration / 8, fps: plan.fps.fps)
        var t = 0.0
        while t <= plan.duration + 1e-9 {
            let xx = x(t)
            doc.line(xx, top + ph, xx, top + ph + 5, stroke: "#666")
            doc.line(xx, top, xx, top + ph, stroke: "#eeeeee")
            doc.text(plan.timecode(at: t), x: xx, y: top + ph + 20, size: 11, anchor: .middle, fill: "#444")
            t += step
        }
        doc.text("timecode (\(plan.fps) fps)", x: left + pw / 2, y: H - 18, size: 12, anchor: .middle, fill: "#555")
        doc.text("distance", x: 22, y: top + ph / 2, size: 12, anchor: .middle, fill: "#555", rotate: -90)

        // Depth-of-field band.
        let upper = samples.map { (x($0.t), y($0.dof.far)) }
        let lower = samples.reversed().map { (x($0.t), y($0.dof.near)) }
        doc.polyline(upper + lower, stroke: "#4e79a7", width: 0.75, fill: "#4e79a7", opacity: 0.22)

        // Racks: start and landing markers.
        for move in plan.curve.moves where move.kind == .rack {
            doc.line(x(move.start), top, x(move.start), top + ph, stroke: "#999", dash: "4,3")
            doc.line(x(move.end), top, x(move.end), top + ph, stroke: "#555", dash: "1,2")
            doc.text("rack → \(move.to)", x: x(move.start) + 4, y: top + 14, size: 11, fill: "#555")
        }

        // Subjects.
        var legendY = top + 10
        for (i, s) in plan.subjects.enumerated() {
            guard let d = s.distance else { continue }
            let colour = SVGDocument.palette[i % SVGDocument.palette.count]
            doc.line(left, y(d), left + pw, y(d), stroke: colour, width: 1.5, dash: "8,4")
            doc.line(left + pw + 16, legendY, left + pw + 40, legendY, stroke: colour, width: 2, dash: "8,4")
            doc.text("\(s.name) \(d.printed(in: plan.units).formatted())", x: left + pw + 46, y: legendY + 4, size: 12)
            legendY += 20
        }
        // Focus curve on top.
        doc.polyline(samples.map { (x($0.t), y($0.focus)) }, stroke: "#111", width: 1.75)
        legendY += 8
        doc.line(left + pw + 16, legendY, left + pw + 40, legendY, stroke: "#111", width: 2.5)
        doc.text("focus", x: left + pw + 46, y: legendY + 4, size: 12)
        legendY += 20
        doc.rect(
            x: left + pw + 16, y: legendY - 7, width: 24, height: 14, fill: "#4e79a7", extra: "fill-opacity=\"0.22\"")
        doc.text("depth of field", x: left + pw + 46, y: legendY + 4, size: 12)
        legendY += 20
        doc.line(left + pw + 16, legendY, left + pw + 40, legendY, stroke: "#999", dash: "4,3")
        doc.text("rack starts", x: left + pw + 46, y: legendY + 4, size: 12)
        legendY += 20
        doc.line(left + pw + 16, legendY, left + pw + 40, legendY, stroke: "#555", dash: "1,2")
        doc.text("rack lands", x: left + pw + 46, y: legendY + 4, size: 12)
        return doc.rendered
    }

    /// A tick spacing near `raw` seconds: whole frames below a second, 1-2-5 steps above.
    static func tickStep(_ raw: Double, fps: Double) -> Double {
        if raw < 1 {
            let frames = [1.0, 2, 4, 5, 6, 8, 10, 12, 15].first { $0 >= raw * fps } ?? (fps / 2).rounded()
            return frames / fps
        }
        return niceStep(raw)
    }

    /// 1, 2 or 5 × 10ⁿ.
    static func niceStep(_ raw: Double) -> Double {
        let p = pow(10, floor(log10(max(raw, 0.01))))
        for m in [1.0, 2, 5, 10] where m * p >= raw { return m * p }
        return 10 * p
    }
}
