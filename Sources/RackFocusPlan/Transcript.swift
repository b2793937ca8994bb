import Foundation

/// Subtitle cues with their speakers, from SubRip (.srt) or WebVTT (.vtt).
///
/// Speakers are read from the cue text as subtitlers mark them: `ANNA: line`, `- ANNA: line`,
/// `[ANNA] line`, `(ANNA) line`, or WebVTT voice spans `<v Anna>line</v>` (`<v.loud Anna>` too).
/// A cue without a label continues the previous speaker (subtitles label a change of speaker,
/// not every line); `continued` lists them so that a caller can say so.
public struct Transcript: Sendable {
    public struct Cue: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var speaker: String?
        public var text: String
        /// The line of the file where the cue's timing is.
        public var line: Int
        /// Whether the cue carries its own speaker label (else it continues the previous one).
        public var labelled: Bool = true
    }

    /// The file lines of cues without a label of their own after the first.
    public var continued: [Int] { cues.dropFirst().filter { !$0.labelled }.map(\.line) }

    public var cues: [Cue]

    public static func load(contentsOf path: String) throws(PlanError) -> Transcript {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanError(
                file: path,
                issues: [PlanIssue(path: "", line: nil, message: "cannot read the file", fix: "check the path")])
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    public static func parse(_ text: String, file: String? = nil) throws(PlanError) -> Transcript {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cues: [Cue] = []
        var issues: [PlanIssue] = []
        var i = 0
        var speaker: String?
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            guard line.contains("-->") else { i += 1; continue }
            let timing = line.components(separatedBy: "-->")
            let startText = timing[0].trimmingCharacters(in: .whitespaces)
            let endText =
                timing[1].trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            guard let start = seconds(startText), let end = seconds(endText), end > start else {
                issues.append(
                    PlanIssue(
                        path: "cue", line: i + 1, message: "\"\(line)\" is not a cue timing",
                        fix: "write 00:00:01,000 --> 00:00:03,500 (SRT) or 00:01.000 --> 00:03.500 (VTT)"))
                i += 1; continue
            }
            var body: [String] = []
            var j = i + 1
            while j < lines.count, !lines[j].trimmingCharacters(in: .whitespaces).isEmpty {
                body.append(lines[j]); j += 1
            }
            let joined = body.joined(separator: " ")
            let (who, said) = label(joined)
            if let who { speaker = who }
            cues.append(Cue(start: start, end: end, speaker: speaker, text: said, line: i + 1, labelled: who != nil))
            i = j
        }
        if cues.isEmpty && issues.isEmpty {
            issues.append(
                PlanIssue(
                    path: "", line: nil, message: "no cues found",
                    fix: "give an .srt or .vtt file with timed, labelled lines"))
        }
        guard issues.isEmpty else { throw PlanError(file: file, issues: issues) }
        return Transcript(cues: cues)
    }

    /// `00:00:01,500`, `00:01.500`, `1:02:03.250` → seconds.
    static func seconds(_ text: String) -> Double? {
        let parts = text.replacingOccurrences(of: ",", with: ".").split(separator: ":")
        guard (2...3).contains(parts.count), let s = Double(parts.last!) else { return nil }
        var total = s
        for (k, p) in parts.dropLast().reversed().enumerated() {
            guard let v = Int(p) else { return nil }
            total += Double(v) * (k == 0 ? 60 : 3600)
        }
        return total
    }

    /// The speaker label at the start of a cue's text, and the text without it.
    static func label(_ text: String) -> (String?, String) {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("- ") { t.removeFirst(2) }
        if t.hasPrefix("<v"), let close = t.firstIndex(of: ">") {
            // <v Anna> or <v.loud Anna>: the classes (.loud) come before the name.
            var tag = String(t[t.index(t.startIndex, offsetBy: 2)..<close])
            if tag.hasPrefix(".") {
                tag = tag.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            }
            let trimmed = tag.trimmingCharacters(in: .whitespaces)
            let name: String? = trimmed.isEmpty ? nil : trimmed
            let rest = t[t.index(after: close)...].replacingOccurrences(of: "</v>", with: "")
            return (name, rest.trimmingCharacters(in: .whitespaces))
        }
        for (open, close) in [("[", "]"), ("(", ")")] where t.hasPrefix(open) {
            if let end = t.firstIndex(of: Character(close)) {
                let name = String(t[t.index(after: t.startIndex)..<end]).trimmingCharacters(in: .whitespaces)
                if !name.isEmpty {
                    return (name, String(t[t.index(after: end)...]).trimmingCharacters(in: .whitespaces))
                }
            }
        }
        // NAME: text, where NAME is one to three words without digits or sentence punctuation and
        // the colon is followed by a space (so "at 8:15" is no label).
        if let colon = t.firstIndex(of: ":"), t.index(after: colon) == t.endIndex || t[t.index(after: colon)] == " " {
            let name = String(t[..<colon]).trimmingCharacters(in: .whitespaces)
            let words = name.split(separator: " ")
            if !words.isEmpty, words.count <= 3,
                name.rangeOfCharacter(from: CharacterSet(charactersIn: ".,!?\"").union(.decimalDigits)) == nil
            {
                return (name, String(t[t.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
        }
        return (nil, t)
    }
}
