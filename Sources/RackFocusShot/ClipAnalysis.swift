import Foundation
import RackFocusAnalysis
import RackFocusCharts
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

/// `analyze`'s whole job: which region is sharp when, where each rack starts and lands and how,
/// graded against a plan's cues; with depth, the focus distance of every frame, the effective
/// stop and a plan that reproduces the clip's racks (`toPlan`).
package struct ClipAnalysis {
    package var clip: String
    /// `name=x,y,w,h` (normalised 0-1 or pixels); empty: the plan's subjects, else `grid`.
    package var regionSpecs: [String] = []
    package var plan: String?
    package var grid: String = "4x3"
    package var measure: FocusMeasure = .standard
    package var depth: DepthSettings?
    package var json = false
    package var svg: String?
    package var toPlan: String?
    package var peaking: String?
    package var peakingLevel: Float = 0.12
    package var feedback: Feedback = .silent
    /// Receives the peaking writer before the first frame; returns what releases that guard.
    package var guardOutput: (FrameWriter) -> () -> Void = { _ in {} }

    package init(clip: String) { self.clip = clip }


    /// The whole report (text, or JSON with --json), writing the SVG, plan and peaking clip on the way.
    package func report() throws -> String {
        var out: [String] = []
        func print(_ line: String) { out.append(line) }
        let focusMeasure = measure
        // Options are checked before any frame is read.
        if !(0.01...0.5).contains(peakingLevel) { throw ShotError(.options, "--peaking-level: \(peakingLevel) must be between 0.01 and 0.5") }
        if toPlan != nil {
            guard depth != nil else { throw ShotError(.options, "--to-plan: the plate's focus distances come from its depth map; add --depth") }
            guard plan != nil else { throw ShotError(.options, "--to-plan: the plan needs the plate's lens; give --plan with its camera (its focus entries are not used)") }
        }
        try OutputPath.requireDistinct(peaking, from: [clip, depth?.path, plan])
        let shot = try plan.map { try ShotPlan.load(contentsOf: $0) }
        let info = try FFmpeg.probeClip(clip)
        let rate = info.frameRate ?? shot?.fps ?? FrameRate(numerator: 24)
        let regions = try makeRegions(width: info.width, height: info.height, plan: shot)
        // Depth tiles scale with the frame (16 px at 640, 48 at 1920), so each holds comparable detail.
        let analyzer = FocusAnalyzer(regions: regions, measure: focusMeasure, tileSize: max(16, info.width / 40))
        let source = try depth.map { try DepthSource($0, feedback: feedback) }
        try source?.checkSize(width: info.width, height: info.height)
        let mapping = try source?.mapping(plan: shot)
        let reader = try FrameReader(path: clip)
        let maps = try source.map { try $0.frames(mapping: mapping!, size: (info.width, info.height)) }
        defer { reader.close(); maps?.close() }
        let peakingWriter = try peaking.map { path in
            try FrameWriter(path: path, width: info.width, height: info.height, frameRate: rate, colorTags: info.colorTags)
        }
        let painter = FocusPeaking(level: peakingLevel)
        var scratch: [Float] = []
        let release = peakingWriter.map { guardOutput($0) }
        defer { release?() }
        var frame: PlanarImage?, depthMap: PlanarImage?, coarseDepth: PlanarImage?
        // Breathing is measured on frames binned to 80-240 px across.
        let coarseLevel = max(0, min(3, Int(log2(Double(info.width) / 160).rounded())))
        do {
            while try reader.next(into: &frame) {
                if let maps {
                    let d = try maps.require()
                    if depthMap == nil { coarseDepth = Self.coarse(d, level: coarseLevel) }
                    depthMap = d
                }
                analyzer.add(frame!, depth: depthMap)
                if let peakingWriter {
                    painter.apply(&frame!, scratch: &scratch)
                    try peakingWriter.write(frame!)
                }
                feedback.progress("analyze", analyzer.frameCount, info.frameCount)
            }
            try ShotError.requireComplete(clip, decoded: analyzer.frameCount, expected: info.frameCount)
            try peakingWriter?.finish()
        } catch {
            // Nothing half-written stays behind.
            peakingWriter?.cancel()
            throw error
        }
        feedback.progress("analyze", -1, info.frameCount)
        guard analyzer.frameCount >= 3 else { throw ShotError(.unmeasurable, file: clip, "\(analyzer.frameCount) frame(s); a rack needs a clip of at least 3 frames") }
        let curves = analyzer.curves()
        var found = RackDetector().detect(curves, fps: rate.fps)
        let focus = analyzer.focusDistances()
        if !focus.isEmpty { for k in found.racks.indices { found.racks[k].attach(focus: focus) } }
        // With depth and a lens: the effective stop, from tiles' blur against their sharp selves
        // (a second pass over the clip fetches just those crops).
        var effectiveStop: Double?
        if !focus.isEmpty {
            let lens = shot.map { (camera: $0.camera, width: info.width, height: info.height) }
            effectiveStop = try secondPass(analyzer: analyzer, focus: focus, lens: lens, racks: &found.racks,
                                           depth: coarseDepth, level: coarseLevel)
        }
        if let toPlan, let shot {
            let moves = FocusCurveFit.fit(focus: focus, racks: found.racks)
            guard let first = focus.compactMap({ $0 }).first else {
                throw ShotError(.unmeasurable, file: clip, "the focus distance could not be estimated from \(depth!.path) at any frame; check that the depth matches the clip")
            }
            // Each mark is a subject, named in the order focus reaches it.
            let marks = [moves.first?.fromMeters ?? first] + moves.map(\.toMeters)
            let writer = PlanWriter(
                comments: ["Focus measured from the plate: rackfocus analyze \(clip) --depth \(depth!.path)",
                           "Each rack is fitted to the measured focus curve (cue frames, marks and easing)."],
                name: "\((clip as NSString).lastPathComponent) (measured)", fps: rate, frames: analyzer.frameCount,
                camera: shot.camera, measuredStop: effectiveStop, resolution: Resolution(width: info.width, height: info.height),
                subjects: marks.enumerated().map { ("mark\($0.offset)", $0.element.isFinite ? .meters($0.element) : .infinity) },
                initial: "mark0",
                racks: moves.enumerated().map { k, m in
                    PlanWriter.Rack(to: "mark\(k + 1)", startFrame: m.startFrame, frames: m.landFrame - m.startFrame, curve: m.easing,
                                    comment: String(format: "fit %.4f dioptres rms", m.rmsDioptres))
                })
            try AtomicFile.write(writer.yaml, to: toPlan)
        }
        let grades = shot.map { grade(found.racks, against: $0, width: info.width, height: info.height, rate: rate) } ?? []
        func tc(_ f: Int) -> String { Timecode.string(frame: f, rate: rate, dropFrame: shot?.dropFrame ?? false) }

        if let svg {
            var markers: [SharpnessPlot.Marker] = []
            for (k, r) in found.racks.enumerated() {
                markers.append(.init(frame: r.startFrame, label: "rack \(k + 1) starts", colour: "#555"))
                if let l = r.landFrame { markers.append(.init(frame: l, label: "lands", colour: r.overshoot != nil || r.hunting != nil ? "#d62728" : "#2ca02c")) }
                if let o = r.overshoot { markers.append(.init(frame: o.farthestFrame, label: "overshoot", colour: "#d62728")) }
            }
            for h in found.hunts { markers.append(.init(frame: h.firstFrame, label: "hunting (\(h.region))", colour: "#d62728")) }
            try AtomicFile.write(SharpnessPlot.svg(title: (clip as NSString).lastPathComponent, names: curves.map(\.name),
                                                   curves: curves.map(\.relative), markers: markers, timecode: tc), to: svg)
        }
        if json {
            return try jsonReport(curves: curves, racks: found.racks, hunts: found.hunts, grades: grades, rate: rate, measure: focusMeasure,
                                  focus: focus, stop: effectiveStop)
        }
        print("\(clip) · \(info.width)x\(info.height) · \(analyzer.frameCount) frames at \(rate) fps · measure \(focusMeasure.rawValue)")
        if let effectiveStop, let shot {
            print(String(format: "Effective stop f/%.1f, from the blur of the footage against its depth (the plan says %@)", effectiveStop, shot.camera.stop.description))
        }
        let changing = curves.filter(\.changes)
        print("\nRegions (\(changing.count) of \(curves.count) change sharpness)")
        let rows = changing.map { c -> [String] in
            let sharpest = c.relative.firstIndex(of: c.relative.max() ?? 1) ?? 0
            let holds = c.relative.filter { $0 > 0.9 }.count
            return [c.name, tc(sharpest), "\(holds)", String(format: "%.3g", c.raw.min() ?? 0), String(format: "%.3g", c.raw.max() ?? 0)]
        }
        if !rows.isEmpty { print(table(["region", "sharpest at", "frames sharp", "measure min", "max"], rows)) }
        if found.racks.isEmpty && found.hunts.isEmpty {
            print("\nNo rack: focus does not move between the regions (\(changing.isEmpty ? "no region's sharpness changes beyond its noise" : "sharpness changes without one region handing over to another"))")
            return out.joined(separator: "\n")
        }
        print("")
        for (k, r) in found.racks.enumerated() {
            let from = r.from ?? "(unmeasured)", to = r.to ?? "(unmeasured)"
            let land = r.landFrame.map { "\(tc($0)) (frame \($0))" } ?? "never"
            print("Rack \(k + 1): \(from) → \(to)   starts \(tc(r.startFrame)) (frame \(r.startFrame)), lands \(land)"
                  + (r.durationFrames.map { String(format: ", %d frames (%.2f s)", $0, Double($0) / rate.fps) } ?? ""))
            if let a = r.fromMeters, let b = r.toMeters, a != b {
                print("  focus \(Distance.meters(a)) → \(Distance.meters(b)) (\(b > a ? "near → far" : "far → near"))" + (r.profile.map { ", \($0)" } ?? ""))
            }
            print("  verdict: \(verdict(r, grade: grades.first { $0.rack == k }, rate: rate))")
        }
        for h in found.hunts {
            print("Hunting on \(h.region): \(h.reversals) reversals from \(tc(h.firstFrame)) to \(tc(h.lastFrame))")
        }
        for g in grades where g.rack == nil {
            print("Cue missed: the plan racks to \(g.target) at \(tc(g.cueLand)) but no rack to it was found")
        }
        return out.joined(separator: "\n")
    }

    /// A plane of `img` (its first channel) binned 2^level × 2^level.
    static func coarse(_ img: PlanarImage, level: Int) -> PlanarImage {
        var p = LumaPyramid(levels: level + 1)
        p.update(from: img.channels == 1 ? img : img.plane(0))
        return p.levels[level]
    }

    /// A second pass over the clip for what needs pixels of frames known only after the first:
    /// crops for the effective stop (with the lens), and each rack's start and landing for
    /// breathing (with its marks and the depth map). Returns the effective f-number.
    func secondPass(analyzer: FocusAnalyzer, focus: [Double?], lens: (camera: Camera, width: Int, height: Int)?,
                    racks: inout [RackEvent], depth: PlanarImage?, level: Int) throws -> Double? {
        let probes = lens == nil ? [] : BlurScale.probes(analyzer, focus: focus)
        var wanted: [Int: [(probe: Int, sharp: Bool)]] = [:]
        for (i, p) in probes.enumerated() {
            wanted[p.sharpFrame, default: []].append((i, true))
            wanted[p.softFrame, default: []].append((i, false))
        }
        let breathes = depth == nil ? [] : racks.indices.filter { racks[$0].fromMeters != nil && racks[$0].toMeters != nil && racks[$0].landFrame != nil }
        let needed = Set(wanted.keys).union(breathes.flatMap { [racks[$0].startFrame, racks[$0].landFrame!] })
        guard let last = needed.max() else { return nil }
        var sharp = [PlanarImage?](repeating: nil, count: probes.count), soft = sharp
        var coarseFrames: [Int: PlanarImage] = [:]
        let reader = try FrameReader(path: clip)
        defer { reader.close() }
        let probeLevel = probes.first?.level ?? 0
        var frame: PlanarImage?, pyramid = LumaPyramid(levels: max(level, probeLevel) + 1)
        var n = 0
        while n <= last, try reader.next(into: &frame) {
            if needed.contains(n) {
                pyramid.update(from: frame!)
                coarseFrames[n] = pyramid.levels[level]
                let l = pyramid.levels[probeLevel]
                for (i, isSharp) in wanted[n] ?? [] {
                    if isSharp { sharp[i] = l.crop(probes[i].crop) } else { soft[i] = l.crop(probes[i].crop) }
                }
            }
            n += 1
        }
        if let depth {
            for k in breathes {
                guard let a = coarseFrames[racks[k].startFrame], let b = coarseFrames[racks[k].landFrame!],
                      depth.width == a.width, depth.height == a.height else { continue }
                let weights = Breathing.equalBlurWeights(depth: depth, from: racks[k].fromMeters!, to: racks[k].toMeters!)
                // Enough area at equal blur (2% of the picture) to measure on.
                if weights.data.reduce(0, +) >= Float(a.width * a.height) / 50 {
                    racks[k].breathingScale = Breathing.scale(before: a, after: b, weights: weights)
                }
            }
        }
        guard let lens else { return nil }
        let measured = probes.indices.compactMap { i -> (diameter: Double, defocus: Double)? in
            guard let a = sharp[i], let b = soft[i], let d = BlurScale.diameter(sharp: a, soft: b, inner: probes[i].inner) else { return nil }
            return (d * Double(1 << probes[i].level), probes[i].defocus)
        }
        guard let k = BlurScale.pixelsPerDioptre(measured) else { return nil }
        let camera = lens.camera
        let pixelsPerMM = Double(lens.width) / (camera.sensor.widthMM * camera.squeeze)
        return BlurScale.fNumber(pixelsPerDioptre: k, focalLengthMM: camera.focalLengthMM, pixelsPerMM: pixelsPerMM)
    }

    /// Regions from --region, else the plan's subjects placed in the image, else a grid.
    func makeRegions(width: Int, height: Int, plan: ShotPlan?) throws -> [AnalysisRegion] {
        if !regionSpecs.isEmpty {
            return try regionSpecs.map { spec throws(ShotError) in try Self.parseRegion(spec, width: width, height: height) }
        }
        if let plan {
            let placed = plan.subjects.compactMap { s -> AnalysisRegion? in
                guard let box = s.region(at: 0) else { return nil }
                // A point stands for the subject around it: a box of 8% of the frame's width.
                let side = 0.08, b = box.isPoint ? ImageBox(x: box.x - side / 2, y: box.y - side * Double(width) / Double(height) / 2,
                                                           width: side, height: side * Double(width) / Double(height)) : box
                return AnalysisRegion(name: s.name, rect: Self.pixels(b.x, b.y, b.width, b.height, width: width, height: height))
            }
            if placed.count >= 2 { return placed }
            feedback.note("the plan places fewer than two subjects in the image (point or box); following a \(grid) grid instead")
        }
        let parts = grid.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1...26).contains(parts[0]), (1...26).contains(parts[1]), parts[0] * parts[1] >= 2 else {
            throw ShotError(.options, "--grid: \"\(grid)\" is not a grid; write COLUMNSxROWS, e.g. 4x3")
        }
        return AnalysisRegion.grid(columns: parts[0], rows: parts[1], width: width, height: height)
    }

    static func pixels(_ x: Double, _ y: Double, _ w: Double, _ h: Double, width: Int, height: Int) -> PixelRect {
        let x0 = max(0, Int((x * Double(width)).rounded())), y0 = max(0, Int((y * Double(height)).rounded()))
        let x1 = min(width, Int(((x + w) * Double(width)).rounded())), y1 = min(height, Int(((y + h) * Double(height)).rounded()))
        return PixelRect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0))
    }

    package static func parseRegion(_ spec: String, width: Int, height: Int) throws(ShotError) -> AnalysisRegion {
        let parts = spec.split(separator: "=", maxSplits: 1)
        let numbers = parts.count == 2 ? parts[1].split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } : []
        guard parts.count == 2, !parts[0].isEmpty, numbers.count == 4, numbers[2] > 0, numbers[3] > 0 else {
            throw ShotError(.options, "--region: \"\(spec)\" is not a region; write name=x,y,w,h, e.g. anna=0.1,0.2,0.3,0.5 (normalised) or anna=192,216,576,540 (pixels)")
        }
        let rect = areFractionsOfFrame(numbers) ? pixels(numbers[0], numbers[1], numbers[2], numbers[3], width: width, height: height)
            : PixelRect(x: Int(numbers[0]), y: Int(numbers[1]), width: Int(numbers[2]), height: Int(numbers[3]))
        guard rect.x >= 0, rect.y >= 0, rect.x + rect.width <= width, rect.y + rect.height <= height, rect.width >= 8, rect.height >= 8 else {
            throw ShotError(.options, "--region: \"\(spec)\" does not fit a \(width)x\(height) frame with at least 8x8 pixels; check its position and size")
        }
        return AnalysisRegion(name: String(parts[0]), rect: rect)
    }

    /// A plan's rack compared with what the clip shows.
    package struct Grade: Encodable, Sendable {
        var target: String
        var rack: Int?
        /// The plan's cue frames, and the frames at which the move becomes visible: its source
        /// leaves and its target enters a 1-pixel circle of confusion at this frame size (an eased
        /// move is invisible for its first and last few frames).
        var cueStart: Int, cueLand: Int, visibleStart: Int, visibleLand: Int
        var landOffset: Int?, startOffset: Int?
    }

    func grade(_ racks: [RackEvent], against plan: ShotPlan, width: Int, height: Int, rate: FrameRate) -> [Grade] {
        func blur(_ d: Distance, _ f: Int) -> Double {
            abs(plan.camera.frameBlurModel(focus: plan.curve.focus(frame: f, fps: rate), frameWidth: width).pixels(dioptres: d.dioptres))
        }
        var used = Set<Int>()
        return plan.curve.moves.map { m in
            let target: String
            if case .subject(let n) = m.to { target = n } else { target = m.toDistance.description }
            let s = Int((m.start * rate.fps).rounded()), e = Int((m.end * rate.fps).rounded())
            var vs = s
            while vs < e && blur(m.fromDistance, vs + 1) <= 1 { vs += 1 }
            var vl = e
            while vl > vs + 1 && blur(m.toDistance, vl - 1) <= 1 { vl -= 1 }
            let match = racks.indices.filter { !used.contains($0) && (racks[$0].to == target) }
                .min { abs(racks[$0].startFrame - vs) < abs(racks[$1].startFrame - vs) }
                ?? racks.indices.filter { !used.contains($0) }.min { abs(racks[$0].startFrame - vs) < abs(racks[$1].startFrame - vs) }
            if let match { used.insert(match) }
            let r = match.map { racks[$0] }
            return Grade(target: target, rack: match, cueStart: s, cueLand: e, visibleStart: vs, visibleLand: vl,
                         landOffset: r?.landFrame.map { $0 - vl }, startOffset: r.map { $0.startFrame - vs })
        }
    }

    /// The rack in a focus puller's words.
    func verdict(_ r: RackEvent, grade: Grade?, rate: FrameRate) -> String {
        var parts: [String] = []
        if let g = grade, let off = g.landOffset {
            let when = abs(off) <= 1 ? "on the cue" : "\(abs(off)) frames \(off > 0 ? "late" : "early")"
            parts.append("landed \(when) (cue \(Timecode.string(frame: g.cueLand, rate: rate, dropFrame: false)), sharp from frame \(g.visibleLand) if on plan)")
        } else if r.landFrame == nil {
            parts.append("never landed: the clip ends while focus is still moving")
        } else {
            parts.append("landed")
        }
        if let h = r.hunting {
            parts.append("hunted: \(h.reversals) reversals over \(h.lastFrame - h.firstFrame) frames before settling")
        } else if let o = r.overshoot {
            let by = r.overshootMeters.map { "by about \(Distance.meters($0)) " } ?? ""
            parts.append("overshot \(by)(the target lost \(Int((o.sharpnessLost * 100).rounded()))% of its sharpness past the mark) and corrected back over \(o.correctedFrame - o.farthestFrame) frames")
        } else if r.landFrame != nil {
            parts.append("clean")
        }
        if let s = r.breathingScale, abs(s - 1) > 0.01 {
            parts.append(String(format: "the picture %@ %.1f%% over the move (focus breathing)", s > 1 ? "grows" : "shrinks", abs(s - 1) * 100))
        }
        return parts.joined(separator: ", ")
    }

    func jsonReport(curves: [SharpnessCurve], racks: [RackEvent], hunts: [HuntEvent], grades: [Grade], rate: FrameRate,
                    measure: FocusMeasure, focus: [Double?], stop: Double?) throws -> String {
        struct Region: Encodable { var name: String; var changes: Bool; var noise: Double; var measure: [Double]; var relative: [Double] }
        struct Report: Encodable {
            var clip: String; var fps: Double; var frames: Int; var measure: String
            var regions: [Region]; var racks: [RackEvent]; var hunting: [HuntEvent]; var cues: [Grade]
            /// With depth: the estimated focus distance of each frame, metres (null: undetermined).
            var focusMeters: [Double?]?
            /// With depth and --plan: the effective f-number measured from the footage.
            var effectiveStop: Double?
        }
        let report = Report(clip: clip, fps: rate.fps, frames: curves.first?.raw.count ?? 0, measure: measure.rawValue,
                            regions: curves.map { Region(name: $0.name, changes: $0.changes, noise: $0.noise, measure: $0.raw, relative: $0.relative) },
                            racks: racks, hunting: hunts, cues: grades,
                            focusMeters: focus.isEmpty ? nil : focus.map { $0.flatMap { $0.isFinite ? $0 : nil } }, effectiveStop: stop)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
