import Foundation
import RackFocusAnalysis
import RackFocusCharts
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan

extension ClipAnalysis {
    /// With --to-plan: a plan whose focus curve reproduces the clip's racks, each mark a subject
    /// named in the order focus reaches it.
    func writePlan(_ m: Measured, to toPlan: String, shot: ShotPlan) throws {
        let moves = m.moves
        guard let first = m.focus.compactMap({ $0 }).first else {
            throw ShotError(
                .unmeasurable, file: clip,
                "the focus distance could not be estimated from \(depth!.path) at any frame; check that the depth matches the clip"
            )
        }
        let marks = [moves.first?.fromMeters ?? first] + moves.map(\.toMeters)
        let writer = PlanWriter(
            comments: [
                "Focus measured from the plate: rackfocus analyze \(clip) --depth \(depth!.path)",
                "Each rack is fitted to the measured focus curve (cue frames, marks and easing).",
            ],
            name: "\((clip as NSString).lastPathComponent) (measured)", fps: m.rate, frames: m.frames,
            camera: shot.camera,
            measuredStop: m.effectiveStop, resolution: Resolution(width: m.info.width, height: m.info.height),
            subjects: marks.enumerated().map {
                ("mark\($0.offset)", $0.element.isFinite ? .meters($0.element) : .infinity)
            },
            initial: "mark0",
            racks: moves.enumerated().map { k, move in
                PlanWriter.Rack(
                    to: "mark\(k + 1)", startFrame: move.startFrame, frames: move.landFrame - move.startFrame,
                    curve: move.easing,
                    comment: String(format: "fit %.4f dioptres rms", move.rmsDioptres))
            })
        try AtomicFile.write(writer.yaml, to: toPlan)
    }

    /// With --svg: the sharpness curves with starts, landings and faults marked.
    func writeSVG(_ m: Measured, to svg: String) throws {
        var markers: [SharpnessPlot.Marker] = []
        for (k, r) in m.racks.enumerated() {
            markers.append(.init(frame: r.startFrame, label: "rack \(k + 1) starts", colour: "#555"))
            if let l = r.landFrame {
                markers.append(
                    .init(
                        frame: l, label: "lands", colour: r.overshoot != nil || r.hunting != nil ? "#d62728" : "#2ca02c"
                    ))
            }
            if let o = r.overshoot {
                markers.append(.init(frame: o.farthestFrame, label: "overshoot", colour: "#d62728"))
            }
        }
        for h in m.hunts {
            markers.append(.init(frame: h.firstFrame, label: "hunting (\(h.region))", colour: "#d62728"))
        }
        let svgText = SharpnessPlot.svg(
            title: (clip as NSString).lastPathComponent, names: m.curves.map(\.name), curves: m.curves.map(\.relative),
            markers: markers, timecode: m.timecode)
        try AtomicFile.write(svgText, to: svg)
    }

    /// The report as text, laid out for a focus puller.
    func text(_ m: Measured, grades: [Grade]) -> String {
        var out: [String] = []
        func print(_ line: String) { out.append(line) }
        let rate = m.rate, curves = m.curves, tc = m.timecode
        print(
            "\(clip) · \(m.info.width)x\(m.info.height) · \(m.frames) frames at \(rate) fps · measure \(measure.rawValue)"
        )
        if let effectiveStop = m.effectiveStop, let shot = m.shot {
            print(
                String(
                    format: "Effective stop f/%.1f, from the blur of the footage against its depth (the plan says %@)",
                    effectiveStop, shot.camera.stop.description))
        }
        let changing = curves.filter(\.changes)
        print("\nRegions (\(changing.count) of \(curves.count) change sharpness)")
        let rows = changing.map { c -> [String] in
            let sharpest = c.relative.firstIndex(of: c.relative.max() ?? 1) ?? 0
            let holds = c.relative.filter { $0 > 0.9 }.count
            return [
                c.name, tc(sharpest), "\(holds)", String(format: "%.3g", c.raw.min() ?? 0),
                String(format: "%.3g", c.raw.max() ?? 0),
            ]
        }
        if !rows.isEmpty { print(table(["region", "sharpest at", "frames sharp", "measure min", "max"], rows)) }
        if m.racks.isEmpty && m.hunts.isEmpty {
            print(
                "\nNo rack: focus does not move between the regions (\(changing.isEmpty ? "no region's sharpness changes beyond its noise" : "sharpness changes without one region handing over to another"))"
            )
            return out.joined(separator: "\n")
        }
        print("")
        for (k, r) in m.racks.enumerated() {
            let from = r.from ?? "(unmeasured)", to = r.to ?? "(unmeasured)"
            let land = r.landFrame.map { "\(tc($0)) (frame \($0))" } ?? "never"
            print(
                "Rack \(k + 1): \(from) → \(to)   starts \(tc(r.startFrame)) (frame \(r.startFrame)), lands \(land)"
                    + (r.durationFrames.map { String(format: ", %d frames (%.2f s)", $0, Double($0) / rate.fps) } ?? "")
            )
            if let a = r.fromMeters, let b = r.toMeters, a != b {
                print(
                    "  focus \(Distance.meters(a)) → \(Distance.meters(b)) (\(b > a ? "near → far" : "far → near"))"
                        + (r.profile.map { ", \($0)" } ?? ""))
            }
            print("  verdict: \(verdict(r, grade: grades.first { $0.rack == k }, rate: rate))")
        }
        for h in m.hunts {
            print("Hunting on \(h.region): \(h.reversals) reversals from \(tc(h.firstFrame)) to \(tc(h.lastFrame))")
        }
        for g in grades where g.rack == nil {
            print("Cue missed: the plan racks to \(g.target) at \(tc(g.cueLand)) but no rack to it was found")
        }
        return out.joined(separator: "\n")
    }

    /// The rack in a focus puller's words.
    func verdict(_ r: RackEvent, grade: Grade?, rate: FrameRate) -> String {
        var parts: [String] = []
        if let g = grade, let off = g.landOffset {
            let when = abs(off) <= 1 ? "on the cue" : "\(abs(off)) frames \(off > 0 ? "late" : "early")"
            parts.append(
                "landed \(when) (cue \(Timecode.string(frame: g.cueLand, rate: rate, dropFrame: false)), sharp from frame \(g.visibleLand) if on plan)"
            )
        } else if r.landFrame == nil {
            parts.append("never landed: the clip ends while focus is still moving")
        } else {
            parts.append("landed")
        }
        if let h = r.hunting {
            parts.append("hunted: \(h.reversals) reversals over \(h.lastFrame - h.firstFrame) frames before settling")
        } else if let o = r.overshoot {
            let by = r.overshootMeters.map { "by about \(Distance.meters($0)) " } ?? ""
            parts.append(
                "overshot \(by)(the target lost \(Int((o.sharpnessLost * 100).rounded()))% of its sharpness past the mark) and corrected back over \(o.correctedFrame - o.farthestFrame) frames"
            )
        } else if r.landFrame != nil {
            parts.append("clean")
        }
        if let s = r.breathingScale, abs(s - 1) > 0.01 {
            parts.append(
                String(
                    format: "the picture %@ %.1f%% over the move (focus breathing)", s > 1 ? "grows" : "shrinks",
                    abs(s - 1) * 100))
        }
        return parts.joined(separator: ", ")
    }

    func jsonReport(
        curves: [SharpnessCurve], racks: [RackEvent], hunts: [HuntEvent], grades: [Grade], rate: FrameRate,
        measure: FocusMeasure, focus: [Double?], stop: Double?
    ) throws -> String {
        struct Region: Encodable {
            var name: String; var changes: Bool; var noise: Double; var measure: [Double]; var relative: [Double]
        }
        struct Report: Encodable {
            var clip: String; var fps: Double; var frames: Int; var measure: String
            var regions: [Region]; var racks: [RackEvent]; var hunting: [HuntEvent]; var cues: [Grade]
            /// With depth: the estimated focus distance of each frame, metres (null: undetermined).
            var focusMeters: [Double?]?
            /// With depth and --plan: the effective f-number measured from the footage.
            var effectiveStop: Double?
        }
        let report = Report(
            clip: clip, fps: rate.fps, frames: curves.first?.raw.count ?? 0, measure: measure.rawValue,
            regions: curves.map {
                Region(name: $0.name, changes: $0.changes, noise: $0.noise, measure: $0.raw, relative: $0.relative)
            },
            racks: racks, hunting: hunts, cues: grades,
            focusMeters: focus.isEmpty ? nil : focus.map { $0.flatMap { $0.isFinite ? $0 : nil } }, effectiveStop: stop)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
