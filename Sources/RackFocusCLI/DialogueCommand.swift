import ArgumentParser
import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusShot

/// `rackfocus dialogue`: a plan whose focus follows the speakers of a subtitle file.
struct DialogueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialogue",
        abstract: "Write a plan whose focus follows the active speaker of an SRT or WebVTT transcript.",
        discussion: """
            Speaker labels (ANNA: …, [ANNA] …, WebVTT <v Anna>) name the base plan's subjects. Each \
            change of speaker racks focus to them, landing --lead before their line; focus stays at \
            least --min-hold on a speaker, so a short interjection does not ping-pong it. The result is \
            an ordinary plan: the base plan's camera and subjects with the racks, to read, edit, plan, \
            program or render.
              rackfocus dialogue scene.srt --plan base.yaml -o scene.yaml
            """)

    @Argument(help: "Subtitles: .srt or .vtt with speaker labels.") var subtitles: String
    @Option(help: "Base plan: its camera and subjects (with distances).") var plan: String
    @Option(name: .shortAndLong, help: "The plan to write (.yaml).") var output: String
    @Option(help: "Land this long before each line: 0.25s, 6f.") var lead: String = "0.25s"
    @Option(help: "Length of each rack.") var rack: String = "12f"
    @Option(help: "Shortest hold on a speaker before racking away.") var minHold: String = "1s"
    @Option(help: "Curve of each rack: linear, ease-in, ease-out, ease-in-out, landing.") var curve: String = "landing"

    func validate() throws {
        guard ["yaml", "yml"].contains((output as NSString).pathExtension.lowercased()) else {
            throw ValidationError("-o: \(output): the result is a shot plan; name it .yaml")
        }
    }

    func run() throws {
        try OutputPath.requireDistinct(output, from: [plan, subtitles])
        let base = try loadPlan(plan).plan
        func time(_ option: String, _ text: String) throws -> Double {
            let t = try parseOption(option, text) { t throws(ValueError) in
                try TimeSpec(parsing: t).seconds(at: base.fps)
            }
            guard t >= 0 else { throw CLIError("\(option): \(text) must not be negative") }
            return t
        }
        var planner = DialogueRacks()
        planner.lead = try time("--lead", lead)
        planner.rackDuration = try time("--rack", rack)
        planner.minHold = try time("--min-hold", minHold)
        guard planner.rackDuration > 0 else { throw CLIError("--rack: \(rack) must be longer than zero") }
        guard let easing = Easing(name: curve) else {
            throw CLIError("--curve: unknown curve \"\(curve)\"; use linear, ease-in, ease-out, ease-in-out or landing")
        }
        planner.curve = easing
        let transcript: Transcript
        let result: DialogueRacks.Result
        transcript = try Transcript.load(contentsOf: subtitles)
        result = try planner.racks(for: transcript, plan: base, file: subtitles)
        let fps = base.fps.fps
        var writer = PlanWriter(
            comments: [
                "Focus follows the speakers of \(subtitles) (rackfocus dialogue, base plan \(plan))",
                "Each rack lands \(lead) before its line; holds of at least \(minHold).",
            ],
            name: "\(base.name ?? "Dialogue") — \((subtitles as NSString).lastPathComponent)", fps: base.fps,
            frames: Int(((result.end + 0.5) * fps).rounded(.up)), camera: base.camera,
            resolution: base.camera.resolution,
            subjects: base.subjects.compactMap { s in s.distance.map { (s.name, $0) } },
            initial: result.initial,
            racks: result.racks.map { r in
                PlanWriter.Rack(
                    to: r.subject, startFrame: Int((r.start * fps).rounded()),
                    frames: max(1, Int((r.duration * fps).rounded())),
                    curve: easing, comment: "line \(r.line)")
            })
        for s in base.subjects { if let note = s.note { writer.notes[s.name] = note } }
        try AtomicFile.write(writer.yaml, to: output)
        for d in result.dropped { note("\(subtitles): \(d)") }
        let continued = transcript.continued
        if !continued.isEmpty {
            let lines =
                continued.prefix(8).map(String.init).joined(separator: ", ") + (continued.count > 8 ? ", …" : "")
            note(
                "\(subtitles): \(counted(continued.count, "unlabelled line")) (\(continued.count == 1 ? "line" : "lines") \(lines)) \(continued.count == 1 ? "continues" : "continue") the previous speaker"
            )
        }
        print(
            "\(counted(transcript.cues.count, "line")), \(counted(result.racks.count, "rack")), focus opens on \(result.initial) → \(output)"
        )
    }
}
