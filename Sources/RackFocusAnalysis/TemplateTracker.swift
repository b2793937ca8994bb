import RackFocusImage
import Foundation

/// A box in pixels of the plane it lives on: top-left corner, width and height.
public struct TrackBox: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var centerX: Double { x + width / 2 }
    public var centerY: Double { y + height / 2 }
    /// The same box in a plane scaled by `f` (f = 0.25 for a plane binned 4 × 4).
    public func scaled(_ f: Double) -> TrackBox { TrackBox(x: x * f, y: y * f, width: width * f, height: height * f) }
}

/// Follows a subject given by a box at one frame through a clip, forwards and backwards, by
/// template matching: normalised cross-correlation of a zero-mean template against the frame,
/// at three scales per frame (so the box grows and shrinks as the subject comes and goes), with
/// sub-pixel peaks. The template adapts slowly to the subject as it turns and as focus changes its
/// blur; the first template is kept to re-acquire a subject lost behind something. The
/// correlation at the match is the confidence (1: identical, 0: unrelated).
public struct TemplateTracker: Sendable {
    public struct Settings: Sendable {
        /// Below this confidence the subject is lost.
        public var lostBelow = 0.5
        /// A search of the whole frame re-acquires the subject at this confidence or above.
        public var reacquireAbove = 0.7
        /// The subject is lost, too, when the first template correlates less than this where the
        /// adaptive one matched.
        public var firstTemplateFloor = 0.3
        /// Consecutive lost frames after which tracking stops in that direction.
        public var maxLostFrames = 24
        /// Scale change tried per frame each way (0.03: ±3%).
        public var scaleStep = 0.03
        /// How much of each confident match the adaptive template takes in.
        public var adaptRate = 0.15
        /// Correlation a match loses for straying from the predicted place (constant velocity):
        /// quadratic out to a tenth of the box's size (at least 4 px), then flat. Near-equal
        /// matches (a stripe or an edge slides along itself; detail blurred away by a rack)
        /// resolve toward the prediction; a clearly better match anywhere still wins.
        public var motionPrior = 0.03
        /// A frame-to-frame size change smaller than this is noise and ignored.
        public var scaleDeadZone = 0.003
        public init() {}
    }

    public enum State: String, Sendable { case start, tracked, reacquired, lost }

    public struct Sample: Sendable {
        public var frame: Int
        /// The box, nil when the subject is lost or the track has stopped.
        public var box: TrackBox?
        public var confidence: Double
        public var state: State
        public init(frame: Int, box: TrackBox?, confidence: Double, state: State) {
            self.frame = frame; self.box = box; self.confidence = confidence; self.state = state
        }
    }

    public struct Result: Sendable {
        /// One sample per frame of the clip (frames not reached have no box and state `lost`).
        public var samples: [Sample]
        /// Where and why tracking stopped, one line per direction that stopped early.
        public var warnings: [String]
        /// Frames where the subject was lost and then found again.
        public var reacquisitions: [Int]
    }

    public var settings: Settings
    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Tracks `box` (in pixels of `frames`) from frame `start` to both ends of `frames`.
    public func track(frames: [PlanarImage], start: Int, box: TrackBox) -> Result {
        precondition(frames.indices.contains(start), "start frame inside the clip")
        var session = Session(tracker: self, start: start, box: box)
        for f in frames { session.add(f) }
        return session.finish()!
    }

    /// Tracking a clip as it streams: frames after `start` are followed as they arrive; the ones
    /// before it are kept until `finish` goes back through them.
    public struct Session {
        let tracker: TemplateTracker
        let start: Int
        let box: TrackBox
        var before: [PlanarImage] = []
        var samples: [Sample] = []
        var startPlane: PlanarImage?
        var forward: Direction?

        public init(tracker: TemplateTracker, start: Int, box: TrackBox) {
            self.tracker = tracker; self.start = start; self.box = box
        }

        /// Frames added so far.
        public var frameCount: Int { samples.count }

        /// The next frame of the clip.
        public mutating func add(_ plane: PlanarImage) {
            let index = samples.count
            let lost = Sample(frame: index, box: nil, confidence: 0, state: .lost)
            if index < start {
                before.append(plane)
                samples.append(lost)
            } else if index == start {
                startPlane = plane
                forward = tracker.direction(first: plane, box: box, forward: true)
                samples.append(Sample(frame: index, box: box, confidence: 1, state: .start))
            } else {
                samples.append(forward!.next(plane, frame: index) ?? lost)
            }
        }

        /// Goes back from the start frame and returns the whole track; nil when the clip ended
        /// before the start frame.
        public mutating func finish() -> Result? {
            guard let startPlane, var forward else { return nil }
            forward.finish()
            var back = tracker.direction(first: startPlane, box: box, forward: false)
            for f in (0..<start).reversed() {
                guard let s = back.next(before[f], frame: f) else { break }
                samples[f] = s
            }
            back.finish()
            before = []
            return Result(samples: samples, warnings: [forward, back].compactMap(\.warning),
                          reacquisitions: (forward.reacquisitions + back.reacquisitions).sorted())
        }
    }

    /// Tracking one way from the frame the box is drawn on, a frame at a time, so a clip can be
    /// followed while it streams.
    public func direction(first: PlanarImage, box: TrackBox, forward: Bool) -> Direction {
        Direction(run: Run(settings: settings, first: first, box: box), forward: forward, maxLost: settings.maxLostFrames)
    }

    public struct Direction {
        var run: Run
        let forward: Bool
        let maxLost: Int
        var lostSince: Int?
        var last: Int?
        /// Why this direction stopped early, or lost the subject for good; set by `next` and `finish`.
        public private(set) var warning: String?
        public private(set) var reacquisitions: [Int] = []
        public private(set) var stopped = false

        var name: String { forward ? "going forward" : "going back" }

        /// The sample for the next frame this way (`frame` is its number, for messages), or nil
        /// once the subject has been lost for `maxLostFrames` and the track has stopped.
        public mutating func next(_ plane: PlanarImage, frame: Int) -> Sample? {
            guard !stopped else { return nil }
            last = frame
            let s = run.step(plane)
            let sample = Sample(frame: frame, box: s.state == .lost ? nil : s.box, confidence: s.confidence, state: s.state)
            if s.state == .reacquired { reacquisitions.append(frame) }
            guard s.state == .lost else { lostSince = nil; return sample }
            if lostSince == nil { lostSince = frame }
            if abs(frame - lostSince!) + 1 >= maxLost {
                warning = "\(name), lost the subject at frame \(lostSince!) and did not find it again in \(maxLost) frames: the track stops there"
                stopped = true
            }
            return sample
        }

        /// Call after the last frame: notes a subject lost up to the end of the clip.
        public mutating func finish() {
            if let l = lostSince, !stopped {
                warning = "\(name), lost the subject at frame \(l) until the \(forward ? "end" : "start") of the clip"
            }
        }
    }

    /// One direction of tracking: the templates, the last box and its motion.
    struct Run {
        let settings: Settings
        /// Template size (the box's size at the start frame, whole pixels).
        let tw: Int, th: Int
        /// The first template and the adaptive one, tw × th.
        let reference: [Float]
        var adaptive: [Float]
        var box: TrackBox
        var velocity = (x: 0.0, y: 0.0)
        var lost = false

        init(settings: Settings, first: PlanarImage, box: TrackBox) {
            self.settings = settings
            tw = max(4, Int(box.width.rounded())); th = max(4, Int(box.height.rounded()))
            reference = Self.sample(first, box: box, width: tw, height: th)
            adaptive = reference
            self.box = box
        }

        /// The plane inside `box`, resampled bilinearly to width × height.
        static func sample(_ p: PlanarImage, box: TrackBox, width: Int, height: Int) -> [Float] {
            var out = [Float](repeating: 0, count: width * height)
            let sx = box.width / Double(width), sy = box.height / Double(height)
            p.data.withUnsafeBufferPointer { d in
                for v in 0..<height {
                    let fy = min(max(box.y + (Double(v) + 0.5) * sy - 0.5, 0), Double(p.height - 1))
                    let y0 = Int(fy), y1 = min(y0 + 1, p.height - 1), wy = Float(fy - Double(y0))
                    for u in 0..<width {
                        let fx = min(max(box.x + (Double(u) + 0.5) * sx - 0.5, 0), Double(p.width - 1))
                        let x0 = Int(fx), x1 = min(x0 + 1, p.width - 1), wx = Float(fx - Double(x0))
                        let a = d[y0 * p.width + x0] * (1 - wx) + d[y0 * p.width + x1] * wx
                        let b = d[y1 * p.width + x0] * (1 - wx) + d[y1 * p.width + x1] * wx
                        out[v * width + u] = a * (1 - wy) + b * wy
                    }
                }
            }
            return out
        }

        struct Match { var box: TrackBox; var confidence: Double }

        mutating func step(_ frame: PlanarImage) -> (box: TrackBox, confidence: Double, state: State) {
            let integral = Integral(frame)
            if !lost {
                let predicted = TrackBox(x: box.x + velocity.x, y: box.y + velocity.y, width: box.width, height: box.height)
                let radius = Int((0.25 * Double(max(box.width, box.height)) + 4).rounded(.up))
                let m = search(frame, integral, size: (box.width, box.height), around: predicted, radius: radius, templates: [adaptive], scales: [1])
                // The adaptive template could follow whatever replaces a vanished subject; the
                // first template, still recognisable through a rack's blur, vetoes that.
                let firstScore = m.map { likeness(frame, integral, reference, at: $0.box) } ?? 0
                if let m, m.confidence >= settings.lostBelow, firstScore >= settings.firstTemplateFloor {
                    let b = m.box
                    // At the edge of the frame part of the subject is outside: its size is not
                    // measurable, so it holds.
                    let atEdge = b.x < 1 || b.y < 1 || b.x + b.width > Double(frame.width) - 1 || b.y + b.height > Double(frame.height) - 1
                    let s = atEdge ? 1 : scaleChange(frame, integral, at: b)
                    accept(Match(box: TrackBox(x: b.centerX - b.width * s / 2, y: b.centerY - b.height * s / 2, width: b.width * s, height: b.height * s),
                                 confidence: m.confidence), frame: frame)
                    return (box, m.confidence, .tracked)
                }
                lost = true
                return (box, m?.confidence ?? 0, .lost)
            }
            // Lost: look over the whole frame, binned 2 × 2, with both templates at the last scale
            // and ±10%, then refine the best place at full resolution.
            let coarse = LumaPyramid(luma: frame, levels: 2).levels[1]
            var m: Match?
            if let c = search(coarse, Integral(coarse), size: (box.width / 2, box.height / 2), around: nil, radius: 0,
                              templates: [reference, adaptive], scales: [0.9, 1, 1.1]) {
                let guess = c.box.scaled(2)
                m = search(frame, integral, size: (guess.width, guess.height), around: guess, radius: 3,
                           templates: [reference, adaptive], scales: [1 - settings.scaleStep, 1, 1 + settings.scaleStep])
            }
            if let m, m.confidence >= settings.reacquireAbove {
                lost = false
                velocity = (0, 0)
                accept(m, frame: frame, moving: false)
                return (box, m.confidence, .reacquired)
            }
            return (box, m?.confidence ?? 0, .lost)
        }

        mutating func accept(_ m: Match, frame: PlanarImage, moving: Bool = true) {
            if moving {
                let v = (x: m.box.x + m.box.width / 2 - box.centerX, y: m.box.y + m.box.height / 2 - box.centerY)
                velocity = (0.5 * velocity.x + 0.5 * v.x, 0.5 * velocity.y + 0.5 * v.y)
            }
            box = m.box
            if m.confidence > 0.8 {
                let crop = Self.sample(frame, box: box, width: tw, height: th)
                let r = Float(settings.adaptRate)
                for i in adaptive.indices { adaptive[i] = (1 - r) * adaptive[i] + r * crop[i] }
            }
        }

        /// The correlation of a template with the frame in box `b` (resized to it).
        func likeness(_ frame: PlanarImage, _ integral: Integral, _ t: [Float], at b: TrackBox) -> Double {
            let pw = max(4, Int(b.width.rounded())), ph = max(4, Int(b.height.rounded()))
            let x = Int((b.centerX - Double(pw) / 2).rounded()), y = Int((b.centerY - Double(ph) / 2).rounded())
            guard x >= 0, y >= 0, x + pw <= frame.width, y + ph <= frame.height else { return 1 }
            return correlate(frame, integral, template: resize(t, tw, th, to: pw, ph), pw, ph, x0: x, x1: x, y0: y, y1: y).scores[0]
        }

        /// The change of size of the subject in box `b` since the last frame, from where the four
        /// quarters of the template land around its centre (least squares on their offsets).
        /// Positions, unlike correlation across scales, do not move when a rack blurs the subject
        /// symmetrically, so defocus is not read as the subject growing. Changes under
        /// `scaleDeadZone` are noise and read as none; each frame changes by `scaleStep` at most.
        func scaleChange(_ frame: PlanarImage, _ integral: Integral, at b: TrackBox) -> Double {
            let qw = tw / 2, qh = th / 2
            let fx = b.width / Double(tw), fy = b.height / Double(th)
            var num = 0.0, den = 0.0
            for (qx, qy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                var q = [Float](repeating: 0, count: qw * qh)
                for v in 0..<qh { for u in 0..<qw { q[v * qw + u] = adaptive[(qy * qh + v) * tw + qx * qw + u] } }
                let ox = (Double(qx * qw) + Double(qw) / 2 - Double(tw) / 2) * fx
                let oy = (Double(qy * qh) + Double(qh) / 2 - Double(th) / 2) * fy
                let quarter = TrackBox(x: b.centerX + ox - Double(qw) * fx / 2, y: b.centerY + oy - Double(qh) * fy / 2,
                                       width: Double(qw) * fx, height: Double(qh) * fy)
                let r = Int((settings.scaleStep * max(abs(ox), abs(oy))).rounded(.up)) + 2
                guard let m = search(frame, integral, size: (quarter.width, quarter.height), around: quarter, radius: r,
                                     templates: [q], scales: [1], templateSize: (qw, qh), prior: 0.01), m.confidence > 0.5 else { continue }
                // A quarter fixes its position only across its edges (a stripe slides along
                // itself): weigh each direction by the quarter's structure tensor.
                let g = Self.structureTensor(q, qw, qh)
                let dx = m.box.centerX - b.centerX, dy = m.box.centerY - b.centerY
                num += m.confidence * (ox * (g.xx * dx + g.xy * dy) + oy * (g.xy * dx + g.yy * dy))
                den += m.confidence * (ox * (g.xx * ox + g.xy * oy) + oy * (g.xy * ox + g.yy * oy))
            }
            guard den > 0 else { return 1 }
            let s = min(max(num / den, 1 - settings.scaleStep), 1 + settings.scaleStep)
            return abs(s - 1) < settings.scaleDeadZone ? 1 : s
        }

        /// Sums of gx², gx·gy and gy² over a plane (central differences): how well a patch fixes
        /// position in each direction.
        static func structureTensor(_ t: [Float], _ w: Int, _ h: Int) -> (xx: Double, xy: Double, yy: Double) {
            var xx = 0.0, xy = 0.0, yy = 0.0
            for y in 1..<(h - 1) {
                for x in 1..<(w - 1) {
                    let gx = Double(t[y * w + x + 1] - t[y * w + x - 1]), gy = Double(t[(y + 1) * w + x] - t[(y - 1) * w + x])
                    xx += gx * gx; xy += gx * gy; yy += gy * gy
                }
            }
            return (xx, xy, yy)
        }

        /// The best match of any template (each `templateSize`, default the box's) at any scale
        /// relative to `size`, in a window around `around` (± radius px, with the motion prior
        /// `prior`, default the settings') or over the whole frame when `around` is nil.
        func search(_ frame: PlanarImage, _ integral: Integral, size: (Double, Double), around: TrackBox?, radius: Int,
                    templates: [[Float]], scales: [Double], templateSize: (Int, Int)? = nil, prior: Double? = nil) -> Match? {
            let (tw, th) = templateSize ?? (self.tw, self.th)
            var best: (score: Double, box: TrackBox)?
            var perScale: [(scale: Double, score: Double)] = []
            for s in scales {
                let w = size.0 * s, h = size.1 * s
                let pw = max(4, Int(w.rounded())), ph = max(4, Int(h.rounded()))
                guard pw < frame.width, ph < frame.height else { continue }
                var scaleBest = -2.0
                for t in templates {
                    let scaled = resize(t, tw, th, to: pw, ph)
                    let (cx, cy) = around.map { ($0.centerX, $0.centerY) } ?? (0, 0)
                    let x0: Int, x1: Int, y0: Int, y1: Int
                    if around != nil {
                        let tx = Int((cx - Double(pw) / 2).rounded()), ty = Int((cy - Double(ph) / 2).rounded())
                        x0 = max(0, tx - radius); x1 = min(frame.width - pw, tx + radius)
                        y0 = max(0, ty - radius); y1 = min(frame.height - ph, ty + radius)
                    } else { x0 = 0; x1 = frame.width - pw; y0 = 0; y1 = frame.height - ph }
                    guard x1 >= x0, y1 >= y0 else { continue }
                    var map = correlate(frame, integral, template: scaled, pw, ph, x0: x0, x1: x1, y0: y0, y1: y1)
                    if around != nil {
                        // A weak motion prior: between near-equal matches (a stripe or an edge
                        // slides along itself) prefer the predicted place.
                        let tx = Int((cx - Double(pw) / 2).rounded()), ty = Int((cy - Double(ph) / 2).rounded())
                        map.penalise(dx0: x0 - tx, dy0: y0 - ty, reach: max(4, 0.1 * max(w, h)), weight: prior ?? settings.motionPrior)
                    }
                    guard let peak = map.peak() else { continue }
                    scaleBest = max(scaleBest, peak.score)
                    if best == nil || peak.score > best!.score {
                        best = (peak.score, TrackBox(x: Double(x0) + peak.x + (Double(pw) - w) / 2, y: Double(y0) + peak.y + (Double(ph) - h) / 2, width: w, height: h))
                    }
                }
                perScale.append((s, scaleBest))
            }
            guard var b = best else { return nil }
            // Without a clear winner among the scales (0.002 of correlation) the size stays as it was.
            let scoreDeadZone = 0.002
            if perScale.count == 3, let mid = perScale.first(where: { $0.scale == 1 }), mid.score > -2,
               max(perScale[0].score, perScale[2].score) - mid.score < scoreDeadZone {
                b.box = TrackBox(x: b.box.centerX - size.0 / 2, y: b.box.centerY - size.1 / 2, width: size.0, height: size.1)
            }
            // Refine the scale between the three tried: a parabola through their scores.
            if perScale.count == 3, perScale.allSatisfy({ $0.score > -2 }) {
                let (a, m, c) = (perScale[0].score, perScale[1].score, perScale[2].score)
                let denom = a - 2 * m + c
                if m >= a && m >= c && denom < 0 && abs(a - c) > scoreDeadZone {
                    let offset = 0.5 * (a - c) / denom // in steps, within ±0.5
                    let s = 1 + offset * (perScale[2].scale - 1)
                    let cxb = b.box.centerX, cyb = b.box.centerY
                    b.box = TrackBox(x: cxb - size.0 * s / 2, y: cyb - size.1 * s / 2, width: size.0 * s, height: size.1 * s)
                }
            }
            return Match(box: b.box, confidence: b.score)
        }

        /// The dot product of n floats, eight lanes at a time.
        @inline(__always)
        static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
            var acc = SIMD8<Float>()
            var u = 0
            while u &+ 8 <= n {
                acc += UnsafeRawPointer(a + u).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + u).loadUnaligned(as: SIMD8<Float>.self)
                u &+= 8
            }
            var tail = acc.sum()
            while u < n { tail += a[u] * b[u]; u &+= 1 }
            return tail
        }

        /// Bilinear resize of a w × h plane to nw × nh.
        func resize(_ t: [Float], _ w: Int, _ h: Int, to nw: Int, _ nh: Int) -> [Float] {
            if nw == w && nh == h { return t }
            return Self.sample(PlanarImage(width: w, height: h, data: t), box: TrackBox(x: 0, y: 0, width: Double(w), height: Double(h)), width: nw, height: nh)
        }

        /// Normalised cross-correlation of the template with the frame at every top-left corner in
        /// x0...x1, y0...y1.
        func correlate(_ frame: PlanarImage, _ integral: Integral, template: [Float], _ pw: Int, _ ph: Int,
                       x0: Int, x1: Int, y0: Int, y1: Int) -> ScoreMap {
            let n = Double(pw * ph)
            let mean = template.reduce(0, +) / Float(template.count)
            var t = template.map { $0 - mean }
            let tNorm = Double(t.reduce(0) { $0 + $1 * $1 }).squareRoot()
            let mw = x1 - x0 + 1, mh = y1 - y0 + 1
            var scores = [Double](repeating: -1, count: mw * mh)
            guard tNorm > 1e-6 else { return ScoreMap(width: mw, height: mh, scores: scores) }
            let fw = frame.width
            t.withUnsafeMutableBufferPointer { tp in
                frame.data.withUnsafeBufferPointer { fp in
                    scores.withUnsafeMutableBufferPointer { sp in
                        for y in y0...y1 {
                            for x in x0...x1 {
                                var dot: Float = 0
                                for v in 0..<ph {
                                    dot += Self.dot(tp.baseAddress! + v &* pw, fp.baseAddress! + ((y &+ v) &* fw &+ x), pw)
                                }
                                let (sum, sum2) = integral.sums(x: x, y: y, w: pw, h: ph)
                                let variance = sum2 - sum * sum / n
                                sp[(y &- y0) &* mw &+ (x &- x0)] = variance > 1e-12 ? Double(dot) / (variance.squareRoot() * tNorm) : 0
                            }
                        }
                    }
                }
            }
            return ScoreMap(width: mw, height: mh, scores: scores)
        }
    }

    /// Scores over a window of positions.
    struct ScoreMap {
        let width: Int, height: Int
        var scores: [Double]

        /// Subtracts weight · min(distance / reach, 1)² from each score, the distance measured
        /// from the position at offset (-dx0, -dy0) in the map.
        mutating func penalise(dx0: Int, dy0: Int, reach: Double, weight: Double) {
            for y in 0..<height {
                for x in 0..<width {
                    let dx = Double(x + dx0), dy = Double(y + dy0)
                    scores[y * width + x] -= weight * min((dx * dx + dy * dy) / (reach * reach), 1)
                }
            }
        }

        /// The best position with a sub-pixel offset from parabolas through its neighbours.
        func peak() -> (x: Double, y: Double, score: Double)? {
            guard let i = scores.indices.max(by: { scores[$0] < scores[$1] }) else { return nil }
            let x = i % width, y = i / width
            func offset(_ a: Double, _ m: Double, _ c: Double) -> Double {
                let d = a - 2 * m + c
                return d < 0 ? min(max(0.5 * (a - c) / d, -0.5), 0.5) : 0
            }
            let dx = x > 0 && x < width - 1 ? offset(scores[i - 1], scores[i], scores[i + 1]) : 0
            let dy = y > 0 && y < height - 1 ? offset(scores[i - width], scores[i], scores[i + width]) : 0
            return (Double(x) + dx, Double(y) + dy, scores[i])
        }
    }

    /// Summed-area tables of a plane and of its square, for the mean and variance of any box.
    struct Integral {
        let w: Int
        var s: [Double], s2: [Double]

        init(_ p: PlanarImage) {
            w = p.width + 1
            s = [Double](repeating: 0, count: w * (p.height + 1)); s2 = s
            for y in 0..<p.height {
                var row = 0.0, row2 = 0.0
                for x in 0..<p.width {
                    let v = Double(p.data[y * p.width + x])
                    row += v; row2 += v * v
                    s[(y + 1) * w + x + 1] = s[y * w + x + 1] + row
                    s2[(y + 1) * w + x + 1] = s2[y * w + x + 1] + row2
                }
            }
        }

        func sums(x: Int, y: Int, w bw: Int, h bh: Int) -> (Double, Double) {
            let a = y * w + x, b = y * w + x + bw, c = (y + bh) * w + x, d = (y + bh) * w + x + bw
            return (s[d] - s[b] - s[c] + s[a], s2[d] - s2[b] - s2[c] + s2[a])
        }
    }
}
