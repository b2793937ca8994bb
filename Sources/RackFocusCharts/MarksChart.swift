import Foundation
import RackFocusOptics
import RackFocusPlan

/// A printable focus-mark chart: the lens's focus ring as a dial with the engraved scale and
/// each of the plan's marks, plus a table of marks with distance, ring angle and cue.
package enum MarksChart {
    package struct Entry: Sendable {
        package var label: String
        package var distance: Distance
        package var ringDegrees: Double
        package var cue: String
    }

    /// The plan's distinct focus marks in order of first use.
    package static func entries(plan: ShotPlan) -> [Entry] {
        var result: [Entry] = []
        func add(_ target: FocusTarget, _ d: Distance, _ t: Double) {
            if result.contains(where: { $0.distance == d }) { return }
            result.append(
                Entry(
                    label: target.description, distance: d.printed(in: plan.units),
                    ringDegrees: plan.focusScale.angle(for: d), cue: plan.timecode(at: t)))
        }
        add(plan.curve.initialTarget, plan.curve.initial, 0)
        for m in plan.curve.moves { add(m.to, m.toDistance, m.end) }
        return result
    }

    package static func svg(plan: ShotPlan) -> String {
        let W = 1080.0, H = 720.0
        var doc = SVGDocument(width: W, height: H)
        let cam = plan.camera
        let scale = plan.focusScale
        let marks = entries(plan: plan)
        let throwDeg = scale.throwDegrees
        let cx = 340.0, cy = 420.0, r = 215.0

        let scaleName: String
        switch scale {
        case .generic(let close, let t):
            scaleName =
                "generic cine scale: \(Int(t))° throw, linear in dioptres, close focus \(close.printed(in: plan.units).formatted())"
        case .calibrated(let map): scaleName = "calibrated lens map (\(map.points.count) marks, monotone interpolation)"
        }
        doc.text((plan.name.map { "\($0) — " } ?? "") + "focus marks", x: 40, y: 40, size: 22, weight: "bold")
        doc.text(
            "\(Int(cam.focalLengthMM)) mm \(cam.stop) · \(cam.sensor.title) · \(scaleName)", x: 40, y: 64, size: 13,
            fill: "#555")

        // The dial: 0° (infinity) at the top-left, turning clockwise toward close focus, centred on the top.
        func point(_ deg: Double, _ radius: Double) -> (Double, Double) {
            let a = (-90 - throwDeg / 2 + deg) * .pi / 180
            return (cx + radius * cos(a), cy + radius * sin(a))
        }
        let (sx, sy) = point(0, r), (ex, ey) = point(throwDeg, r)
        let large = throwDeg > 180 ? 1 : 0
        doc.path(
            "M \(SVGDocument.n(sx)) \(SVGDocument.n(sy)) A \(r) \(r) 0 \(large) 1 \(SVGDocument.n(ex)) \(SVGDocument.n(ey))",
            stroke: "#333", width: 3)
        doc.circle(cx: cx, cy: cy, r: 4, fill: "#333")

        // Engraved scale.
        let engraved: [Distance] =
            plan.units == .imperial
            ? [1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 15, 25].map { Distance.feet($0) } + [.infinity]
            : [0.3, 0.35, 0.45, 0.6, 0.8, 1, 1.2, 1.5, 2, 3, 5, 10].map { Distance.meters($0) } + [.infinity]
        var lastAngle = -100.0
        for d in engraved where d.meters >= scale.closeFocus.meters - 1e-9 {
            let a = scale.angle(for: d)
            guard a >= -0.5, a <= throwDeg + 0.5, abs(a - lastAngle) > 7 else { continue }
            lastAngle = a
            let (x1, y1) = point(a, r - 10), (x2, y2) = point(a, r + 10), (tx, ty) = point(a, r - 28)
            doc.line(x1, y1, x2, y2, stroke: "#333", width: 1.5)
            doc.text(d.printed(in: plan.units).formatted(), x: tx, y: ty + 4, size: 11, anchor: .middle, fill: "#333")
        }
        // Close-focus end.
        let (cfx, cfy) = point(throwDeg, r + 26)
        doc.text(
            "MFD \(scale.closeFocus.printed(in: plan.units).formatted())", x: cfx, y: cfy, size: 10, anchor: .middle,
            fill: "#777")

        // Plan marks.
        for (i, m) in marks.enumerated() {
            let colour = SVGDocument.palette[i % SVGDocument.palette.count]
            let (x1, y1) = point(m.ringDegrees, r + 4), (x2, y2) = point(m.ringDegrees, r + 46)
            doc.line(x1, y1, x2, y2, stroke: colour, width: 4)
            let (lx, ly) = point(m.ringDegrees, r + 64)
            doc.circle(cx: lx, cy: ly, r: 12, fill: colour)
            doc.text("\(i + 1)", x: lx, y: ly + 5, size: 14, anchor: .middle, fill: "white", weight: "bold")
            // The label's centre goes out along the radius until its box (about 7.2 px a character
            // wide, 12 px high) clears the marker's circle by 4 px, whichever way the radius points.
            let text = m.distance.formatted()
            let a = (-90 - throwDeg / 2 + m.ringDegrees) * .pi / 180
            let reach = 0.5 * (7.2 * Double(text.count) * abs(cos(a)) + 12 * abs(sin(a)))
            let (dx, dy) = point(m.ringDegrees, r + 64 + 12 + 4 + reach)
            doc.text(text, x: dx, y: dy + 4, size: 12, anchor: .middle, fill: colour, weight: "bold")
        }

        // Table.
        let tx = 660.0
        var ty = 130.0
        doc.text("#", x: tx, y: ty, size: 13, weight: "bold")
        doc.text("mark", x: tx + 30, y: ty, size: 13, weight: "bold")
        doc.text("distance", x: tx + 130, y: ty, size: 13, weight: "bold")
        doc.text("ring", x: tx + 230, y: ty, size: 13, weight: "bold")
        doc.text("first cue", x: tx + 280, y: ty, size: 13, weight: "bold")
        doc.line(tx, ty + 8, W - 30, ty + 8, stroke: "#333")
        for (i, m) in marks.enumerated() {
            ty += 30
            let colour = SVGDocument.palette[i % SVGDocument.palette.count]
            doc.circle(cx: tx + 8, cy: ty - 5, r: 10, fill: colour)
            doc.text("\(i + 1)", x: tx + 8, y: ty, size: 12, anchor: .middle, fill: "white", weight: "bold")
            doc.text(m.label, x: tx + 30, y: ty, size: 14)
            doc.text(m.distance.formatted(), x: tx + 130, y: ty, size: 14, weight: "bold")
            doc.text(String(format: "%.0f°", m.ringDegrees), x: tx + 230, y: ty, size: 14)
            doc.text(m.cue, x: tx + 280, y: ty, size: 13, fill: "#444")
        }
        ty += 40
        doc.text("Ring angle: degrees from the infinity mark toward close focus.", x: tx, y: ty, size: 11, fill: "#666")
        doc.text(
            "Distances from the lens; verify against the lens's own marks.", x: tx, y: ty + 16, size: 11, fill: "#666")
        return doc.rendered
    }
}
