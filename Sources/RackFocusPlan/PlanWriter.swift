import Foundation
import RackFocusOptics

/// Writes a shot plan as YAML in the format `ShotPlan.load` reads (docs/plan-format.md).
public struct PlanWriter {
    /// One rack entry: to a subject, from a frame, over some frames, with a curve.
    public struct Rack {
        public var to: String
        public var startFrame: Int
        public var frames: Int
        public var curve: Easing
        public var comment: String?

        public init(to: String, startFrame: Int, frames: Int, curve: Easing, comment: String? = nil) {
            self.to = to
            self.startFrame = startFrame
            self.frames = frames
            self.curve = curve
            self.comment = comment
        }
    }

    public var comments: [String]
    public var name: String
    public var fps: FrameRate
    public var frames: Int
    public var camera: Camera
    /// A stop measured from footage, written in place of the camera's (with the camera's noted).
    public var measuredStop: Double? = nil
    public var resolution: Resolution
    /// Subjects by name with their distances, in order.
    public var subjects: [(name: String, distance: Distance)]
    /// Notes on subjects, by name (written after the distance).
    public var notes: [String: String] = [:]
    public var initial: String
    public var racks: [Rack]

    public init(
        comments: [String], name: String, fps: FrameRate, frames: Int, camera: Camera, measuredStop: Double? = nil,
        resolution: Resolution, subjects: [(name: String, distance: Distance)], initial: String, racks: [Rack]
    ) {
        self.comments = comments
        self.name = name
        self.fps = fps
        self.frames = frames
        self.camera = camera
        self.measuredStop = measuredStop
        self.resolution = resolution
        self.subjects = subjects
        self.initial = initial
        self.racks = racks
    }

    public var yaml: String {
        func num(_ v: Double) -> String { String(format: "%g", v) }
        var lines = comments.map { "# \($0)" }
        lines += [
            "name: \"\(name.replacingOccurrences(of: "\"", with: "'"))\"",
            "fps: \(fps.denominator == 1 ? "\(fps.numerator)" : "\(fps.numerator)/\(fps.denominator)")",
            "duration: \(frames)f",
            "camera:",
            // A preset by its name (a plan written from a super35 plan says super35), else its size.
            Sensor.presets.contains(camera.sensor)
                ? "  sensor: \(camera.sensor.name)"
                : "  sensor: { width: \(num(camera.sensor.widthMM))mm, height: \(num(camera.sensor.heightMM))mm }",
            "  focalLength: \(num(camera.focalLengthMM))mm",
            measuredStop.map {
                String(
                    format: "  stop: %.2f   # measured from the footage; the lens was given as %@", $0,
                    camera.stop.description)
            }
                ?? "  stop: \(camera.stop.isTStop ? "T" : "")\(num(camera.stop.number))",
            "  resolution: \(resolution.width)x\(resolution.height)",
            "  coc: \(num(camera.cocMM))mm",
        ]
        if camera.minFocusIsStated { lines.append("  minFocus: \(String(format: "%.3fm", camera.minFocus.meters))") }
        if camera.squeeze != 1 { lines.append("  squeeze: \(num(camera.squeeze))") }
        if camera.breathing != 0 { lines.append("  breathing: \(num(camera.breathing))") }
        if camera.catEye != 0 { lines.append("  catEye: \(num(camera.catEye))") }
        if camera.aperture.blades > 0 {
            lines.append(
                "  aperture: { blades: \(camera.aperture.blades), rotation: \(num(camera.aperture.rotationDegrees))deg, curvature: \(num(camera.aperture.curvature)) }"
            )
        }
        lines.append("subjects:")
        for s in subjects {
            let distance = s.distance.isInfinite ? "inf" : String(format: "%.3fm", s.distance.meters)
            if let note = notes[s.name] {
                let quoted = note.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                    of: "\"", with: "\\\""
                )
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
                lines.append("  \(s.name): { distance: \(distance), note: \"\(quoted)\" }")
            } else {
                lines.append("  \(s.name): \(distance)")
            }
        }
        lines.append("focus:")
        lines.append("  - { at: 0f, on: \(initial) }")
        for r in racks {
            lines.append(
                "  - { rack: \(r.to), start: \(r.startFrame)f, duration: \(r.frames)f, curve: \(r.curve.rawValue) }"
                    + (r.comment.map { "   # \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
