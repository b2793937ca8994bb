/// An SVG of relative sharpness over time: one curve per region on a timecode axis, with detected
/// rack starts, landings and faults marked.
package enum SharpnessPlot {
    /// A vertical marker at a frame.
    package struct Marker: Sendable {
        package var frame: Int
        package var label: String
        package var colour: String
        package init(frame: Int, label: String, colour: String) {
            self.frame = frame; self.label = label; self.colour = colour
        }
    }

    /// - Parameters:
    ///   - curves: relative sharpness 0...1 per frame, one per region.
    ///   - timecode: the label of a frame on the time axis.
    package static func svg(
        title: String, names: [String], curves: [[Double]], markers: [Marker], timecode: (Int) -> String
    ) -> String {
        let width = 900.0, height = 360.0, left = 60.0, right = 130.0, top = 40.0, bottom = 50.0
        var doc = SVGDocument(width: width, height: height)
        let frames = max(2, curves.first?.count ?? 2)
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ f: Double) -> Double { left + plotW * f / Double(frames - 1) }
        func y(_ v: Double) -> Double { top + plotH * (1 - v) }
        doc.text(title, x: left, y: 24, size: 15, weight: "bold")
        doc.rect(x: left, y: top, width: plotW, height: plotH, fill: "none", stroke: "#999")
        for v in [0.0, 0.5, 1.0] {
            doc.line(left, y(v), left + plotW, y(v), stroke: "#ddd", dash: "3,3")
            doc.text(String(format: "%.1f", v), x: left - 8, y: y(v) + 4, size: 11, anchor: .end, fill: "#666")
        }
        doc.text("relative sharpness", x: 16, y: top + plotH / 2, size: 11, anchor: .middle, fill: "#666", rotate: -90)
        let ticks = 6
        for k in 0...ticks {
            let f = Int((Double(frames - 1) * Double(k) / Double(ticks)).rounded())
            doc.line(x(Double(f)), top + plotH, x(Double(f)), top + plotH + 5, stroke: "#999")
            doc.text(timecode(f), x: x(Double(f)), y: top + plotH + 20, size: 10, anchor: .middle, fill: "#444")
        }
        for m in markers {
            doc.line(
                x(Double(m.frame)), top, x(Double(m.frame)), top + plotH, stroke: m.colour, width: 1.2, dash: "5,3")
            doc.text(m.label, x: x(Double(m.frame)) + 3, y: top + 12, size: 10, fill: m.colour, rotate: 90)
        }
        for (i, c) in curves.enumerated() {
            let colour = SVGDocument.palette[i % SVGDocument.palette.count]
            doc.polyline(c.enumerated().map { (x(Double($0.offset)), y($0.element)) }, stroke: colour, width: 1.8)
            doc.line(
                left + plotW + 12, top + 12 + Double(i) * 18, left + plotW + 32, top + 12 + Double(i) * 18,
                stroke: colour, width: 3)
            doc.text(names[i], x: left + plotW + 38, y: top + 16 + Double(i) * 18, size: 11)
        }
        return doc.rendered
    }
}
