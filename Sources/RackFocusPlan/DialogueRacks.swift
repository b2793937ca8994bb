import RackFocusOptics

/// Focus that follows the active speaker of a transcript: a rack to each new speaker, landing a
/// lead before their line, with a minimum hold so short interjections do not ping-pong the focus.
public struct DialogueRacks: Sendable {
    /// Seconds before a line starts that focus lands on its speaker.
    public var lead: Double = 0.25
    /// Length of each rack, seconds.
    public var rackDuration: Double = 0.5
    /// Shortest time focus stays on a speaker before racking away, seconds. A rack that would
    /// break it starts late instead, or, when its line is over by then, is dropped; a line
    /// shorter than this that the current speaker answers (an interjection) gets no rack.
    public var minHold: Double = 1.0
    public var curve: Easing = .landing

    public init() {}

    /// A planned rack: to a subject, from `start` for `duration` seconds, with the cue it serves.
    public struct Rack: Sendable, Equatable {
        public var subject: String
        public var start: Double
        public var duration: Double
        /// The transcript line of the cue it serves.
        public var line: Int
    }

    public struct Result: Sendable {
        public var initial: String
        public var racks: [Rack]
        /// Speaker changes left out by the minimum hold, each naming its line.
        public var dropped: [String]
        /// The end of the last line, seconds.
        public var end: Double
    }

    /// Racks for `transcript` over the subjects of `plan` (speaker labels match subject names,
    /// ignoring case). Overlapping lines, an unlabelled first line and unknown speakers are errors
    /// naming the file and line; a later line without a label continues the previous speaker.
    public func racks(for transcript: Transcript, plan: ShotPlan, file: String?) throws(PlanError) -> Result {
        var issues: [PlanIssue] = []
        // Only subjects with a measured distance can be racked to.
        let names = plan.subjects.filter { $0.distance != nil }.map(\.name)
        func subject(_ speaker: String) -> String? { names.first { $0.lowercased() == speaker.lowercased() } }
        var reported = Set<String>()
        for (k, cue) in transcript.cues.enumerated() {
            if k > 0, cue.start < transcript.cues[k - 1].end {
                let previous = transcript.cues[k - 1]
                issues.append(
                    PlanIssue(
                        path: "cue", line: cue.line,
                        message: String(
                            format: "this line starts at %.3fs, before the line at line %d ends (%.3fs)", cue.start,
                            previous.line, previous.end),
                        fix:
                            "dialogue racks follow one speaker at a time: retime the lines so they do not overlap, or split the overlap into its own line"
                    ))
            }
            guard let speaker = cue.speaker else {
                issues.append(
                    PlanIssue(
                        path: "cue", line: cue.line, message: "no speaker for \"\(cue.text)\"",
                        fix:
                            "label the line with its speaker, e.g. \(names.first.map { $0.uppercased() } ?? "ANNA"): \(cue.text)"
                    ))
                continue
            }
            if subject(speaker) == nil && !reported.contains(speaker.lowercased()) {
                reported.insert(speaker.lowercased())
                issues.append(
                    PlanIssue(
                        path: "cue", line: cue.line, message: "speaker \"\(speaker)\" is not a subject of the plan",
                        fix:
                            "subjects are: \(names.joined(separator: ", ")); rename the label or add \(speaker.lowercased()) to the plan's subjects"
                    ))
            }
        }
        guard issues.isEmpty, let firstSpeaker = transcript.cues.first?.speaker.flatMap(subject) else {
            throw PlanError(file: file, issues: issues)
        }
        let lines = transcript.cues.map {
            Line(start: $0.start, end: $0.end, subject: subject($0.speaker!)!, line: $0.line)
        }
        return schedule(lines, initial: firstSpeaker)
    }

    /// One line of dialogue, already matched to a subject.
    public struct Line: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var subject: String
        /// Where the line is written (transcript line, or plan entry), for notes.
        public var line: Int
        public init(start: Double, end: Double, subject: String, line: Int) {
            self.start = start; self.end = end; self.subject = subject; self.line = line
        }
    }

    /// Racks for lines in time order that do not overlap, with focus on `initial` at 0 s.
    /// `duration(from, to)`, when given, sets each rack's length in place of `rackDuration`.
    public func schedule(_ lines: [Line], initial: String, duration: ((String, String) -> Double)? = nil) -> Result {
        var current = initial
        var landed = 0.0  // when focus last arrived where it is
        var racks: [Rack] = [], dropped: [String] = []
        for (k, cue) in lines.enumerated() {
            let who = cue.subject
            guard who != current else { continue }
            // An interjection: a line shorter than the hold, answered by the current speaker.
            let next = lines[(k + 1)...].first { $0.subject != who }
            if cue.end - cue.start < minHold, let next, next.subject == current {
                dropped.append(
                    "line \(cue.line): \(who)'s \(String(format: "%.2f", cue.end - cue.start)) s interjection; focus stays on \(current)"
                )
                continue
            }
            let rackDuration = duration?(current, who) ?? self.rackDuration
            var start = max(0, cue.start - lead - rackDuration)
            if start < landed + minHold {
                // Hold the current speaker long enough; rack late into the line if it lasts.
                start = landed + minHold
                if start + rackDuration > cue.end - minHold / 2 {
                    dropped.append(
                        "line \(cue.line): \(who)'s line ends before the minimum hold on \(current) is over; focus stays on \(current)"
                    )
                    continue
                }
            }
            racks.append(Rack(subject: who, start: start, duration: rackDuration, line: cue.line))
            current = who
            landed = start + rackDuration
        }
        return Result(initial: initial, racks: racks, dropped: dropped, end: lines.last?.end ?? 0)
    }
}
