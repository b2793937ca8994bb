import Foundation
import RackFocusImage
import RackFocusPlan
import Testing

@testable import RackFocusCLI
@testable import RackFocusOptics

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func run(_ args: [String]) throws {
    var command = try RackFocusCommand.parseAsRoot(args)
    try command.run()
}

func scratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Command line")
struct CLITests {
    @Test func dofReadsLikeACameraAssistantsCalculator() throws {
        let cam = try DofCommand.camera(
            focal: "50mm", stop: "2.8", sensor: "fullframe", coc: "0.03mm", resolution: "hd")
        let text = DofCommand.render(camera: cam, focus: .meters(3), subjects: [], json: false)
        #expect(text.contains("Near        2.73 m"))
        #expect(text.contains("Far         3.33 m"))
        #expect(text.contains("Hyperfocal  29.81 m"))
        let feet = DofCommand.render(camera: cam, focus: try Distance(parsing: "10ft"), subjects: [], json: false)
        #expect(feet.contains("Focus       10'0\""))
    }

    /// `--focus -3m` said "Missing value for '--focus'"; now the distance's own check answers.
    @Test func aNegativeValueReachesItsCheck() {
        #expect(
            RackFocusCommand.joiningSignedValues(["dof", "--focus", "-3m", "--stop", "2", "-o", "x"])
                == ["dof", "--focus=-3m", "--stop", "2", "-o", "x"])
        #expect(
            RackFocusCommand.joiningSignedValues(["render", "--json", "--frames", "0-9"]) == [
                "render", "--json", "--frames", "0-9",
            ])
        #expect {
            try run(RackFocusCommand.joiningSignedValues(["dof", "--focal", "50mm", "--stop", "2", "--focus", "-3m"]))
        } throws: { "\($0)".contains("--focus: distance -3.00 m is not in front of the lens") }
    }

    /// Closer than twice the focal length the image is larger than life: 50:1 at 51 mm on a 50 mm,
    /// not "1:0".
    @Test func magnificationReadsBothSidesOfLifeSize() {
        #expect(DofCommand.ratio(50) == "50:1")
        #expect(DofCommand.ratio(1) == "1:1")
        #expect(DofCommand.ratio(1.0 / 59) == "1:59")
        #expect(DofCommand.ratio(1.0 / 2.5) == "1:2.5")
    }

    @Test func dofJSONHasNullForInfinity() throws {
        let cam = try DofCommand.camera(focal: "18mm", stop: "8", sensor: "super35", coc: nil, resolution: "hd")
        let json = DofCommand.render(camera: cam, focus: .meters(5), subjects: [.meters(2)], json: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        // Infinite distances are there as null (not left out), and slashes are not escaped.
        #expect(object["farM"] is NSNull)
        #expect(object["behindM"] is NSNull && object["totalM"] is NSNull)
        #expect(json.contains("\"farM\" : null"))
        let stop = DofCommand.render(
            camera: try DofCommand.camera(focal: "50mm", stop: "f/2.8", sensor: "super35", coc: nil, resolution: "hd"),
            focus: .meters(3), subjects: [], json: true)
        #expect(stop.contains("\"f/2.8\"") && !stop.contains("\\/"))
        #expect(abs((object["hyperfocalM"] as? Double ?? 0) - (18.0 * 18 / (8 * 0.025) + 18) / 1000) < 1e-9)
        #expect((object["subjects"] as? [Any])?.count == 1)
    }

    @Test(arguments: [
        (["dof", "--focal", "50mm", "--stop", "2.8", "--focus", "3"], "--focus: \"3\" has no unit"),
        (
            ["dof", "--focal", "50mm", "--stop", "2.8", "--focus", "3m", "--sensor", "imax"],
            "--sensor: unknown sensor \"imax\""
        ),
        (["dof", "--focal", "fifty", "--stop", "2.8", "--focus", "3m"], "--focal: \"fifty\" is not a length"),
        (["plan", "/nonexistent/shot.yaml"], "/nonexistent/shot.yaml: no such file"),
        // Hostile values (issue 15): each one line naming the option, never a trap or a nonsense answer.
        (["dof", "--focal", "0.5mm", "--stop", "2", "--focus", "3m"], "--focal: 0.5mm is outside 1-2000 mm"),
        (["dof", "--focal", "50mm", "--stop", "2", "--focus", "0x3m"], "--focus: \"0x3m\" is not a distance"),
        (["dof", "--focal", "50mm", "--stop", "2", "--focus", "12'-6\""], "--focus: \"12'-6\"\" is not a distance"),
        (["dof", "--focal", "50mm", "--stop", "2", "--focus", "1e308m"], "--focus: \"1e308m\" is beyond 1,000 km"),
        (["dof", "--focal", "50mm", "--stop", "2", "--focus", "1e-320m"], "--focus: \"1e-320m\" is closer than 1 mm"),
    ])
    func badInputIsOneClearLine(args: [String], message: String) throws {
        do {
            try run(args)
            Issue.record("\(args) succeeded")
        } catch let error as any CustomStringConvertible {
            #expect(error.description.hasPrefix(message), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func planWritesItsSVGAtomically() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("plot.svg").path
        try run(["plan", repoRoot.appendingPathComponent("examples/dialogue-85mm.yaml").path, "--svg", svg])
        let written = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(written.hasPrefix("<?xml") && written.hasSuffix("</svg>\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["plot.svg"])
        // A second run replaces the file in place.
        try run(["plan", repoRoot.appendingPathComponent("examples/reveal-50mm.yaml").path, "--svg", svg])
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("Corridor reveal"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["plot.svg"])
    }

    @Test func aBadPlanWritesNoOutput() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let planPath = dir.appendingPathComponent("bad.yaml").path
        try Data(
            "fps: 24\ncamera: { sensor: super35, focalLength: 50mm, stop: 2 }\nsubjects: { a: 2m }\nfocus: [ { at: 0s, on: b } ]\n"
                .utf8
        )
        .write(to: URL(fileURLWithPath: planPath))
        let svg = dir.appendingPathComponent("marks.svg").path
        let e = #expect(throws: PlanError.self) { try run(["marks", planPath, "--svg", svg]) }
        #expect(e?.description.contains("focus[0].on: unknown subject \"b\"") == true)
        #expect(!FileManager.default.fileExists(atPath: svg))
    }

    @Test func demoWritesItsFilesAndItsPlanIsTheExample() throws {
        let example = try String(
            contentsOf: repoRoot.appendingPathComponent("examples/demo-rack.yaml"), encoding: .utf8)
        #expect(DemoCommand.planText == example)
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(["demo", "-o", dir.path, "--size", "160x90"])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(
            files == ["contact-sheet.png", "depth.exr", "marks.svg", "plan.svg", "plate.mp4", "rack.mp4", "shot.yaml"])
    }

    @Test func marksTableUsesThePlansUnits() throws {
        let plan = try loadPlan(repoRoot.appendingPathComponent("examples/reveal-50mm.yaml").path).plan
        let text = MarksCommand.render(plan)
        #expect(text.contains("3'2\""))
        #expect(text.contains("28'0\""))
    }
}

@Suite("rackfocus program")
struct ProgramCommandTests {
    @Test func writesTheCSVAndOpenTrackIOSamples() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = repoRoot.appendingPathComponent("examples/split-dual-plane.json").path
        let csv = dir.appendingPathComponent("pull.csv").path, otio = dir.appendingPathComponent("lens.json").path
        try run(["program", plan, "--rate", "50", "-o", csv, "--opentrackio", otio])
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "time_s,focus_m,ring_deg,encoder")
        #expect(lines.count == 1 + 351)
        let row = lines[1].split(separator: ",")
        #expect(row.count == 4 && Double(row[0]) == 0 && Double(row[1]) == 3.2)
        // One OpenTrackIO sample per frame (25 fps, 7 s): focus distance, f-stop, normalised encoder.
        let samples = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: otio))) as? [[String: Any]])
        #expect(samples.count == 176)
        for s in samples {
            let lens = try #require(s["lens"] as? [String: Any])
            #expect((lens["fStop"] as? Double) == 2.8)
            let d = try #require(lens["focusDistance"] as? Double)
            let e = try #require((lens["encoders"] as? [String: Any])?["focus"] as? Double)
            #expect(d >= 3.2 && d <= 4.1 && e > 0 && e < 1)
            #expect((s["protocol"] as? [String: Any])?["name"] as? String == "OpenTrackIO")
            #expect(((s["timing"] as? [String: Any])?["timecode"] as? [String: Any])?["frames"] is Int)
        }
        // Farther is nearer 0 (infinity).
        let first = (samples.first!["lens"] as! [String: Any])["encoders"] as! [String: Any]
        let last = (samples.last!["lens"] as! [String: Any])["encoders"] as! [String: Any]
        #expect((first["focus"] as! Double) > (last["focus"] as! Double))
    }

    @Test func aTStopPlanWritesItsTStopNotAnFStop() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = repoRoot.appendingPathComponent("examples/dialogue-85mm.yaml").path  // stop: T2
        let csv = dir.appendingPathComponent("pull.csv").path, otio = dir.appendingPathComponent("lens.json").path
        try run(["program", plan, "-o", csv, "--opentrackio", otio])
        let samples = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: otio))) as? [[String: Any]])
        let lens = try #require(samples.first?["lens"] as? [String: Any])
        #expect((lens["tStop"] as? Double) == 2)
        #expect(lens["fStop"] == nil)
    }

    @Test func aBadOutputNameWritesNothing() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("pull.txt").path
        // Refused while the options are validated, before the plan is read.
        #expect {
            try run(["program", repoRoot.appendingPathComponent("examples/demo-rack.yaml").path, "-o", out])
        } throws: { RackFocusCommand.message(for: $0).contains("as .csv or .json") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}

@Suite("rackfocus dialogue")
struct DialogueCommandTests {
    @Test func writesAPlanThatLoadsAndPlans() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("scene.yaml").path
        try run([
            "dialogue", repoRoot.appendingPathComponent("examples/dialogue-scene.srt").path,
            "--plan", repoRoot.appendingPathComponent("examples/dialogue-85mm.yaml").path, "-o", out,
        ])
        try run(["plan", out])
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("  - { at: 0f, on: ben }"))
        #expect(text.contains("  - { rack: anna, start: 54f, duration: 12f, curve: landing }"))
        // The base plan's subject notes and sensor name come through.
        let written = try ShotPlan.load(contentsOf: out)
        let notes = Dictionary(uniqueKeysWithValues: written.subjects.map { ($0.name, $0.note) })
        #expect(notes["anna"] == "foreground shoulder, camera left")
        #expect(notes["bar"] == "bottles behind Ben")
        #expect(text.contains("  sensor: super35\n"))
    }

    /// Outputs named for another format are refused before anything is read or written.
    @Test(arguments: [
        (["dialogue", "s.srt", "--plan", "p.yaml", "-o", "d.txt"], "name it .yaml"),
        (["program", "p.yaml", "-o", "pull.txt"], "as .csv or .json"),
        (["program", "p.yaml", "--opentrackio", "lens.txt"], "OpenTrackIO is JSON"),
    ])
    func anOutputOfTheWrongKindIsRefused(args: [String], message: String) {
        #expect {
            _ = try RackFocusCommand.parseAsRoot(args)
        } throws: { error in
            RackFocusCommand.message(for: error).contains(message)
        }
    }
}
