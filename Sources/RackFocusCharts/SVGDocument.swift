import Foundation

/// A minimal SVG writer: elements appended in paint order, text escaped.
package struct SVGDocument: Sendable {
    package var width: Double
    package var height: Double
    private var body: [String] = []

    package init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ v: Double) -> String { String(format: "%.2f", v) }

    package mutating func raw(_ s: String) { body.append(s) }

    package mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String = "none", extra: String = ""
    ) {
        body.append(
            "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"\(fill)\" stroke=\"\(stroke)\" \(extra)/>"
        )
    }

    package mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil
    ) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append(
            "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(d)/>"
        )
    }

    package mutating func polyline(
        _ points: [(Double, Double)], stroke: String, width: Double = 2, fill: String = "none", opacity: Double = 1
    ) {
        let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        let tag = fill == "none" ? "polyline" : "polygon"
        // An open line carries no fill-opacity: some non-browser renderers then fill it black.
        let fillOpacity = fill == "none" ? "" : " fill-opacity=\"\(Self.n(opacity))\""
        body.append(
            "<\(tag) points=\"\(p)\" fill=\"\(fill)\"\(fillOpacity) stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\"/>"
        )
    }

    package mutating func path(_ d: String, stroke: String, width: Double = 1, fill: String = "none") {
        body.append("<path d=\"\(d)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"/>")
    }

    package mutating func circle(
        cx: Double, cy: Double, r: Double, fill: String, stroke: String = "none", width: Double = 1
    ) {
        body.append(
            "<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"/>"
        )
    }

    package enum Anchor: String, Sendable { case start, middle, end }

    package mutating func text(
        _ s: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start, fill: String = "#222",
        weight: String = "normal", rotate: Double? = nil
    ) {
        let r = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
        body.append(
            "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\" font-weight=\"\(weight)\"\(r)>\(Self.escape(s))</text>"
        )
    }

    /// The complete document.
    package var rendered: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.n(width))" height="\(Self.n(height))" viewBox="0 0 \(Self.n(width)) \(Self.n(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    /// Distinct colours for subjects, legible in print.
    package static let palette = [
        "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    ]
}
