import Foundation
import RackFocusAnalysis
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender

extension ClipAnalysis {
    /// What the passes over the clip found.
    struct Measured {
        var shot: ShotPlan?
        var info: ClipInfo
        var rate: FrameRate
        var frames: Int
        var curves: [SharpnessCurve]
        var racks: [RackEvent]
        var hunts: [HuntEvent]
        /// With depth: the estimated focus distance of each frame (nil: undetermined).
        var focus: [Double?]
        /// With depth: the plan moves that reproduce the focus curve, one per landed rack.
        var moves: [FittedMove]
        /// With depth and a lens: the effective f-number.
        var effectiveStop: Double?

        /// A frame's timecode at the clip's rate (drop-frame when the plan's cues are).
        func timecode(_ f: Int) -> String { Timecode.string(frame: f, rate: rate, dropFrame: shot?.dropFrame ?? false) }
    }

    /// The first pass (sharpness per region and frame, focus from depth, peaking), the racks
    /// found in it, and the second pass for what needs pixels of frames known only after it.
    func passes() throws -> Measured {
        let focusMeasure = measure
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
            try FrameWriter(
                path: path, width: info.width, height: info.height, frameRate: rate, colorTags: info.colorTags)
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
        guard analyzer.frameCount >= 3 else {
            throw ShotError(
                .unmeasurable, file: clip, "\(analyzer.frameCount) frame(s); a rack needs a clip of at least 3 frames")
        }
        let curves = analyzer.curves()
        var found = RackDetector().detect(curves, fps: rate.fps)
        var estimate = analyzer.focusEstimate()
        // With depth: the holds placed by blur where no tile is sharp there, the effective stop
        // (with the lens) and breathing, from a second pass over the clip for just those crops.
        var effectiveStop: Double?
        var moves: [FittedMove] = []
        if !estimate.metres.isEmpty {
            let lens = shot.map { (camera: $0.camera, width: info.width, height: info.height) }
            effectiveStop = try secondPass(
                analyzer: analyzer, estimate: &estimate, lens: lens, racks: &found.racks, depth: coarseDepth,
                level: coarseLevel)
            // The report's marks are the plan's (--to-plan): the holds either side of each rack.
            moves = FocusCurveFit.fit(focus: estimate.metres, racks: found.racks)
            for m in moves {
                found.racks[m.rack].fromMeters = m.fromMeters
                found.racks[m.rack].toMeters = m.toMeters
            }
        }
        let focus = estimate.metres
        return Measured(
            shot: shot, info: info, rate: rate, frames: analyzer.frameCount, curves: curves, racks: found.racks,
            hunts: found.hunts, focus: focus, moves: moves, effectiveStop: effectiveStop)
    }

    /// A plane of `img` (its first channel) binned 2^level × 2^level.
    static func coarse(_ img: PlanarImage, level: Int) -> PlanarImage {
        var p = LumaPyramid(levels: level + 1)
        p.update(from: img.channels == 1 ? img : img.plane(0))
        return p.levels[level]
    }

    /// A second pass over the clip for what needs pixels of frames known only after the first:
    /// crops of tiles that focus passed, whose blur at the clip's ends places holds that no tile
    /// is sharp at (`HoldFit`) and gives the effective stop (with the lens); and each rack's start
    /// and landing for breathing (with its marks and the depth map). Attaches the focus curve to
    /// the racks; returns the effective f-number.
    func secondPass(
        analyzer: FocusAnalyzer, estimate: inout FocusDistanceEstimator.Estimate,
        lens: (camera: Camera, width: Int, height: Int)?, racks: inout [RackEvent], depth: PlanarImage?, level: Int
    ) throws -> Double? {
        let lastFrame = analyzer.frameCount - 1
        let probes = BlurScale.probes(analyzer, focus: estimate.metres)
        var wanted: [Int: [Int]] = [:]
        for (i, p) in probes.enumerated() {
            for f in [p.sharpFrame] + p.softFrames { wanted[f, default: []].append(i) }
        }
        var crops: [Int: [Int: PlanarImage]] = [:]
        var coarseFrames: [Int: PlanarImage] = [:]
        // Breathing compares each rack's start and landing (frames found from sharpness alone).
        let ends = depth == nil ? [] : racks.flatMap { r in r.landFrame.map { [r.startFrame, $0] } ?? [] }
        let needed = Set(wanted.keys).union(ends)
        // Nothing to fetch (no probe, no landed rack): no pass, and the curve stands as measured.
        if let last = needed.max() {
            let reader = try FrameReader(path: clip)
            defer { reader.close() }
            let probeLevel = probes.first?.level ?? 0
            var frame: PlanarImage?, pyramid = LumaPyramid(levels: max(level, probeLevel) + 1)
            var n = 0
            while n <= last, try reader.next(into: &frame) {
                defer { n += 1 }
                guard needed.contains(n) else { continue }
                pyramid.update(from: frame!)
                if ends.contains(n) { coarseFrames[n] = pyramid.levels[level] }
                let l = pyramid.levels[probeLevel]
                for i in wanted[n] ?? [] { crops[i, default: [:]][n] = l.crop(probes[i].crop) }
            }
        }
        let samples = BlurScale.samples(probes, lastFrame: lastFrame) { crops[$0]?[$1] }
        let metres = estimate.metres
        // Without hold bounds (focus not moving one way), each end stays where the curve has it.
        let bounds = estimate.holds ?? FocusDistanceEstimator.Bounds(fixedAt: metres)
        let fit = bounds.flatMap { HoldFit.fit(samples, bounds: $0) }
        if let fit, fit.openingFreed || fit.closingFreed {
            estimate = analyzer.focusEstimate(holds: (fit.opening, fit.closing))
        }
        for k in racks.indices { racks[k].attach(focus: estimate.metres) }
        if let depth {
            for k in racks.indices {
                guard let from = racks[k].fromMeters, let to = racks[k].toMeters, let land = racks[k].landFrame,
                    let a = coarseFrames[racks[k].startFrame], let b = coarseFrames[land],
                    depth.width == a.width, depth.height == a.height
                else { continue }
                let weights = Breathing.equalBlurWeights(depth: depth, from: from, to: to)
                // Enough area at equal blur (2% of the picture) to measure on.
                if weights.data.reduce(0, +) >= Float(a.width * a.height) / 50 {
                    racks[k].breathingScale = Breathing.scale(before: a, after: b, weights: weights)
                }
            }
        }
        guard let lens, let k = fit?.pixelsPerDioptre else { return nil }
        let camera = lens.camera
        let pixelsPerMM = Double(lens.width) / (camera.sensor.widthMM * camera.squeeze)
        return BlurScale.fNumber(pixelsPerDioptre: k, focalLengthMM: camera.focalLengthMM, pixelsPerMM: pixelsPerMM)
    }
}
