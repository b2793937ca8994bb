import Foundation
import RackFocusImage
import Testing

@testable import RackFocusAnalysis

/// Synthetic shots with a subject on a known path: a textured ellipse over a textured
/// background, with optional scale change, defocus blur, noise and an occluding pillar.
struct TrackingScene {
    var width = 320, height = 180
    var frames = 48
    /// Subject size at scale 1 (the ellipse's bounding box).
    var size = (w: 44.0, h: 56.0)
    var path: (Int) -> (x: Double, y: Double, scale: Double)
    /// Gaussian blur sigma per frame (a rack), px.
    var blur: (Int) -> Double = { _ in 0 }
    var noise = 0.0
    /// A pillar in front of everything: x range in pixels.
    var pillar: ClosedRange<Double>? = nil
    /// Frames in which the subject is not there at all.
    var absent: (Int) -> Bool = { _ in false }

    /// Smooth value noise in [0, 1] at spacing `cell`, hashed from `seed`.
    static func valueNoise(_ x: Double, _ y: Double, cell: Double, seed: UInt64) -> Double {
        func hash(_ i: Int, _ j: Int) -> Double {
            var h =
                UInt64(bitPattern: Int64(i)) &* 0x9E3779B97F4A7C15 ^ UInt64(bitPattern: Int64(j)) &* 0xC2B2AE3D27D4EB4F
                ^ seed
            h ^= h >> 31; h = h &* 0xBF58476D1CE4E5B9; h ^= h >> 29
            return Double(h % 10_000) / 10_000
        }
        let fx = x / cell, fy = y / cell
        let i = Int(fx.rounded(.down)), j = Int(fy.rounded(.down))
        let u = fx - Double(i), v = fy - Double(j)
        let su = u * u * (3 - 2 * u), sv = v * v * (3 - 2 * v)
        let a = hash(i, j) * (1 - su) + hash(i + 1, j) * su
        let b = hash(i, j + 1) * (1 - su) + hash(i + 1, j + 1) * su
        return a * (1 - sv) + b * sv
    }

    func truth(_ f: Int) -> TrackBox {
        let p = path(f)
        let w = size.w * p.scale, h = size.h * p.scale
        return TrackBox(x: p.x - w / 2, y: p.y - h / 2, width: w, height: h)
    }

    func frame(_ f: Int) -> PlanarImage {
        let p = path(f)
        var data = [Float](repeating: 0, count: width * height)
        var rng = SplitMix(seed: UInt64(f + 1))
        for y in 0..<height {
            for x in 0..<width {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                var v = 0.25 + 0.3 * Self.valueNoise(px, py, cell: 9, seed: 7)
                // Subject coordinates at scale 1, centred.
                let u = (px - p.x) / p.scale, w = (py - p.y) / p.scale
                if !absent(f), (u * u) / (size.w * size.w / 4) + (w * w) / (size.h * size.h / 4) <= 1 {
                    v = 0.15 + 0.8 * Self.valueNoise(u + 100, w + 100, cell: 4, seed: 99)
                }
                if let pillar, pillar.contains(px) { v = 0.5 + 0.05 * sin(py * 0.2) }
                data[y * width + x] = Float(v)
            }
        }
        var plane = PlanarImage(width: width, height: height, data: data)
        let sigma = blur(f)
        if sigma > 0.3 { plane = Self.gaussian(plane, sigma: sigma) }
        if noise > 0 { for i in plane.data.indices { plane.data[i] += Float(noise * rng.gaussian()) } }
        return plane
    }

    static func gaussian(_ p: PlanarImage, sigma: Double) -> PlanarImage {
        let r = Int((3 * sigma).rounded(.up))
        var k = (-r...r).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = k.reduce(0, +); k = k.map { $0 / sum }
        func pass(_ src: [Float], horizontal: Bool) -> [Float] {
            var out = src
            for y in 0..<p.height {
                for x in 0..<p.width {
                    var acc = 0.0
                    for (i, kv) in k.enumerated() {
                        let o = i - r
                        let xx = horizontal ? min(max(x + o, 0), p.width - 1) : x
                        let yy = horizontal ? y : min(max(y + o, 0), p.height - 1)
                        acc += kv * Double(src[yy * p.width + xx])
                    }
                    out[y * p.width + x] = Float(acc)
                }
            }
            return out
        }
        return PlanarImage(
            width: p.width, height: p.height, data: pass(pass(p.data, horizontal: true), horizontal: false))
    }

    /// Tracks from `start` and returns (mean centre error, worst centre error, worst relative size
    /// error) over the frames with a box, and the result.
    func run(start: Int = 0, settings: TemplateTracker.Settings = .init()) -> (
        mean: Double, worst: Double, size: Double, result: TemplateTracker.Result
    ) {
        let planes = (0..<frames).map(frame)
        let result = TemplateTracker(settings: settings).track(frames: planes, start: start, box: truth(start))
        var errors: [Double] = [], sizeErrors: [Double] = []
        for s in result.samples {
            guard let b = s.box else { continue }
            let t = truth(s.frame)
            errors.append(hypot(b.centerX - t.centerX, b.centerY - t.centerY))
            sizeErrors.append(abs(b.width / t.width - 1))
        }
        let mean = errors.isEmpty ? .infinity : errors.reduce(0, +) / Double(errors.count)
        return (mean, errors.max() ?? .infinity, sizeErrors.max() ?? .infinity, result)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-12), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

@Suite("Subject tracking on synthetic paths")
struct TrackingTests {
    /// A curving walk toward camera: 3.4 px/frame across, bobbing, growing 1.0 → 1.35.
    static let walk: @Sendable (Int) -> (x: Double, y: Double, scale: Double) = { f in
        let t = Double(f)
        return (60 + 3.4 * t, 90 + 14 * sin(t / 7), 1 + 0.35 * t / 47)
    }

    @Test func followsAMovingGrowingSubject() {
        let scene = TrackingScene(path: Self.walk)
        let r = scene.run()
        print(
            String(
                format: "tracking, moving and growing: mean %.2f px, worst %.2f px, worst size error %.1f%%", r.mean,
                r.worst, 100 * r.size))
        #expect(r.result.samples.allSatisfy { $0.box != nil })
        #expect(r.mean < 0.5 && r.worst < 1.5)
        #expect(r.size < 0.05)
        #expect(r.result.warnings.isEmpty)
    }

    @Test func followsThroughARackAndNoise() {
        // Focus racks off the subject: blur sigma 0 → 3 px over the shot, with noise.
        var scene = TrackingScene(path: Self.walk)
        scene.blur = { f in 3 * Double(f) / 47 }
        scene.noise = 0.02
        let r = scene.run()
        print(
            String(
                format:
                    "tracking through a rack (blur sigma 0-3 px) and noise 0.02: mean %.2f px, worst %.2f px, worst size error %.1f%%",
                r.mean, r.worst, 100 * r.size))
        #expect(r.result.samples.allSatisfy { $0.box != nil })
        #expect(r.mean < 0.75 && r.worst < 1.5)
        #expect(r.size < 0.08)
        // Confidence falls as the subject blurs away from its template, but stays a match.
        #expect(r.result.samples.allSatisfy { $0.confidence > 0.5 })
    }

    @Test func aRackIsNotReadAsTheSubjectGrowing() {
        // The subject stands still while focus racks off it (blur sigma 0 → 4 px): defocus spreads
        // its detail, and the box must keep its size.
        var scene = TrackingScene(path: { _ in (160, 90, 1) })
        scene.blur = { f in 4 * Double(f) / 47 }
        scene.noise = 0.01
        let r = scene.run()
        print(
            String(
                format:
                    "tracking a still subject through a rack (blur sigma 0-4 px): mean %.2f px, worst %.2f px, worst size error %.1f%%",
                r.mean, r.worst, 100 * r.size))
        #expect(r.mean < 0.5 && r.worst < 1)
        #expect(r.size < 0.02)
    }

    @Test func tracksBothWaysFromTheGivenFrame() {
        let scene = TrackingScene(path: Self.walk)
        let r = scene.run(start: 24)
        print(String(format: "tracking from frame 24 both ways: mean %.2f px, worst %.2f px", r.mean, r.worst))
        #expect(r.result.samples[0].box != nil && r.result.samples[47].box != nil)
        #expect(r.result.samples[24].state == .start)
        #expect(r.mean < 0.5 && r.worst < 1.5)
    }

    @Test func reacquiresAfterAnOcclusion() {
        // Walking right behind a 70-px pillar: hidden entirely for several frames.
        var scene = TrackingScene(path: { f in (40 + 5 * Double(f), 90, 1) })
        scene.pillar = 130...200
        let r = scene.run()
        let hidden = (0..<scene.frames).filter { f in
            let t = scene.truth(f); return t.x >= 130 && t.x + t.width <= 200
        }
        let lost = r.result.samples.filter { $0.box == nil }.map(\.frame)
        print(
            "occlusion: hidden frames \(hidden.first!)-\(hidden.last!), lost \(lost.first ?? -1)-\(lost.last ?? -1), re-acquired at \(r.result.reacquisitions)",
            String(format: "mean %.2f px, worst %.2f px", r.mean, r.worst))
        #expect(Set(hidden).isSubset(of: Set(lost)), "no box while the subject is hidden")
        #expect(r.result.reacquisitions.count == 1)
        let back = r.result.reacquisitions[0]
        #expect(back <= hidden.last! + 8, "found again soon after it comes out")
        #expect(r.result.samples[back...].allSatisfy { $0.box != nil })
        #expect(r.worst < 3, "boxes before and after the pillar are on the subject")
    }

    /// A subject walking out of the right edge (3.4 px a frame, 44 px wide): followed while at least
    /// 35% of it is inside, its box held at the edge (the part inside the frame), then it has left;
    /// the warning says so. Before, it was lost as soon as it touched the edge.
    @Test func aSubjectLeavingTheFrameIsFollowedToTheEdge() {
        var scene = TrackingScene(path: { f in (200 + 3.4 * Double(f), 90, 1) })
        scene.frames = 56
        var settings = TemplateTracker.Settings()
        settings.maxLostFrames = 6
        let planes = (0..<scene.frames).map(scene.frame)
        let result = TemplateTracker(settings: settings).track(frames: planes, start: 0, box: scene.truth(0))
        let touches = (0..<scene.frames).first { scene.truth($0).x + scene.truth($0).width > Double(scene.width) }!
        let mostlyOut = (0..<scene.frames).first {
            Double(scene.width) - scene.truth($0).x < 0.4 * scene.truth($0).width
        }!
        var worst = 0.0
        for f in 0..<mostlyOut {
            guard let b = result.samples[f].box else {
                Issue.record("no box at frame \(f) (the subject touches the edge at \(touches))")
                continue
            }
            let t = scene.truth(f).clamped(width: scene.width, height: scene.height)
            #expect(b.x + b.width <= Double(scene.width) + 1e-9, "the box stays in the frame")
            worst = max(worst, hypot(b.centerX - t.centerX, b.centerY - t.centerY))
        }
        print(
            String(
                format: "leaving the frame: touches the edge at frame %d, followed to frame %d, worst %.2f px", touches,
                (result.samples.lastIndex { $0.box != nil } ?? -1), worst))
        #expect(worst < 1.5)
        let gone = (0..<scene.frames).first { scene.truth($0).x >= Double(scene.width) }!
        #expect(result.samples[gone...].allSatisfy { $0.box == nil })
        #expect(result.warnings.count == 1 && result.warnings[0].contains("left the frame"), "\(result.warnings)")
    }

    @Test func stopsWithAWarningWhenTheSubjectIsGone() {
        var scene = TrackingScene(path: Self.walk)
        scene.absent = { $0 >= 20 }
        var settings = TemplateTracker.Settings()
        settings.maxLostFrames = 10
        let r = scene.run(settings: settings)
        #expect(r.result.samples[19].box != nil)
        #expect(r.result.samples[20...].allSatisfy { $0.box == nil })
        #expect(
            r.result.warnings.count == 1 && r.result.warnings[0].contains("frame 20")
                && r.result.warnings[0].contains("stops"))
        #expect(r.worst < 2)
    }
}
