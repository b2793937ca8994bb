import RackFocusOptics

/// Builds the focus timeline from typed focus entries (presets already expanded), one entry at a
/// time: a small state machine whose state is where focus sits (`current`) and until when the
/// last move runs (`lastEnd`). A mark holds or cuts; a rack moves from where focus sits (or its
/// `from:`) to its target over its cue. Moves keep the index of the entry they came from in the
/// file, so messages name it.
struct FocusTimeline {
    let fps: FrameRate
    let camera: Camera
    let subjects: [Subject]
    /// The shot's stated length, when it has one.
    let duration: Double?

    private(set) var initial: (FocusTarget, Distance)?
    private(set) var current: (FocusTarget, Distance)?
    private(set) var moves: [FocusCurve.Move] = []
    private var lastEnd = 0.0
    private var lastEndPath = ""
    /// Whether a mark came before.
    private var sawMark = false
    /// A mark came before and focus still has no start: that mark failed, and its own error (or
    /// its subject's) is the news, not the absence of a start.
    private var markFailed: Bool { initial == nil && sawMark }

    init(fps: FrameRate, camera: Camera, subjects: [Subject], duration: Double?) {
        self.fps = fps
        self.camera = camera
        self.subjects = subjects
        self.duration = duration
    }

    /// The timeline of `items`, or nil (with every problem logged).
    static func build(
        _ items: [FocusItem], fps: FrameRate, camera: Camera, subjects: [Subject], duration: Double?,
        log: inout IssueLog
    ) -> FocusCurve? {
        let errorsBefore = log.errors.count
        var timeline = FocusTimeline(fps: fps, camera: camera, subjects: subjects, duration: duration)
        for (index, item) in items.enumerated() {
            switch item.entry {
            case .mark(let m): timeline.mark(m, index: index, entry: item.source, log: &log)
            case .rack(let r): timeline.rack(r, entry: item.source, log: &log)
            }
        }
        guard log.errors.count == errorsBefore, let initial = timeline.initial else {
            if log.errors.count == errorsBefore && !timeline.markFailed {
                log.error(
                    PlanIssue(
                        path: "focus", message: "focus never says where to start",
                        fix: "begin with { at: 0s, on: SUBJECT }"))
            }
            return nil
        }
        return FocusCurve(initialTarget: initial.0, initial: initial.1, moves: timeline.moves)
    }

    func time(_ w: Written?, log: inout IssueLog) -> Double? {
        log.value(w, "time") { t throws(ValueError) in try TimeSpec(parsing: t).seconds(at: fps) }
    }

    /// A subject by name, or a distance; a subject only a depth map can place gets a NaN distance.
    func target(_ w: Written, log: inout IssueLog) -> (FocusTarget, Distance)? {
        guard let text = w.text else { log.error(w.issue("expected a subject name or a distance")); return nil }
        if let s = subjects.first(where: { $0.name == text }) {
            guard let d = s.distance else {
                guard s.hasImagePosition else { return nil }  // reported with the subject
                log.needsDepth.append(
                    w.issue(
                        "subject \(text) is placed in the image but has no measured distance",
                        fix: "give a depth map (--depth) to read it, or add distance: to subjects.\(text)"))
                return (.subject(text), Distance(meters: .nan))
            }
            return (.subject(text), d)
        }
        if let d = try? Distance(parsing: text) {
            if let p = PlanBuilder.distanceProblem(d, camera: camera, place: w.place) {
                if p.isError { log.error(p.issue); return nil } else { log.warn(p.issue) }
            }
            return (.distance(d), d)
        }
        let known = subjects.map(\.name)
        let hint = closestName(to: text, in: known).map { "did you mean \($0)? " } ?? ""
        log.error(
            w.issue(
                "unknown subject \"\(text)\"",
                fix: "\(hint)subjects are: \(known.joined(separator: ", ")); or write a distance such as 3m"))
        return nil
    }

    /// A mark: the opening target, or a cut (warned about) once focus is somewhere.
    mutating func mark(_ m: FocusMark, index: Int, entry: Int, log: inout IssueLog) {
        let at = m.at == nil ? (index == 0 ? 0 : nil) : time(m.at, log: &log)
        if m.at == nil && index > 0 {
            log.error(m.place.issue("a mark after the first needs at:", fix: "write { at: 4s, on: SUBJECT }"))
        }
        defer { sawMark = true }
        guard let t = target(m.on, log: &log), let at else { return }
        if at < 0 {
            log.error(m.at!.issue("time \(at)s is before the shot starts", fix: "times count from 0s")); return
        }
        if let duration, at > duration {
            log.error(
                m.at!.issue(
                    "mark at \(fmt(at))s is past the end of the shot (\(fmt(duration))s)",
                    fix: "move it earlier or lengthen duration"))
        }
        guard let cur = current else {
            if at > 0 { log.warn(m.place.issue("the first mark is at \(fmt(at))s; focus holds on \(t.0) from 0s")) }
            initial = t
            current = t
            return
        }
        if at < lastEnd {
            log.error(
                m.at!.issue(
                    "mark at \(fmt(at))s falls before \(lastEndPath) ends at \(fmt(lastEnd))s",
                    fix: "list focus entries in time order, after the rack lands"))
            return
        }
        if cur.1.meters.isNaN || t.1.meters.isNaN ? cur.0 != t.0 : cur.1 != t.1 {
            log.warn(
                m.place.issue(
                    "focus jumps from \(cur.0) to \(t.0) at \(fmt(at))s with no rack",
                    fix: "use { rack: \(t.0), start: …, duration: … } for a visible move"))
        }
        moves.append(
            .init(
                entry: entry, kind: .cut, start: at, end: at, from: cur.0, to: t.0, fromDistance: cur.1,
                toDistance: t.1, easing: .linear))
        lastEnd = at
        lastEndPath = m.place.path
        current = t
    }

    /// A rack: its cue resolved to a start and an end, checked against the moves before it.
    mutating func rack(_ r: FocusRack, entry: Int, log: inout IssueLog) {
        let to = target(r.to, log: &log)
        var from = current
        if let f = r.from {
            from = target(f, log: &log)
            if from == nil { return }
        }
        guard let to else { return }
        guard let fromMark = from else {
            if !markFailed {
                log.error(
                    r.place.issue(
                        "focus has nowhere to start from",
                        fix: "begin focus with { at: 0s, on: SUBJECT } or give this rack from: SUBJECT"))
            }
            return
        }
        guard let (start, end) = cue(r, log: &log) else { return }
        let curveName = r.curve?.text ?? "ease-in-out"
        guard let easing = Easing(name: curveName) else {
            log.error(
                (r.curve?.place ?? r.place).issue(
                    "unknown curve \"\(curveName)\"",
                    fix: "use one of \(Easing.allCases.map(\.rawValue).joined(separator: ", "))"))
            return
        }
        let cue = (r.start ?? r.land)!
        if start < 0 {
            log.error(
                cue.issue(
                    "this rack would start at \(fmt(start))s, before the shot begins",
                    fix: "land it later or shorten it"))
            return
        }
        if initial == nil {
            // A rack with `from:` may open the plan: focus holds on `from` until it starts.
            initial = fromMark
        } else if start < lastEnd {
            log.error(
                cue.issue(
                    "this rack starts at \(fmt(start))s, before \(lastEndPath) ends at \(fmt(lastEnd))s (overlapping moves)",
                    fix: "start it at \(fmt(lastEnd))s or later, or shorten the earlier move"))
            return
        }
        if let duration, end > duration + 1e-9 {
            log.error(
                cue.issue(
                    "this rack lands at \(fmt(end))s, past the end of the shot (\(fmt(duration))s)",
                    fix: "land it by \(fmt(duration))s or lengthen duration"))
            return
        }
        if let cur = current, let f = r.from, cur.0 != fromMark.0, cur.1 != fromMark.1 {
            log.warn(
                f.issue("focus is on \(cur.0), but this rack starts from \(fromMark.0): it will jump at \(fmt(start))s")
            )
        }
        if fromMark.0 == to.0 || fromMark.1 == to.1 {
            log.warn(r.place.issue("rack to \(to.0) does not move focus: it is already there"))
        }
        moves.append(
            .init(
                entry: entry, kind: .rack, start: start, end: end, from: fromMark.0, to: to.0,
                fromDistance: fromMark.1, toDistance: to.1, easing: easing))
        current = to
        lastEnd = end
        lastEndPath = r.place.path
    }

    /// The start and end of a rack from two of start, land and duration.
    func cue(_ r: FocusRack, log: inout IssueLog) -> (Double, Double)? {
        let startT = r.start.flatMap { time($0, log: &log) }
        let landT = r.land.flatMap { time($0, log: &log) }
        let dur = r.duration.flatMap { time($0, log: &log) }
        if r.start != nil && startT == nil || r.land != nil && landT == nil || r.duration != nil && dur == nil {
            return nil
        }
        if let d = dur, d <= 0 {
            log.error(r.duration!.issue("duration \(fmt(d))s is not positive", fix: "write e.g. 1.5s or 36f"));
            return nil
        }
        switch (startT, landT, dur) {
        case (let s?, let l?, nil):
            guard l > s else {
                log.error(
                    r.place.issue("lands at \(fmt(l))s, before it starts at \(fmt(s))s", fix: "swap start and land"));
                return nil
            }
            return (s, l)
        case (let s?, nil, let d?): return (s, s + d)
        case (nil, let l?, let d?): return (l - d, l)
        case (.some, .some, .some):
            log.error(
                r.place.issue(
                    "start, land and duration are all given", fix: "time a rack by start or by land, with a duration"));
            return nil
        case (nil, nil, _):
            log.error(
                r.place.issue(
                    "a rack needs a cue",
                    fix: "add start: 00:00:04:12 (when the move begins) or land: 5s (when it arrives)"));
            return nil
        default:
            log.error(r.place.issue("a rack needs a duration", fix: "add duration: 1.5s or 36f")); return nil
        }
    }

    func fmt(_ t: Double) -> String { PlanBuilder.fmt(t) }
}
