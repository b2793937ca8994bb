import Foundation
import Testing

@testable import RackFocusPlan

@Suite("Dialogue racks from a transcript")
struct DialogueTests {
    static let base = try! ShotPlan.load(contentsOf: examplesFolder.appendingPathComponent("dialogue-85mm.yaml").path)

    static func racks(_ file: String) throws -> DialogueRacks.Result {
        let path = examplesFolder.appendingPathComponent(file).path
        return try DialogueRacks().racks(for: try Transcript.load(contentsOf: path), plan: base, file: path)
    }

    @Test(arguments: ["dialogue-scene.srt", "dialogue-scene.vtt"])
    func focusFollowsTheSpeakersAndLandsBeforeEachLine(file: String) throws {
        let result = try Self.racks(file)
        #expect(result.initial == "ben")
        // Anna's first line starts at 3.0 s: the rack lands 0.25 s before it. Ben's "Right." (0.5 s,
        // answered by Anna) is an interjection; Ben's next line (9.2 s) comes after Anna has held
        // her mark since 6.1 s, so focus lands on him 0.25 s before it.
        #expect(result.racks.map(\.subject) == ["anna", "ben"])
        #expect(abs(result.racks[0].start + result.racks[0].duration - 2.75) < 1e-9)
        #expect(abs(result.racks[1].start + result.racks[1].duration - 8.95) < 1e-9)
        #expect(result.dropped.count == 1 && result.dropped[0].contains("interjection"))
    }

    @Test func labelsInEveryCommonForm() {
        #expect(Transcript.label("ANNA: Hello").0 == "ANNA")
        #expect(Transcript.label("- BEN: Hi").0 == "BEN")
        #expect(Transcript.label("[Anna] Hello").0 == "Anna")
        #expect(Transcript.label("(BEN) Hi").0 == "BEN")
        #expect(Transcript.label("<v Anna>Hello</v>") == ("Anna", "Hello"))
        #expect(Transcript.label("<v.loud Ben>Hi</v>").0 == "Ben")
        #expect(Transcript.label("It was 8:15, you said.").0 == nil)
    }

    @Test func overlappingLinesAreAnErrorNamingBoth() {
        let srt = "1\n00:00:01,000 --> 00:00:03,000\nANNA: One.\n\n2\n00:00:02,500 --> 00:00:04,000\nBEN: Two.\n"
        #expect {
            _ = try DialogueRacks().racks(for: try Transcript.parse(srt, file: "s.srt"), plan: Self.base, file: "s.srt")
        } throws: { error in
            let text = (error as? PlanError)?.description ?? ""
            return text.contains("s.srt:6") && text.contains("before the line at line 2 ends")
                && text.contains("do not overlap")
        }
    }

    @Test func unknownAndMissingSpeakersAreErrorsNamingTheLine() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nNo label here.\n\n2\n00:00:03,000 --> 00:00:04,000\nCARL: Who?\n"
        #expect {
            _ = try DialogueRacks().racks(for: try Transcript.parse(srt, file: "s.srt"), plan: Self.base, file: "s.srt")
        } throws: { error in
            let text = (error as? PlanError)?.description ?? ""
            return text.contains("s.srt:2") && text.contains("no speaker")
                && text.contains("s.srt:6") && text.contains("speaker \"CARL\" is not a subject")
                && text.contains("subjects are: anna, ben, bar")
        }
    }

    /// Subtitles label a change of speaker: a later unlabelled line is the previous speaker's,
    /// and the transcript lists it (the command notes it); the scene's line 22 is Ben's.
    @Test func anUnlabelledLineContinuesThePreviousSpeaker() throws {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nANNA: One.\n\n2\n00:00:02,500 --> 00:00:04,000\nstill Anna.\n"
        let transcript = try Transcript.parse(srt, file: "s.srt")
        #expect(transcript.cues.map(\.speaker) == ["ANNA", "ANNA"])
        #expect(transcript.continued == [6])
        let scene = try Transcript.load(contentsOf: examplesFolder.appendingPathComponent("dialogue-scene.srt").path)
        #expect(scene.continued == [22] && scene.cues.last?.speaker == "BEN")
    }

    @Test func aBadTimingIsAnError() {
        #expect(throws: PlanError.self) { try Transcript.parse("1\n00:00:02,000 --> 00:00:01,000\nANNA: Backwards.\n") }
    }
}
