import Foundation
import RackFocusOptics
import RackFocusPlan

/// Writes a shot plan as YAML in the format `ShotPlan.load` reads (docs/plan-format.md).
struct PlanWriter {
    /// One rack entry: to a subject, from a frame, over some frames, with a curve.
    struct Rack {
        var to: String
        var startFrame: Int
        var frames: Int
        var curve: Easing
        var comment: String?
    }

    var comments: [String]
    var name: String
    var fps: FrameRate
    var frames: Int
    var camera: Camera
    /// A stop measured from footage, written in place of the camera's (with the camera's noted).
    var measuredStop: Double? = nil
    var resolution: Resolution
    /// Subjects by name with their distances, in order.
    var subjects: [(name: String, distance: Distance)]
    var initial: String
    var racks: [Rack]

    var yaml: String {
        func num(_ v: Double) -> String { String(format: "%g", v) }
        var lines = comments.map { "# \($0)" }
        lines += [
            "name: \"\(name.replacingOccurrences(of: "\"", with: "'"))\"",
            "fps: \(fps.denominator == 1 ? "\(fps.numerator)" : "\(fps.numerator)/\(fps.denominator)")",
            "duration: \(frames)f",
            "camera:",
            "  sensor: { width: \(num(camera.sensor.widthMM))mm, height: \(num(camera.sensor.heightMM))mm }",
            "  focalLength: \(num(camera.focalLengthMM))mm",
            measuredStop.map { String(format: "  stop: %.2f   # measured from the footage; the lens was given as %@", $0, camera.stop.description) }
                ?? "  stop: \(camera.stop.isTStop ? "T" : "")\(num(camera.stop.number))",
            "  resolution: \(resolution.width)x\(resolution.height)",
            "  coc: \(num(camera.cocMM))mm",
        ]
        if camera.minFocusIsStated { lines.append("  minFocus: \(String(format: "%.3fm", camera.minFocus.meters))") }
        if camera.squeeze != 1 { lines.append("  squeeze: \(num(camera.squeeze))") }
        if camera.breathing != 0 { lines.append("  breathing: \(num(camera.breathing))") }
        if camera.aperture.blades > 0 {
            lines.append("  aperture: { blades: \(camera.aperture.blades), rotation: \(num(camera.aperture.rotationDegrees))deg, curvature: \(num(camera.aperture.curvature)) }")
        }
        lines.append("subjects:")
        for s in subjects { lines.append("  \(s.name): \(s.distance.isInfinite ? "inf" : String(format: "%.3fm", s.distance.meters))") }
        lines.append("focus:")
        lines.append("  - { at: 0f, on: \(initial) }")
        for r in racks {
            lines.append("  - { rack: \(r.to), start: \(r.startFrame)f, duration: \(r.frames)f, curve: \(r.curve.rawValue) }" + (r.comment.map { "   # \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
