import Foundation
import RackFocusImage
import RackFocusOptics
import RackFocusPlan

/// The plain-text form of a `PlanReport`, laid out like a camera assistant's notes.
package enum PlanText {
    package static func render(_ r: PlanReport) -> String {
        var out: [String] = []
        let c = r.camera
        let title = r.name.map { "\"\($0)\" · " } ?? ""
        out.append(
            "\(title)\(Length.format(millimeters: c.focalLengthMM)) \(c.stop) on \(c.sensor) · CoC \(Length.format(millimeters: c.cocMM)) (\(String(format: "%.1f", c.cocPixels)) px of \(c.resolution)) · \(r.fps) fps · \(r.durationTimecode)"
        )
        for n in c.notes { out.append("note: \(n)") }
        for w in r.warnings { out.append("warning: \(w)") }
        if let ds = r.subjectsFromDepth, !ds.isEmpty {
            out.append("")
            out.append("Subjects from depth")
            let d = { (m: Double) in Distance(meters: m, system: r.units).formatted() }
            out.append(
                table(
                    ["subject", "position", "at start", "nearest", "farthest", "frames"],
                    ds.map {
                        [
                            $0.subject, $0.position, d($0.startM), d($0.nearestM), d($0.farthestM),
                            "\($0.perFrameM.count)",
                        ]
                    }))
        }
        out.append("")
        out.append("Focus marks")
        out.append(
            table(
                ["at", "on", "distance", "near", "far", "depth", "ring", "sharp"],
                r.marks.map {
                    [
                        $0.timecode, $0.target, $0.distance, $0.near, $0.far, $0.farM == nil ? "∞" : $0.total,
                        String(format: "%.0f°", $0.ringDegrees),
                        $0.sharp.isEmpty ? "-" : $0.sharp.joined(separator: ", "),
                    ]
                }))
        for (i, k) in r.racks.enumerated() {
            out.append("")
            out.append(
                "Rack \(i + 1): \(k.from) → \(k.to)   \(k.startTimecode) → \(k.landTimecode)   \(String(format: "%.2f", k.durationSeconds)) s, \(k.frames) frames, \(k.curve)"
            )
            out.append(
                String(
                    format: "  travel %.2f dioptres, ring %.0f°, peak ring speed %.0f°/s", abs(k.dioptreTravel),
                    k.ringTravelDegrees, k.peakRingSpeedDegreesPerSecond))
            out.append(
                table(
                    ["subject", "distance", "blur at start", "blur at land"],
                    k.subjects.map {
                        [
                            $0.subject, $0.distanceM.map { Distance(meters: $0, system: r.units).formatted() } ?? "∞",
                            String(format: "%.1f px", $0.blurStartPx), String(format: "%.1f px", $0.blurEndPx),
                        ]
                    }))
            out.append(
                String(
                    format: "  verdict: %@ (the weaker end blurs %.1f px; a rack reads from %.1f px at this width)",
                    k.verdict.rawValue, k.visibilityPx, RackVerdict.readsThreshold(width: width(c.resolution))))
            for a in k.advice { out.append("  advice: \(a)") }
            for w in k.warnings { out.append("  warning: \(w)") }
        }
        if r.racks.isEmpty { out.append(""); out.append("No racks in this plan.") }
        return out.joined(separator: "\n")
    }

    private static func width(_ resolution: String) -> Int {
        (try? Resolution(parsing: resolution).width) ?? 1920
    }
}
