/// Finds racks in sharpness curves: one region losing sharpness while another gains it; then how
/// each landed (settled, overshot, hunted) and its speed profile.
///
/// Frames are numbered as in the clip. A rack's start is the last frame still at the first mark
/// and its landing the first frame at which the target has settled, matching a plan's cue frames
/// (`start` and `land`).
public struct RackDetector: Sendable {
    /// Smallest threshold for a frame-to-frame change to count as focus moving (relative units).
    public var minStep = 0.004
    /// Smallest change over a run of moving frames for the run to be a move (relative units).
    public var minTravel = 0.25
    /// Frames of stillness that still belong to one move.
    public var maxGap = 2

    public init() {}

    public func detect(_ curves: [SharpnessCurve], fps: Double) -> (racks: [RackEvent], hunts: [HuntEvent]) {
        let live = curves.indices.filter { curves[$0].changes }
        // Runs of motion per region.
        var runs: [(region: Int, run: Run)] = []
        for i in live { runs += motionRuns(curves[i]).map { (i, $0) } }
        let rising = runs.filter { $0.run.net > 0 }, falling = runs.filter { $0.run.net < 0 }
        var usedFalling = Set<Int>()
        var racks: [RackEvent] = []
        for r in rising.sorted(by: { $0.run.first < $1.run.first }) {
            // The falling run of another region that overlaps it most (or ends right before it).
            var best: (index: Int, overlap: Int)?
            for (k, f) in falling.enumerated() where f.region != r.region && !usedFalling.contains(k) {
                let overlap = min(r.run.last, f.run.last) - max(r.run.first, f.run.first) + maxGap + 1
                if overlap > 0, overlap > (best?.overlap ?? 0) { best = (k, overlap) }
            }
            if let b = best { usedFalling.insert(b.index) }
            // A rise overlapping a rack already found for this target (an overshoot's recovery) is
            // part of that rack.
            if let last = racks.last, last.to == curves[r.region].name, r.run.first <= (last.settleSearchEnd ?? last.landFrame ?? Int.max) {
                continue
            }
            let src = best.map { falling[$0.index] }
            racks.append(RackEvent(from: src.map { curves[$0.region].name }, to: curves[r.region].name,
                                   startFrame: max(0, min(r.run.first, src?.run.first ?? Int.max) - 1),
                                   rawEnd: max(r.run.last, src?.run.last ?? 0)))
        }
        // Falls nobody rose to meet: focus left a region for something not measured.
        for (k, f) in falling.enumerated() where !usedFalling.contains(k) {
            if racks.contains(where: { $0.from == nil && abs($0.startFrame - f.run.first) <= 3 }) { continue }
            if racks.contains(where: { $0.to == curves[f.region].name && f.run.first <= ($0.settleSearchEnd ?? 0) && f.run.first >= $0.startFrame }) { continue }
            racks.append(RackEvent(from: curves[f.region].name, to: nil, startFrame: max(0, f.run.first - 1), rawEnd: f.run.last))
        }
        racks.sort { $0.startFrame < $1.startFrame }
        let frameCount = curves.first?.raw.count ?? 0
        for k in racks.indices {
            let windowEnd = k + 1 < racks.count ? racks[k + 1].startFrame : frameCount - 1
            settle(&racks[k], curves: curves, windowEnd: windowEnd, fps: fps)
        }
        return (racks, hunts(curves, live: live, racks: racks, fps: fps))
    }

    struct Run { var first: Int; var last: Int; var net: Double }

    /// Runs of frames whose change from the previous frame exceeds the curve's noise threshold,
    /// merged across short gaps, kept when their net change is a real share of the range.
    func motionRuns(_ c: SharpnessCurve) -> [Run] {
        let v = c.relative
        let threshold = max(4 * c.noise, minStep)
        var out: [Run] = []
        var current: Run?
        for t in 1..<max(1, v.count) where abs(v[t] - v[t - 1]) > threshold {
            if var r = current, t - r.last <= maxGap + 1 {
                r.last = t; current = r
            } else {
                if let r = current { out.append(r) }
                current = Run(first: t, last: t, net: 0)
            }
        }
        if let r = current { out.append(r) }
        // Split runs where the direction reverses by more than minTravel (overshoot, hunting).
        var split: [Run] = []
        for r in out { split += splitAtReversals(r, v) }
        return split.compactMap { r in
            var r = r
            r.net = v[r.last] - v[max(0, r.first - 1)]
            return abs(r.net) >= minTravel ? r : nil
        }
    }

    private func splitAtReversals(_ r: Run, _ v: [Double]) -> [Run] {
        let turns = turningPoints(v, from: max(0, r.first - 1), to: r.last, hysteresis: minTravel)
        guard turns.count > 0 else { return [r] }
        var out: [Run] = []
        var a = r.first
        for t in turns where t > a && t < r.last { out.append(Run(first: a, last: t, net: 0)); a = t + 1 }
        out.append(Run(first: a, last: r.last, net: 0))
        return out
    }

    /// Indices of alternating extrema of v[from...to] that stand at least `hysteresis` above or
    /// below their neighbours (the end points are not turning points).
    func turningPoints(_ v: [Double], from: Int, to: Int, hysteresis: Double) -> [Int] {
        guard to > from else { return [] }
        var out: [Int] = []
        var extreme = from, direction = 0 // +1 rising to a peak, −1 falling to a trough
        for t in (from + 1)...to {
            switch direction {
            case 0:
                if v[t] - v[extreme] >= hysteresis { direction = 1; extreme = t }
                else if v[extreme] - v[t] >= hysteresis { direction = -1; extreme = t }
                else if abs(v[t] - v[from]) > abs(v[extreme] - v[from]) { extreme = t }
            case 1:
                if v[t] >= v[extreme] { extreme = t } else if v[extreme] - v[t] >= hysteresis { out.append(extreme); direction = -1; extreme = t }
            default:
                if v[t] <= v[extreme] { extreme = t } else if v[t] - v[extreme] >= hysteresis { out.append(extreme); direction = 1; extreme = t }
            }
        }
        return out
    }

    /// Landing, overshoot, hunting and speed profile of one rack, looking up to `windowEnd`.
    func settle(_ rack: inout RackEvent, curves: [SharpnessCurve], windowEnd: Int, fps: Double) {
        rack.settleSearchEnd = windowEnd
        let target = rack.to.flatMap { n in curves.first { $0.name == n } }
        let source = rack.from.flatMap { n in curves.first { $0.name == n } }
        guard let c = target ?? source else { return }
        let v = c.relative
        let rising = target != nil
        // The hold the move ends in: the last third of the window (at least 3 frames), or the end.
        let holdStart = max(rack.rawEnd, windowEnd - max(3, (windowEnd - rack.rawEnd) / 3))
        let hold = Array(v[min(holdStart, windowEnd)...windowEnd]).sorted()
        let final = hold[hold.count / 2]
        let tolerance = max(3 * c.noise, minStep)
        // Landing: the first frame after which the curve stays within tolerance of its final level.
        var land = windowEnd
        while land > rack.startFrame + 1 && abs(v[land - 1] - final) <= tolerance { land -= 1 }
        let stillMoving = rack.rawEnd >= windowEnd - 1 && windowEnd == v.count - 1 && abs(v[windowEnd] - v[max(0, windowEnd - 1)]) > max(4 * c.noise, minStep)
        rack.landFrame = stillMoving ? nil : land
        // Overshoot and hunting: reversals of the target between the first approach and landing.
        let hysteresis = max(0.06, 6 * c.noise)
        let turns = turningPoints(v, from: rack.startFrame, to: min(windowEnd, land + 1), hysteresis: hysteresis)
        let expectedFirst = rising ? turns.first.map { v[$0] > final - 0.5 } ?? false : turns.first.map { v[$0] < final + 0.5 } ?? false
        if turns.count >= 3 {
            rack.hunting = Hunt(firstFrame: turns.first!, lastFrame: land, reversals: turns.count)
        } else if turns.count >= 1 && expectedFirst {
            // A peak past the mark, a dip, and back: an overshoot corrected.
            let peak = turns[0], dip = turns.count > 1 ? turns[1] : peak
            rack.overshoot = Overshoot(passFrame: peak, farthestFrame: dip, correctedFrame: land,
                                       sharpnessLost: abs(v[peak] - v[dip == peak ? land : dip]))
        }
        // The speed profile needs the focus distance itself (sharpness is flat near focus, so
        // every move looks eased in sharpness): see `FocusAnalysis.attachFocusCurve`.
    }

    /// Oscillation of a region's sharpness outside racks: three or more reversals, each at least
    /// the hysteresis, with no more than a second between turns.
    func hunts(_ curves: [SharpnessCurve], live: [Int], racks: [RackEvent], fps: Double) -> [HuntEvent] {
        var out: [HuntEvent] = []
        for i in live {
            let c = curves[i]
            let turns = turningPoints(c.relative, from: 0, to: c.relative.count - 1, hysteresis: max(0.15, 6 * c.noise))
            var cluster: [Int] = []
            func flush() {
                defer { cluster = [] }
                guard cluster.count >= 3 else { return }
                let span = cluster.first!...cluster.last!
                // Already told as a rack's hunting landing.
                if racks.contains(where: { r in r.hunting.map { span.overlaps($0.firstFrame...max($0.firstFrame, $0.lastFrame)) } ?? false }) { return }
                out.append(HuntEvent(region: c.name, firstFrame: cluster.first!, lastFrame: cluster.last!, reversals: cluster.count))
            }
            for t in turns {
                if let last = cluster.last, Double(t - last) > fps { flush() }
                cluster.append(t)
            }
            flush()
        }
        return out
    }
}

/// The shape of a move's progress over time.
public enum SpeedProfile {
    /// Progress samples 0 → 1 at equal time steps, classified by when half the move is done and how
    /// fast the ends are against the middle: "linear", "ease in" (slow start), "ease out" (slow
    /// end), "ease in and out".
    public static func classify(_ p: [Double]) -> String {
        let n = p.count - 1
        guard n >= 4 else { return "snap" }
        func speed(_ a: Double, _ b: Double) -> Double {
            let i = Int((a * Double(n)).rounded()), j = max(i + 1, Int((b * Double(n)).rounded()))
            return (p[min(j, n)] - p[i]) / (Double(min(j, n) - i) / Double(n))
        }
        let startSpeed = speed(0, 0.2), middle = speed(0.4, 0.6), endSpeed = speed(0.8, 1)
        let slowStart = startSpeed < 0.6 * max(middle, endSpeed), slowEnd = endSpeed < 0.6 * max(middle, startSpeed)
        switch (slowStart, slowEnd) {
        case (true, true): return "ease in and out"
        case (true, false): return "ease in"
        case (false, true): return "ease out"
        default: return "linear"
        }
    }
}

/// A detected rack.
public struct RackEvent: Sendable, Equatable, Encodable {
    /// The region that was sharp before (nil: something not measured).
    public var from: String?
    /// The region focus landed on (nil: focus left `from` for something not measured).
    public var to: String?
    /// The last frame still at the first mark.
    public var startFrame: Int
    /// The first frame at which the target has settled (nil: the clip ends before it settles).
    public var landFrame: Int?
    public var overshoot: Overshoot?
    public var hunting: Hunt?
    /// "linear", "ease in", "ease out", "ease in and out".
    public var profile: String?
    /// With depth: the focus distance at the start and at the landing, metres.
    public var fromMeters: Double?
    public var toMeters: Double?
    /// With depth: the farthest the focus went past the target, metres (overshoot).
    public var overshootMeters: Double?
    var rawEnd: Int
    var settleSearchEnd: Int?

    init(from: String?, to: String?, startFrame: Int, rawEnd: Int) {
        self.from = from; self.to = to; self.startFrame = startFrame; self.rawEnd = rawEnd
    }

    public var durationFrames: Int? { landFrame.map { $0 - startFrame } }

    enum CodingKeys: String, CodingKey {
        case from, to, startFrame, landFrame, overshoot, hunting, profile, fromMeters, toMeters, overshootMeters
    }
}

/// The target came sharp, went past and came back.
public struct Overshoot: Sendable, Equatable, Codable {
    /// Frame where the target was sharpest on the way past.
    public var passFrame: Int
    /// Frame farthest past the target (sharpness at its dip).
    public var farthestFrame: Int
    /// Frame where it settled back.
    public var correctedFrame: Int
    /// Relative sharpness lost at the dip.
    public var sharpnessLost: Double
}

/// Focus reversing again and again around a mark.
public struct Hunt: Sendable, Equatable, Codable {
    public var firstFrame: Int
    public var lastFrame: Int
    public var reversals: Int
}

/// Hunting outside any rack: a region whose sharpness oscillates.
public struct HuntEvent: Sendable, Equatable, Codable {
    public var region: String
    public var firstFrame: Int
    public var lastFrame: Int
    public var reversals: Int
}
