/// Finds racks in sharpness curves: one region losing sharpness while another gains it; then how
/// each landed (settled, overshot, hunted). The speed profile needs the focus curve
/// (`RackEvent.attach(focus:)`).
///
/// Frames are numbered as in the clip. A rack's start is the last frame still at the first mark
/// and its landing the first frame at which the target has settled, matching a plan's cue frames
/// (`start` and `land`).
package struct RackDetector: Sendable {
    package init() {}

    /// Margin by which a region must out-sharpen the leader to take over (relative units).
    package var leadMargin = 0.1
    /// A leadership shorter than this (frames) is a region passed through during a move.
    package var minHold = 6
    /// Frames between one landing and the next start within which the two are one move.
    package var maxPause = 3

    package func detect(_ curves: [SharpnessCurve], fps: Double) -> (racks: [RackEvent], hunts: [HuntEvent]) {
        let live = curves.indices.filter { curves[$0].changes }
        let frames = curves.first?.raw.count ?? 0
        guard frames > 2 else { return ([], []) }
        // Who is sharp at each frame: the sharpest changing region, or nobody (−1) while none
        // stands clearly above half its range; a new leader must beat the old by a margin.
        var leader = [Int](repeating: -1, count: frames)
        var current = -1
        for t in 0..<frames {
            func level(_ i: Int) -> Double { i < 0 ? 0.5 : curves[i].relative[t] }
            var best = -1
            for i in live where level(i) > level(best) { best = i }
            if best != current && level(best) > level(current) + leadMargin { current = best }
            leader[t] = current
        }
        // Leadership segments; short ones between two others are transitional and merged away.
        var segments: [(who: Int, first: Int, last: Int)] = []
        for t in 0..<frames {
            if let last = segments.last, last.who == leader[t] {
                segments[segments.count - 1].last = t
            } else {
                segments.append((leader[t], t, t))
            }
        }
        var merged: [(who: Int, first: Int, last: Int)] = []
        for (k, s) in segments.enumerated() {
            // Nobody sharp between two regions is the middle of a move unless it lasts 2 s.
            let length = s.last - s.first + 1
            let transitional =
                k > 0 && k < segments.count - 1 && (length < minHold || (s.who < 0 && Double(length) < 2 * fps))
            if transitional { continue }
            if let last = merged.last, last.who == s.who {
                merged[merged.count - 1].last = s.last
            } else {
                merged.append(s)
            }
        }
        var racks: [RackEvent] = []
        for k in 1..<max(1, merged.count) {
            let a = merged[k - 1], b = merged[k]
            let switchFrame = b.first
            var rack = RackEvent(
                from: a.who >= 0 ? curves[a.who].name : nil, to: b.who >= 0 ? curves[b.who].name : nil,
                startFrame: switchFrame, switchFrame: switchFrame)
            let windowStart = k >= 2 ? merged[k - 1].first : 0
            rack.startFrame = startFrame(
                curves: curves, source: a.who, target: b.who, from: windowStart, switchFrame: switchFrame)
            racks.append(rack)
        }
        for k in racks.indices {
            // A move is watched until the next one starts.
            let windowEnd = k + 1 < racks.count ? max(racks[k].switchFrame, racks[k + 1].startFrame) : frames - 1
            settle(&racks[k], curves: curves, windowEnd: windowEnd)
        }
        // Hand-overs with no hold between them (the next leaves within `maxPause` frames of the
        // last landing) are one continuous move: focus sweeping across regions at intermediate
        // depths (tiles of a grid, a floor) on its way to the target.
        var joined: [RackEvent] = []
        for r in racks {
            if var last = joined.last, let land = last.landFrame, r.startFrame - land <= maxPause {
                last.to = r.to; last.landFrame = r.landFrame; last.switchFrame = r.switchFrame
                last.overshoot = r.overshoot; last.hunting = r.hunting
                joined[joined.count - 1] = last
            } else {
                joined.append(r)
            }
        }
        return (joined, hunts(curves, live: live, racks: joined, fps: fps))
    }

    /// The last frame before `switchFrame` at which both the source and the target are still at
    /// the levels they held before the move (each within its tolerance).
    func startFrame(curves: [SharpnessCurve], source: Int, target: Int, from windowStart: Int, switchFrame: Int) -> Int
    {
        let involved = [source, target].filter { $0 >= 0 }
        guard switchFrame > windowStart + 1 else { return max(0, switchFrame - 1) }
        var holds: [(v: [Double], level: Double, tolerance: Double)] = []
        for i in involved {
            let v = curves[i].relative
            // The hold before the move: the first half of the frames led by the source.
            let early = Array(v[windowStart...max(windowStart, (windowStart + switchFrame) / 2)]).sorted()
            holds.append((v, early[early.count / 2], holdTolerance(early, noise: curves[i].noise)))
        }
        var t = switchFrame - 1
        while t > windowStart && !holds.allSatisfy({ abs($0.v[t] - $0.level) <= $0.tolerance }) { t -= 1 }
        return t
    }

    /// Indices of alternating extrema of v[from...to] that stand at least `hysteresis` above or
    /// below their neighbours (the end points are not turning points).
    func turningPoints(_ v: [Double], from: Int, to: Int, hysteresis: Double) -> [Int] {
        guard to > from else { return [] }
        var out: [Int] = []
        var direction = 0  // +1 rising to a peak, −1 falling to a trough
        var high = from, low = from, extreme = from
        for t in (from + 1)...to {
            switch direction {
            case 0:
                if v[t] > v[high] { high = t }
                if v[t] < v[low] { low = t }
                if v[high] - v[t] >= hysteresis {
                    if high > from { out.append(high) }
                    direction = -1; extreme = t
                } else if v[t] - v[low] >= hysteresis {
                    if low > from { out.append(low) }
                    direction = 1; extreme = t
                }
            case 1:
                if v[t] >= v[extreme] {
                    extreme = t
                } else if v[extreme] - v[t] >= hysteresis {
                    out.append(extreme); direction = -1; extreme = t
                }
            default:
                if v[t] <= v[extreme] {
                    extreme = t
                } else if v[t] - v[extreme] >= hysteresis {
                    out.append(extreme); direction = 1; extreme = t
                }
            }
        }
        return out
    }

    /// How far a hold may wander and still be one level: three noise deviations, or the spread
    /// of the hold itself (codecs pump sharpness with their group of pictures: a 2.5% step at each
    /// I-frame of 400 kbit/s H.264 at 320×180), at least 3% of the range.
    func holdTolerance(_ sortedHold: [Double], noise: Double) -> Double {
        let n = sortedHold.count
        let spread = n >= 4 ? (sortedHold[n - 1 - n / 10] - sortedHold[n / 10]) / 2 : 0
        return max(3 * noise, spread * 1.2, 0.03)
    }

    /// Landing, overshoot and hunting of one rack, looking up to `windowEnd`.
    func settle(_ rack: inout RackEvent, curves: [SharpnessCurve], windowEnd: Int) {
        let target = rack.to.flatMap { n in curves.first { $0.name == n } }
        let source = rack.from.flatMap { n in curves.first { $0.name == n } }
        guard let c = target ?? source, windowEnd > rack.switchFrame else { return }
        let v = c.relative
        // The level the move ends at: the median of the second half of the window after the switch.
        let tail = Array(v[((rack.switchFrame + windowEnd) / 2)...windowEnd]).sorted()
        let final = tail[tail.count / 2]
        let tolerance = holdTolerance(tail, noise: c.noise)
        // Landing: the first frame after which the curve stays within tolerance of its final level.
        // A codec's group of pictures can shift a settled hold by a step at an I-frame: a single
        // jump between two flat runs, where a moving focus changes frame after frame. Such a step
        // (a flat run of at least `plateau` frames before it, within 3 tolerances) moves the level
        // instead of ending the landing search.
        var land = windowEnd, level = final
        let plateau = 4
        while land > rack.startFrame + 1 {
            if abs(v[land - 1] - level) <= tolerance {
                land -= 1
                continue
            }
            let runStart = land - plateau
            guard runStart > rack.startFrame, abs(v[land - 1] - level) <= 3 * tolerance,
                (runStart..<(land - 1)).allSatisfy({ abs(v[$0] - v[land - 1]) <= tolerance / 3 })
            else { break }
            level = v[land - 1]
        }
        // Still moving when the clip ends: it never landed.
        let endsMoving = windowEnd == v.count - 1 && land >= windowEnd - 1 && windowEnd - rack.switchFrame > 2
        rack.landFrame = endsMoving ? nil : land
        // Overshoot and hunting: reversals of the target between the switch and the landing.
        guard target != nil else { return }
        let hysteresis = max(0.06, 6 * c.noise, tolerance)
        // From just before the target first comes near its final level (its approach is no reversal).
        let arrival = (rack.startFrame...windowEnd).first { v[$0] >= final - tolerance - 0.1 } ?? rack.switchFrame
        let turns = turningPoints(
            v, from: max(rack.startFrame, arrival - 1), to: min(windowEnd, land + 1), hysteresis: hysteresis)
        if turns.count >= 3 {
            rack.hunting = Hunt(firstFrame: turns.first!, lastFrame: land, reversals: turns.count)
        } else if turns.count == 2, v[turns[0]] > final - 0.5, v[turns[0]] <= final + max(tolerance, 0.1) {
            // (Passing the mark cannot be sharper than landing on it: a higher peak is spurious
            // resolution, a blurred periodic texture reappearing with reversed contrast.)
            // Sharpest on the way past, a dip beyond the mark, and back.
            let peak = turns[0], dip = turns[1]
            rack.overshoot = Overshoot(
                passFrame: peak, farthestFrame: dip, correctedFrame: land,
                sharpnessLost: max(0, v[peak] - v[dip]))
        }
    }

    /// Oscillation of a region's sharpness outside racks: three or more reversals, each at least
    /// the hysteresis, with no more than a second between turns.
    func hunts(_ curves: [SharpnessCurve], live: [Int], racks: [RackEvent], fps: Double) -> [HuntEvent] {
        var out: [HuntEvent] = []
        for i in live {
            let c = curves[i]
            // Moves are told by their racks; hunting here is around a mark that focus holds.
            let turns = turningPoints(c.relative, from: 0, to: c.relative.count - 1, hysteresis: max(0.15, 6 * c.noise))
                .filter { t in !racks.contains { t >= $0.startFrame && t <= ($0.landFrame ?? Int.max) } }
            var cluster: [Int] = []
            func flush() {
                defer { cluster = [] }
                guard cluster.count >= 3 else { return }
                let span = cluster.first!...cluster.last!
                // Already told as a rack's hunting landing.
                if racks.contains(where: { r in
                    r.hunting.map { span.overlaps($0.firstFrame...max($0.firstFrame, $0.lastFrame)) } ?? false
                }) {
                    return
                }
                out.append(
                    HuntEvent(
                        region: c.name, firstFrame: cluster.first!, lastFrame: cluster.last!, reversals: cluster.count))
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
package enum SpeedProfile {
    /// Progress samples 0 → 1 at equal time steps, classified by the speed over the first and last
    /// fifth against the middle fifth (slower than 0.6 of it is eased): "linear", "ease in" (slow
    /// start), "ease out" (slow end), "ease in and out".
    package static func classify(_ p: [Double]) -> String {
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
package struct RackEvent: Sendable, Equatable, Encodable {
    /// The region that was sharp before (nil: something not measured).
    package var from: String?
    /// The region focus landed on (nil: focus left `from` for something not measured).
    package var to: String?
    /// The last frame still at the first mark.
    package var startFrame: Int
    /// The first frame at which the target has settled (nil: the clip ends before it settles).
    package var landFrame: Int?
    package var overshoot: Overshoot?
    package var hunting: Hunt?
    /// "linear", "ease in", "ease out", "ease in and out".
    package var profile: String?
    /// With depth: the focus distance at the start and at the landing, metres.
    package var fromMeters: Double?
    package var toMeters: Double?
    /// With depth: the farthest the focus went past the target, metres (overshoot).
    package var overshootMeters: Double?
    /// With depth: how much larger the picture is at the landing than at the start (1 = no
    /// breathing), measured where the blur is the same at both ends.
    package var breathingScale: Double?
    /// The frame the target took the lead: the landing is searched from here.
    var switchFrame: Int

    init(from: String?, to: String?, startFrame: Int, switchFrame: Int) {
        self.from = from; self.to = to; self.startFrame = startFrame; self.switchFrame = switchFrame
    }

    package var durationFrames: Int? { landFrame.map { $0 - startFrame } }

    /// Adds what the focus curve (metres per frame, from depth) tells of this rack: where focus
    /// left and landed, its speed profile in dioptres, and how far past the mark it went.
    package mutating func attach(focus: [Double?]) {
        guard let land = landFrame, land < focus.count, let a = focus[startFrame], let b = focus[land] else { return }
        fromMeters = a; toMeters = b
        let da = 1 / a, db = 1 / b
        if abs(db - da) > 1e-6, land - startFrame >= 4 {
            let progress = (startFrame...land).map { t in focus[t].map { (1 / $0 - da) / (db - da) } ?? .nan }
            if !progress.contains(where: \.isNaN) { profile = SpeedProfile.classify(progress) }
        }
        if let o = overshoot, o.farthestFrame < focus.count, let far = focus[o.farthestFrame] {
            overshootMeters = abs(far - b)
        }
    }

    enum CodingKeys: String, CodingKey {
        case from, to, startFrame, landFrame, overshoot, hunting, profile, fromMeters, toMeters, overshootMeters,
            breathingScale
    }
}

/// The target came sharp, went past and came back.
package struct Overshoot: Sendable, Equatable, Codable {
    /// Frame where the target was sharpest on the way past.
    package var passFrame: Int
    /// Frame farthest past the target (sharpness at its dip).
    package var farthestFrame: Int
    /// Frame where it settled back.
    package var correctedFrame: Int
    /// Relative sharpness lost at the dip.
    package var sharpnessLost: Double
}

/// Focus reversing again and again around a mark.
package struct Hunt: Sendable, Equatable, Codable {
    package var firstFrame: Int
    package var lastFrame: Int
    package var reversals: Int
}

/// Hunting outside any rack: a region whose sharpness oscillates.
package struct HuntEvent: Sendable, Equatable, Codable {
    package var region: String
    package var firstFrame: Int
    package var lastFrame: Int
    package var reversals: Int
}
