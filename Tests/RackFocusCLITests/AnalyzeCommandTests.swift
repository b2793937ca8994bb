import Foundation
import Testing
@testable import RackFocusCLI

@Suite("rackfocus analyze", .serialized)
struct AnalyzeCommandTests {
    /// The demo's own rack (H.264), graded against the plan that made it: one rack, ball to figure,
    /// on the cue, clean; the SVG and JSON are written.
    @Test func theDemoRackLandsOnItsCue() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(["demo", "-o", dir.path])
        let clip = dir.appendingPathComponent("rack.mp4").path, plan = dir.appendingPathComponent("shot.yaml").path
        let svg = dir.appendingPathComponent("analysis.svg").path
        let text = try #require(try RackFocusCommand.parseAsRoot(["analyze", clip, "--plan", plan, "--svg", svg]) as? AnalyzeCommand).report()
        #expect(text.contains("Rack 1: ball → figure"), "\(text)")
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<polyline"))
        // The report itself, as JSON.
        let report = try JSONSerialization.jsonObject(with: Data(captureJSON(clip: clip, plan: plan).utf8)) as! [String: Any]
        let racks = report["racks"] as! [[String: Any]]
        #expect(racks.count == 1)
        #expect(racks.first?["from"] as? String == "ball" && racks.first?["to"] as? String == "figure")
        #expect(racks.first?["overshoot"] == nil && racks.first?["hunting"] == nil)
        let cue = (report["cues"] as! [[String: Any]])[0]
        let offset = try #require(cue["landOffset"] as? Int)
        #expect(abs(offset) <= 1, "landed \(offset) frames off the plan's visible landing")
    }

    @Test func aBadRegionSaysHowToWriteOne() throws {
        #expect(throws: CLIError.self) { try AnalyzeCommand.parseRegion("anna=0.1,0.2", width: 640, height: 360) }
        #expect(throws: CLIError.self) { try AnalyzeCommand.parseRegion("anna=600,300,100,100", width: 640, height: 360) }
        let r = try AnalyzeCommand.parseRegion("anna=0.5,0.5,0.25,0.5", width: 640, height: 360)
        #expect(r.rect.x == 320 && r.rect.y == 180 && r.rect.width == 160 && r.rect.height == 180)
    }

    func captureJSON(clip: String, plan: String) throws -> String {
        let command = try #require(try RackFocusCommand.parseAsRoot(["analyze", clip, "--plan", plan, "--json"]) as? AnalyzeCommand)
        return try command.report()
    }
}
