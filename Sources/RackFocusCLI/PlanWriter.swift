import Foundation
import RackFocusAnalysis
import RackFocusOptics

/// Writes a shot plan as YAML in the format `ShotPlan.load` reads (docs/plan-format.md).
enum PlanWriter {
    static func yaml(name: String, fps: FrameRate, frames: Int, camera: Camera, measuredStop: Double?, width: Int, height: Int,
                     initial: Double, moves: [FittedMove], source: String) -> String {
        func m(_ v: Double) -> String { v.isFinite ? String(format: "%.3fm", v) : "inf" }
        func num(_ v: Double) -> String { String(format: "%g", v) }
        var lines = [
            "# Focus measured from the plate: \(source)",
            "# Each rack is fitted to the measured focus curve (cue frames, marks and easing).",
            "name: \"\(name.replacingOccurrences(of: "\"", with: "'"))\"",
            "fps: \(fps.denominator == 1 ? "\(fps.numerator)" : "\(fps.numerator)/\(fps.denominator)")",
            "duration: \(frames)f",
            "camera:",
            "  sensor: { width: \(num(camera.sensor.widthMM))mm, height: \(num(camera.sensor.heightMM))mm }",
            "  focalLength: \(num(camera.focalLengthMM))mm",
            measuredStop.map { String(format: "  stop: %.2f   # measured from the footage; the lens was given as %@", $0, camera.stop.description) }
                ?? "  stop: \(camera.stop.isTStop ? "T" : "")\(num(camera.stop.number))",
            "  resolution: \(width)x\(height)",
            "  coc: \(num(camera.cocMM))mm",
        ]
        if camera.squeeze != 1 { lines.append("  squeeze: \(num(camera.squeeze))") }
        if camera.breathing != 0 { lines.append("  breathing: \(num(camera.breathing))") }
        if camera.aperture.blades > 0 {
            lines.append("  aperture: { blades: \(camera.aperture.blades), rotation: \(num(camera.aperture.rotationDegrees))deg, curvature: \(num(camera.aperture.curvature)) }")
        }
        // Each mark is a subject, named in the order focus reaches it.
        lines.append("subjects:")
        lines.append("  mark0: \(m(initial))")
        for (k, move) in moves.enumerated() { lines.append("  mark\(k + 1): \(m(move.toMeters))") }
        lines.append("focus:")
        lines.append("  - { at: 0f, on: mark0 }")
        for (k, move) in moves.enumerated() {
            lines.append("  - { rack: mark\(k + 1), start: \(move.startFrame)f, duration: \(move.landFrame - move.startFrame)f, curve: \(move.easing.rawValue) }"
                         + String(format: "   # fit %.4f dioptres rms", move.rmsDioptres))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
