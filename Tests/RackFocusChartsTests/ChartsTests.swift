import Foundation
import Testing

@testable import RackFocusCharts
@testable import RackFocusOptics
@testable import RackFocusPlan

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Counts elements by name while checking the document is well-formed XML.
final class SVGCensus: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    /// The text of each element, whole (the parser may deliver it in pieces).
    var texts: [String] = []
    private var current = ""
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        counts[name, default: 0] += 1
        current = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if !current.isEmpty { texts.append(current) }
        current = ""
    }

    static func of(_ svg: String) -> SVGCensus? {
        let census = SVGCensus()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = census
        return parser.parse() ? census : nil
    }
}

let dialogue = """
    name: Two & <one>
    fps: 24
    camera: { sensor: super35, focalLength: 85mm, stop: 2, minFocus: 0.9m }
    subjects: { anna: { distance: 1.2m }, ben: { distance: 2.4m }, sky: { distance: inf } }
    focus:
      - { at: 0s, on: ben }
      - { rack: anna, start: 2s, duration: 1s }
      - { rack: sky, start: 4s, duration: 1s }
    """

@Suite("SVG charts")
struct ChartsTests {
    @Test func focusPlotIsWellFormedAndShowsEverySubject() throws {
        let plan = try ShotPlan.parse(dialogue)
        let census = try #require(SVGCensus.of(FocusPlot.svg(plan: plan)))
        let text = census.texts.joined(separator: "|")
        for label in [
            "anna 1.20 m", "ben 2.40 m", "sky ∞", "depth of field", "rack → anna", "00:00:02:00", "Two & <one>",
        ] {
            #expect(text.contains(label), "missing \(label)")
        }
        // Focus line and DOF band.
        #expect(census.counts["polyline"] == 1)
        #expect(census.counts["polygon"] == 1)
        // The focus line is unfilled and says nothing of fill opacity (some renderers filled it black).
        let svg = FocusPlot.svg(plan: plan)
        let line = try #require(svg.split(separator: "\n").first { $0.contains("<polyline") })
        #expect(line.contains("fill=\"none\"") && !line.contains("fill-opacity"))
    }

    @Test func marksChartListsEachDistinctMarkWithItsRingAngle() throws {
        let plan = try ShotPlan.parse(dialogue)
        let entries = MarksChart.entries(plan: plan)
        #expect(entries.map(\.label) == ["ben", "anna", "sky"])
        // Generic scale: 300° · 0.9 / d (112.5° prints as 112°, rounding half to even).
        #expect(abs(entries[0].ringDegrees - 112.5) < 1e-9)
        #expect(abs(entries[1].ringDegrees - 225) < 1e-9)
        #expect(entries[2].ringDegrees == 0)
        let census = try #require(SVGCensus.of(MarksChart.svg(plan: plan)))
        let text = census.texts.joined(separator: "|")
        #expect(text.contains("112°") && text.contains("225°") && text.contains("0°"))
        #expect(text.contains("generic cine scale: 300° throw"))
    }

    /// Each mark's distance label on the dial clears every marker circle, wherever on the dial the
    /// marks fall (the demo's "6.00 m" used to sit on marker 2). Label boxes are estimated as the
    /// chart lays them out: 12 px bold, at most 7.5 px a character.
    @Test(arguments: ["0.9m", "1.2m", "2m", "6m", "30m"])
    func markLabelsClearTheMarkers(second: String) throws {
        let plan = try ShotPlan.parse(
            dialogue.replacingOccurrences(of: "anna: { distance: 1.2m }", with: "anna: { distance: \(second) }"))
        let svg = MarksChart.svg(plan: plan)
        func number(_ line: Substring, _ key: String) -> Double? {
            guard let r = line.range(of: "\(key)=\"") else { return nil }
            return Double(line[r.upperBound...].prefix { $0 != "\"" })
        }
        let lines = svg.split(separator: "\n")
        let markers = lines.filter { $0.hasPrefix("<circle") && number($0, "r") == 12 }.compactMap { l in
            number(l, "cx").flatMap { x in number(l, "cy").map { (x, $0) } }
        }
        let labels = lines.filter {
            $0.hasPrefix("<text") && $0.contains("font-size=\"12.00\"") && $0.contains("font-weight=\"bold\"")
                && $0.contains("text-anchor=\"middle\"") && !$0.contains("fill=\"white\"")
        }
        #expect(markers.count == 3 && labels.count == 3, "\(markers.count) markers, \(labels.count) labels")
        for l in labels {
            let text = l.split(separator: ">")[1].prefix { $0 != "<" }
            let x = try #require(number(l, "x")), baseline = try #require(number(l, "y"))
            let halfW = 3.75 * Double(text.count), top = baseline - 10, bottom = baseline + 2
            for (cx, cy) in markers {
                // Distance from the circle's centre to the label's box.
                let dx = max(x - halfW - cx, 0, cx - (x + halfW)), dy = max(top - cy, 0, cy - bottom)
                #expect(
                    (dx * dx + dy * dy).squareRoot() > 12,
                    "\(text) at (\(x), \(baseline)) on a marker at (\(cx), \(cy))")
            }
        }
    }

    @Test func calibratedLensMapReplacesTheGenericScale() throws {
        let text = dialogue.replacingOccurrences(
            of: "minFocus: 0.9m }",
            with:
                "minFocus: 0.9m, lensMap: [{distance: 0.9m, angle: 280}, {distance: 2.4m, angle: 100}, {distance: inf, angle: 0}] }"
        )
        let plan = try ShotPlan.parse(text)
        let entries = MarksChart.entries(plan: plan)
        #expect(abs(entries[0].ringDegrees - 100) < 1e-9)
        #expect(
            abs(entries[1].ringDegrees - MonotoneCubic(xs: [0, 1 / 2.4, 1 / 0.9], ys: [0, 100, 280])(1 / 1.2)) < 1e-9)
        #expect(try #require(SVGCensus.of(MarksChart.svg(plan: plan))).texts.joined().contains("calibrated lens map"))
    }
}
