import Foundation
import Testing

@testable import RackFocusPlan

@Suite("Prompts for AI video models")
struct RackPromptTests {
    static func example(_ name: String) throws -> ShotPlan {
        try ShotPlan.load(contentsOf: examplesFolder.appendingPathComponent(name).path)
    }

    @Test func theDemoRackReadsInTheWordsVideoModelsAreGiven() throws {
        let text = RackPrompt.text(for: try Self.example("demo-rack.yaml"), style: .detailed)
        for phrase in [
            "an 85mm lens at f/1.8", "very shallow depth of field", "ball (on the left of frame) in crisp focus",
            "figure (on the right of frame) 4.50 m behind, in the background",
            "At 1 second a foreground-to-background rack focus",
            "over 1.5 seconds", "lands on figure at 2.5 seconds", "ball dissolves into a heavy, unrecognisable blur",
            "no focus hunting, no overshoot",
        ] {
            #expect(text.contains(phrase), "missing \"\(phrase)\" in: \(text)")
        }
    }

    @Test func shortStyleGivesOneLinePerRackInItsDirection() throws {
        let lines = RackPrompt.text(for: try Self.example("dialogue-85mm.yaml"), style: .short).split(separator: "\n")
        #expect(lines.count == 2)
        // ben (2.4 m) → anna (1.2 m), then back.
        #expect(lines[0].hasPrefix("Cinematic background-to-foreground rack focus: ben sharp while anna is"))
        #expect(lines[1].hasPrefix("Cinematic foreground-to-background rack focus: anna sharp while ben is"))
    }

    @Test func aRackThatWillNotReadIsNotSoldAsShallowFocus() throws {
        let text = RackPrompt.text(for: try Self.example("wide-fast-rack.yaml"), style: .short)
        #expect(text.contains("in a sudden snap"))
        #expect(text.contains("Deep depth of field, the focus shift barely visible"))
        #expect(!text.contains("Very shallow"))
    }

    /// A split focus opens between two subjects: the prompt names the one it holds sharp, and
    /// what becomes of it, not just a distance.
    @Test(arguments: [RackPrompt.Style.short, .detailed])
    func aSplitFocusNamesBothSubjects(style: RackPrompt.Style) throws {
        let text = RackPrompt.text(for: try Self.example("dual-plane.yaml"), style: style)
        #expect(text.contains("a split focus at 2.30 m holding witness"), "\(text)")
        #expect(text.contains("witness goes slightly soft"), "\(text)")
        #expect(!text.contains("2.30 m goes"), "\(text)")
    }

    @Test func distancesAreInThePlansUnits() throws {
        let text = RackPrompt.text(for: try Self.example("reveal-50mm.yaml"), style: .detailed)
        #expect(text.contains(#"24'10" behind"#), "\(text)")
        #expect(!text.contains(" m behind"))
    }
}
