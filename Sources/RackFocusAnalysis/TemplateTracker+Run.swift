import Foundation
import RackFocusImage

extension TemplateTracker {
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
        /// Whether the subject was last lost by leaving the frame.
        var leftFrame = false

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
                let predicted = TrackBox(
                    x: box.x + velocity.x, y: box.y + velocity.y, width: box.width, height: box.height)
                if let part = visiblePart(of: predicted, frame) {
                    return stepAtEdge(frame, integral, predicted: predicted, part: part)
                }
                let radius = Int((0.25 * Double(max(box.width, box.height)) + 4).rounded(.up))
                let m = search(
                    frame, integral, size: (box.width, box.height), around: predicted, radius: radius,
                    templates: [adaptive], scales: [1])
                // The adaptive template could follow whatever replaces a vanished subject; the
                // first template, still recognisable through a rack's blur, vetoes that.
                let firstScore = m.map { likeness(frame, integral, reference, at: $0.box) } ?? 0
                if let m, m.confidence >= settings.lostBelow, firstScore >= settings.firstTemplateFloor {
                    let b = m.box
                    // At the edge of the frame part of the subject is outside: its size is not
                    // measurable, so it holds.
                    let atEdge =
                        b.x < 1 || b.y < 1 || b.x + b.width > Double(frame.width) - 1
                        || b.y + b.height > Double(frame.height) - 1
                    let s = atEdge ? 1 : scaleChange(frame, integral, at: b)
                    accept(
                        Match(
                            box: TrackBox(
                                x: b.centerX - b.width * s / 2, y: b.centerY - b.height * s / 2, width: b.width * s,
                                height: b.height * s),
                            confidence: m.confidence), frame: frame)
                    return (box, m.confidence, .tracked)
                }
                lost = true
                leftFrame = false
                return (box, m?.confidence ?? 0, .lost)
            }
            // Lost: look over the whole frame, binned 2 × 2, with both templates at the last scale
            // and ±10%, then refine the best place at full resolution.
            let coarse = LumaPyramid(luma: frame, levels: 2).levels[1]
            var m: Match?
            if let c = search(
                coarse, Integral(coarse), size: (box.width / 2, box.height / 2), around: nil, radius: 0,
                templates: [reference, adaptive], scales: [0.9, 1, 1.1])
            {
                let guess = c.box.scaled(2)
                m = search(
                    frame, integral, size: (guess.width, guess.height), around: guess, radius: 3,
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

        /// The part of the template (template pixels) inside the frame when `b` reaches past an
        /// edge; nil when `b` is inside the frame.
        func visiblePart(of b: TrackBox, _ frame: PlanarImage) -> (u0: Int, v0: Int, u1: Int, v1: Int)? {
            guard b.x < 0 || b.y < 0 || b.x + b.width > Double(frame.width) || b.y + b.height > Double(frame.height)
            else { return nil }
            let sx = Double(tw) / b.width, sy = Double(th) / b.height
            let u0 = Int((max(0, -b.x) * sx).rounded(.up)), v0 = Int((max(0, -b.y) * sy).rounded(.up))
            let u1 = tw - Int((max(0, b.x + b.width - Double(frame.width)) * sx).rounded(.up))
            let v1 = th - Int((max(0, b.y + b.height - Double(frame.height)) * sy).rounded(.up))
            return (u0, v0, max(u0, u1), max(v0, v1))
        }

        /// A subject reaching past the frame's edge: the part of both templates still inside is
        /// matched, and the box (its size held: what is outside cannot be measured) follows it. With
        /// less than `settings.minVisible` of the box's width or height inside, it has left the frame.
        mutating func stepAtEdge(
            _ frame: PlanarImage, _ integral: Integral, predicted: TrackBox,
            part p: (u0: Int, v0: Int, u1: Int, v1: Int)
        ) -> (box: TrackBox, confidence: Double, state: State) {
            let cw = p.u1 - p.u0, ch = p.v1 - p.v0
            guard Double(cw) >= settings.minVisible * Double(tw), Double(ch) >= settings.minVisible * Double(th),
                cw >= 4, ch >= 4
            else {
                lost = true
                leftFrame = true
                return (box, 0, .lost)
            }
            func crop(_ t: [Float]) -> [Float] {
                var out = [Float](repeating: 0, count: cw * ch)
                for v in 0..<ch { for u in 0..<cw { out[v * cw + u] = t[(p.v0 + v) * tw + p.u0 + u] } }
                return out
            }
            let sx = predicted.width / Double(tw), sy = predicted.height / Double(th)
            let visible = TrackBox(
                x: predicted.x + Double(p.u0) * sx, y: predicted.y + Double(p.v0) * sy, width: Double(cw) * sx,
                height: Double(ch) * sy)
            let radius = Int((0.25 * Double(max(box.width, box.height)) + 4).rounded(.up))
            let m = search(
                frame, integral, size: (visible.width, visible.height), around: visible, radius: radius,
                templates: [crop(adaptive)], scales: [1], templateSize: (cw, ch))
            let firstScore = m.map { likeness(frame, integral, crop(reference), at: $0.box, size: (cw, ch)) } ?? 0
            guard let m, m.confidence >= settings.lostBelow, firstScore >= settings.firstTemplateFloor else {
                lost = true
                leftFrame = false
                return (box, m?.confidence ?? 0, .lost)
            }
            let full = TrackBox(
                x: m.box.x - Double(p.u0) * sx, y: m.box.y - Double(p.v0) * sy, width: box.width, height: box.height)
            // The template is not adapted: part of the box shows no subject.
            accept(Match(box: full, confidence: m.confidence), frame: frame, adapt: false)
            return (box, m.confidence, .tracked)
        }

        mutating func accept(_ m: Match, frame: PlanarImage, moving: Bool = true, adapt: Bool = true) {
            if moving {
                let v = (x: m.box.x + m.box.width / 2 - box.centerX, y: m.box.y + m.box.height / 2 - box.centerY)
                velocity = (0.5 * velocity.x + 0.5 * v.x, 0.5 * velocity.y + 0.5 * v.y)
            }
            box = m.box
            if adapt && m.confidence > 0.8 {
                let crop = Self.sample(frame, box: box, width: tw, height: th)
                let r = Float(settings.adaptRate)
                for i in adaptive.indices { adaptive[i] = (1 - r) * adaptive[i] + r * crop[i] }
            }
        }

        /// The correlation of a template (`size`, default the box's template size) with the frame in
        /// box `b` (resized to it).
        func likeness(
            _ frame: PlanarImage, _ integral: Integral, _ t: [Float], at b: TrackBox, size: (Int, Int)? = nil
        ) -> Double {
            let (w, h) = size ?? (tw, th)
            let pw = max(4, Int(b.width.rounded())), ph = max(4, Int(b.height.rounded()))
            let x = Int((b.centerX - Double(pw) / 2).rounded()), y = Int((b.centerY - Double(ph) / 2).rounded())
            guard x >= 0, y >= 0, x + pw <= frame.width, y + ph <= frame.height else { return 1 }
            return NormalizedCrossCorrelation.scores(
                frame, integral, template: resize(t, w, h, to: pw, ph), pw, ph, x0: x, x1: x, y0: y, y1: y
            ).scores[0]
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
                let quarter = TrackBox(
                    x: b.centerX + ox - Double(qw) * fx / 2, y: b.centerY + oy - Double(qh) * fy / 2,
                    width: Double(qw) * fx, height: Double(qh) * fy)
                let r = Int((settings.scaleStep * max(abs(ox), abs(oy))).rounded(.up)) + 2
                guard
                    let m = search(
                        frame, integral, size: (quarter.width, quarter.height), around: quarter, radius: r,
                        templates: [q], scales: [1], templateSize: (qw, qh), prior: 0.01), m.confidence > 0.5
                else { continue }
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
                    let gx = Double(t[y * w + x + 1] - t[y * w + x - 1]),
                        gy = Double(t[(y + 1) * w + x] - t[(y - 1) * w + x])
                    xx += gx * gx; xy += gx * gy; yy += gy * gy
                }
            }
            return (xx, xy, yy)
        }

        /// The best match of any template (each `templateSize`, default the box's) at any scale
        /// relative to `size`, in a window around `around` (± radius px, with the motion prior
        /// `prior`, default the settings') or over the whole frame when `around` is nil.
        func search(
            _ frame: PlanarImage, _ integral: Integral, size: (Double, Double), around: TrackBox?, radius: Int,
            templates: [[Float]], scales: [Double], templateSize: (Int, Int)? = nil, prior: Double? = nil
        ) -> Match? {
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
                    } else {
                        x0 = 0; x1 = frame.width - pw; y0 = 0; y1 = frame.height - ph
                    }
                    guard x1 >= x0, y1 >= y0 else { continue }
                    var map = NormalizedCrossCorrelation.scores(
                        frame, integral, template: scaled, pw, ph, x0: x0, x1: x1, y0: y0, y1: y1)
                    if around != nil {
                        // A weak motion prior: between near-equal matches (a stripe or an edge
                        // slides along itself) prefer the predicted place.
                        let tx = Int((cx - Double(pw) / 2).rounded()), ty = Int((cy - Double(ph) / 2).rounded())
                        map.penalise(
                            dx0: x0 - tx, dy0: y0 - ty, reach: max(4, 0.1 * max(w, h)),
                            weight: prior ?? settings.motionPrior)
                    }
                    guard let peak = map.peak() else { continue }
                    scaleBest = max(scaleBest, peak.score)
                    if best == nil || peak.score > best!.score {
                        best = (
                            peak.score,
                            TrackBox(
                                x: Double(x0) + peak.x + (Double(pw) - w) / 2,
                                y: Double(y0) + peak.y + (Double(ph) - h) / 2, width: w, height: h)
                        )
                    }
                }
                perScale.append((s, scaleBest))
            }
            guard var b = best else { return nil }
            // Without a clear winner among the scales (0.002 of correlation) the size stays as it was.
            let scoreDeadZone = 0.002
            if perScale.count == 3, let mid = perScale.first(where: { $0.scale == 1 }), mid.score > -2,
                max(perScale[0].score, perScale[2].score) - mid.score < scoreDeadZone
            {
                b.box = TrackBox(
                    x: b.box.centerX - size.0 / 2, y: b.box.centerY - size.1 / 2, width: size.0, height: size.1)
            }
            // Refine the scale between the three tried: a parabola through their scores.
            if perScale.count == 3, perScale.allSatisfy({ $0.score > -2 }) {
                let (a, m, c) = (perScale[0].score, perScale[1].score, perScale[2].score)
                let denom = a - 2 * m + c
                if m >= a && m >= c && denom < 0 && abs(a - c) > scoreDeadZone {
                    let offset = 0.5 * (a - c) / denom  // in steps, within ±0.5
                    let s = 1 + offset * (perScale[2].scale - 1)
                    let cxb = b.box.centerX, cyb = b.box.centerY
                    b.box = TrackBox(
                        x: cxb - size.0 * s / 2, y: cyb - size.1 * s / 2, width: size.0 * s, height: size.1 * s)
                }
            }
            return Match(box: b.box, confidence: b.score)
        }

        /// Bilinear resize of a w × h plane to nw × nh.
        func resize(_ t: [Float], _ w: Int, _ h: Int, to nw: Int, _ nh: Int) -> [Float] {
            if nw == w && nh == h { return t }
            return Self.sample(
                PlanarImage(width: w, height: h, data: t),
                box: TrackBox(x: 0, y: 0, width: Double(w), height: Double(h)), width: nw, height: nh)
        }
    }
}
