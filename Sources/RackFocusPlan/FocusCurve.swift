import RackFocusOptics

/// The focus distance at every moment of the shot.
///
/// Focus holds at `initial` until the first event; each `Move` travels from its start mark to its
/// end mark in dioptres along its easing, then holds the end mark exactly; a `cut` changes focus
/// instantly (a bump between setups).
public struct FocusCurve: Sendable {
    public struct Move: Sendable {
        /// Index of the plan entry that made it.
        public var entry: Int
        public var kind: Kind
        public var start: Double
        public var end: Double
        public var from: FocusTarget
        public var to: FocusTarget
        public var fromDistance: Distance
        public var toDistance: Distance
        public var easing: Easing

        public enum Kind: String, Sendable { case rack, cut }

        public var duration: Double { end - start }
        /// Dioptre travel, signed: positive when focus comes closer.
        public var dioptreTravel: Double { toDistance.dioptres - fromDistance.dioptres }

        public init(
            entry: Int, kind: Kind, start: Double, end: Double, from: FocusTarget, to: FocusTarget,
            fromDistance: Distance, toDistance: Distance, easing: Easing
        ) {
            self.entry = entry; self.kind = kind; self.start = start; self.end = end
            self.from = from; self.to = to; self.fromDistance = fromDistance; self.toDistance = toDistance
            self.easing = easing
        }
    }

    public var initialTarget: FocusTarget
    public var initial: Distance
    /// Moves in time order, never overlapping.
    public var moves: [Move]

    public init(initialTarget: FocusTarget, initial: Distance, moves: [Move]) {
        self.initialTarget = initialTarget
        self.initial = initial
        self.moves = moves
    }

    /// Focus distance at time t (seconds). Printed in the unit system of the mark it leaves.
    public func focus(at t: Double) -> Distance { focus(at: t) { _ in nil } }

    /// Focus distance at time t with marks whose targets move: `live` gives a target's distance at
    /// t (nil: the distance stored in the plan). Holding on a moving subject follows it; a rack
    /// between moving subjects eases, in dioptres, between where each of them is at t.
    public func focus(at t: Double, live: (FocusTarget) -> Distance?) -> Distance {
        // Moves are in time order and do not overlap: the last one started by t decides.
        let k = movesStarted(by: t)
        guard k > 0 else { return live(initialTarget) ?? initial }
        let move = moves[k - 1]
        let to = live(move.to) ?? move.toDistance
        if move.kind == .cut || t >= move.end { return to }
        let from = live(move.from) ?? move.fromDistance
        let u = (t - move.start) / (move.end - move.start)
        let e = move.easing.progress(u)
        let d = from.dioptres + (to.dioptres - from.dioptres) * e
        return Distance(meters: d <= 0 ? .infinity : 1 / d, system: from.system)
    }

    /// How many moves start at or before t (binary search: plans may hold thousands of racks).
    func movesStarted(by t: Double) -> Int {
        var lo = 0, hi = moves.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if moves[mid].start <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Focus distance at frame n of a clip at `fps` (frame n is exposed at t = n / fps).
    public func focus(frame n: Int, fps: FrameRate) -> Distance { focus(at: Double(n) / fps.fps) }

    /// The move in progress at time t, if any.
    public func move(at t: Double) -> Move? {
        let k = movesStarted(by: t)
        guard k > 0, moves[k - 1].kind == .rack, t < moves[k - 1].end else { return nil }
        return moves[k - 1]
    }
}
