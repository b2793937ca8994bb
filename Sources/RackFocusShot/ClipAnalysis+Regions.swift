import Foundation
import RackFocusAnalysis
import RackFocusImage
import RackFocusOptics
import RackFocusPlan

extension ClipAnalysis {
    /// Regions from --region, else the plan's subjects placed in the image, else a grid.
    func makeRegions(width: Int, height: Int, plan: ShotPlan?) throws -> [AnalysisRegion] {
        if !regionSpecs.isEmpty {
            return try regionSpecs.map { spec throws(ShotError) in
                try Self.parseRegion(spec, width: width, height: height)
            }
        }
        if let plan {
            let placed = plan.subjects.compactMap { s -> AnalysisRegion? in
                guard let box = s.region(at: 0) else { return nil }
                // A point stands for the subject around it: a box of 8% of the frame's width.
                let side = 0.08,
                    b =
                        box.isPoint
                        ? ImageBox(
                            x: box.x - side / 2, y: box.y - side * Double(width) / Double(height) / 2,
                            width: side, height: side * Double(width) / Double(height)) : box
                return AnalysisRegion(
                    name: s.name, rect: Self.pixels(b.x, b.y, b.width, b.height, width: width, height: height))
            }
            if placed.count >= 2 { return placed }
            feedback.note(
                "the plan places fewer than two subjects in the image (point or box); following a \(grid) grid instead")
        }
        let parts = grid.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (1...26).contains(parts[0]), (1...26).contains(parts[1]), parts[0] * parts[1] >= 2
        else {
            throw ShotError(.options, "--grid: \"\(grid)\" is not a grid; write COLUMNSxROWS, e.g. 4x3")
        }
        return AnalysisRegion.grid(columns: parts[0], rows: parts[1], width: width, height: height)
    }

    static func pixels(_ x: Double, _ y: Double, _ w: Double, _ h: Double, width: Int, height: Int) -> PixelRect {
        let x0 = max(0, Int((x * Double(width)).rounded())), y0 = max(0, Int((y * Double(height)).rounded()))
        let x1 = min(width, Int(((x + w) * Double(width)).rounded())),
            y1 = min(height, Int(((y + h) * Double(height)).rounded()))
        return PixelRect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0))
    }

    package static func parseRegion(_ spec: String, width: Int, height: Int) throws(ShotError) -> AnalysisRegion {
        let parts = spec.split(separator: "=", maxSplits: 1)
        let numbers =
            parts.count == 2
            ? parts[1].split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } : []
        guard parts.count == 2, !parts[0].isEmpty, numbers.count == 4, numbers[2] > 0, numbers[3] > 0 else {
            throw ShotError(
                .options,
                "--region: \"\(spec)\" is not a region; write name=x,y,w,h, e.g. anna=0.1,0.2,0.3,0.5 (normalised) or anna=192,216,576,540 (pixels)"
            )
        }
        let rect =
            areFractionsOfFrame(numbers)
            ? pixels(numbers[0], numbers[1], numbers[2], numbers[3], width: width, height: height)
            : PixelRect(x: Int(numbers[0]), y: Int(numbers[1]), width: Int(numbers[2]), height: Int(numbers[3]))
        guard rect.x >= 0, rect.y >= 0, rect.x + rect.width <= width, rect.y + rect.height <= height, rect.width >= 8,
            rect.height >= 8
        else {
            throw ShotError(
                .options,
                "--region: \"\(spec)\" does not fit a \(width)x\(height) frame with at least 8x8 pixels; check its position and size"
            )
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
            abs(
                plan.camera.frameBlurModel(focus: plan.curve.focus(frame: f, fps: rate), frameWidth: width).pixels(
                    dioptres: d.dioptres))
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
            let match =
                racks.indices.filter { !used.contains($0) && (racks[$0].to == target) }
                .min { abs(racks[$0].startFrame - vs) < abs(racks[$1].startFrame - vs) }
                ?? racks.indices.filter { !used.contains($0) }.min {
                    abs(racks[$0].startFrame - vs) < abs(racks[$1].startFrame - vs)
                }
            if let match { used.insert(match) }
            let r = match.map { racks[$0] }
            return Grade(
                target: target, rack: match, cueStart: s, cueLand: e, visibleStart: vs, visibleLand: vl,
                landOffset: r?.landFrame.map { $0 - vl }, startOffset: r.map { $0.startFrame - vs })
        }
    }
}
