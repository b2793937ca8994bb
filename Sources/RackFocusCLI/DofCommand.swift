import ArgumentParser
import Foundation
import RackFocusImage
import RackFocusOptics
import RackFocusShot

/// `rackfocus dof`: a camera assistant's depth-of-field calculator.
struct DofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dof",
        abstract: "Near and far limits, total depth of field and hyperfocal distance.",
        discussion: "Example: rackfocus dof --focal 50mm --stop 2.8 --focus 3m --sensor fullframe")

    @OptionGroup var lens: LensOptions
    @Option(help: "Focus distance: 3m, 10ft, 12'6\", inf.") var focus: String
    @Option(help: "Circle of confusion: 0.025mm, or pixels: 1px@4k (default: the sensor's convention).") var coc:
        String?
    @Option(help: "Delivery resolution for blur in pixels: 1920x1080, 4k ...") var resolution: String = "1920x1080"
    @Option(help: "Also report the blur of a subject at this distance.") var subject: [String] = []
    @Flag(help: "Print JSON instead of text.") var json = false

    struct Report: Codable {
        var focalLengthMM: Double
        var stop: String
        var sensor: String
        var cocMM: Double
        var focusM: Double?
        var nearM: Double
        var farM: Double?
        var totalM: Double?
        var inFrontM: Double
        var behindM: Double?
        var hyperfocalM: Double
        var horizontalAngleOfViewDegrees: Double
        var magnification: Double
        var subjects: [SubjectBlur]
        var notes: [String]

        /// Every key always present: an infinite distance is `null`, as documented, not left out.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(focalLengthMM, forKey: .focalLengthMM)
            try c.encode(stop, forKey: .stop)
            try c.encode(sensor, forKey: .sensor)
            try c.encode(cocMM, forKey: .cocMM)
            try c.encode(focusM, forKey: .focusM)
            try c.encode(nearM, forKey: .nearM)
            try c.encode(farM, forKey: .farM)
            try c.encode(totalM, forKey: .totalM)
            try c.encode(inFrontM, forKey: .inFrontM)
            try c.encode(behindM, forKey: .behindM)
            try c.encode(hyperfocalM, forKey: .hyperfocalM)
            try c.encode(horizontalAngleOfViewDegrees, forKey: .horizontalAngleOfViewDegrees)
            try c.encode(magnification, forKey: .magnification)
            try c.encode(subjects, forKey: .subjects)
            try c.encode(notes, forKey: .notes)
        }
    }

    struct SubjectBlur: Codable {
        var distanceM: Double?
        var blurMM: Double
        var blurPx: Double

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(distanceM, forKey: .distanceM)
            try c.encode(blurMM, forKey: .blurMM)
            try c.encode(blurPx, forKey: .blurPx)
        }
    }

    static func camera(focal: String, stop: String, sensor: String, coc: String?, resolution: String) throws(CLIError)
        -> Camera
    {
        let f = try parseOption("--focal", focal) { t throws(ValueError) in try Length.millimeters(parsing: t) }
        guard f >= 1, f <= 2000 else { throw CLIError("--focal: \(focal) is outside 1-2000 mm; write e.g. 50mm") }
        let n = try parseOption("--stop", stop) { t throws(ValueError) in try Stop(parsing: t) }
        let res = try parseOption("--resolution", resolution) { t throws(ValueError) in try Resolution(parsing: t) }
        let s = try parseOption("--sensor", sensor) { t throws(ValueError) -> Sensor in
            let parts = t.lowercased().replacingOccurrences(of: "mm", with: "").split(whereSeparator: {
                $0 == "x" || $0 == "×"
            })
            if parts.count == 2, let w = Limits.decimal(parts[0]), let h = Limits.decimal(parts[1]) {
                guard w > 0, h > 0, w <= 100, h <= 100 else {
                    throw ValueError(
                        "\"\(t)\" is not a real sensor size", fix: "write WIDTHxHEIGHT in mm, e.g. 24.89x18.66")
                }
                return Sensor.custom(widthMM: w, heightMM: h)
            }
            return try Sensor.preset(named: t)
        }
        let c = try coc.map { text throws(CLIError) in
            try parseOption("--coc", text) { t throws(ValueError) in
                try CircleOfConfusion.millimeters(parsing: t, sensorWidthMM: s.widthMM, delivery: res)
            }
        }
        return Camera(sensor: s, focalLengthMM: f, stop: n, cocMM: c, resolution: res)
    }

    /// A magnification as photographers write it: 1:40 for a portrait, 2:1 closer than 1:1 (macro).
    static func ratio(_ m: Double) -> String {
        guard m.isFinite, m > 0 else { return "0" }
        func n(_ v: Double) -> String { v >= 10 ? String(format: "%.0f", v) : String(format: "%.2g", v) }
        return m >= 1 ? "\(n(m)):1" : "1:\(n(1 / m))"
    }

    func run() throws {
        let cam = try lens.camera(coc: coc, resolution: resolution)
        let s = try parseOption("--focus", focus) { t throws(ValueError) in try Distance(parsing: t) }
        guard s.meters > cam.focalLengthMM / 1000 else {
            throw CLIError("--focus: \(s) is inside the focal length; a lens cannot focus there")
        }
        let subjects = try subject.map { text throws(CLIError) in
            try parseOption("--subject", text) { t throws(ValueError) in try Distance(parsing: t) }
        }
        print(Self.render(camera: cam, focus: s, subjects: subjects, json: json))
    }

    static func render(camera cam: Camera, focus s: Distance, subjects: [Distance], json: Bool) -> String {
        let dof = cam.depthOfField(focus: s)
        let h = cam.hyperfocal.printed(in: s.system)
        var notes: [String] = []
        if cam.stop.isTStop { notes.append(Stop.tStopNote) }
        if json {
            func m(_ d: Distance) -> Double? { d.isInfinite ? nil : d.meters }
            let report = Report(
                focalLengthMM: cam.focalLengthMM, stop: cam.stop.description, sensor: cam.sensor.title,
                cocMM: cam.cocMM, focusM: m(s), nearM: dof.near.meters, farM: m(dof.far), totalM: m(dof.total),
                inFrontM: dof.inFront.meters, behindM: m(dof.behind), hyperfocalM: cam.hyperfocal.meters,
                horizontalAngleOfViewDegrees: cam.horizontalAngleOfView(focus: s),
                magnification: cam.magnification(focus: s),
                subjects: subjects.map {
                    SubjectBlur(
                        distanceM: m($0), blurMM: cam.blurDiameterMM(subject: $0, focus: s),
                        blurPx: cam.blurPixels(subject: $0, focus: s))
                },
                notes: notes)
            return encodeJSON(report)
        }
        var lines = [
            "Lens        \(Length.format(millimeters: cam.focalLengthMM)) \(cam.stop) on \(cam.sensor.title) (\(Length.format(millimeters: cam.sensor.widthMM)) wide), CoC \(Length.format(millimeters: cam.cocMM))",
            "Focus       \(s)",
            "Near        \(dof.near)",
            "Far         \(dof.far)",
            "Total       \(dof.far.isInfinite ? "∞" : dof.total.formatted())  (\(dof.inFront) in front, \(dof.far.isInfinite ? "∞" : dof.behind.formatted()) behind)",
            "Hyperfocal  \(h)  (focus there: sharp from \(Distance(meters: cam.hyperfocal.meters / 2, system: s.system)) to ∞)",
            String(format: "View        %.1f° horizontal, magnification ", cam.horizontalAngleOfView(focus: s))
                + Self.ratio(cam.magnification(focus: s)),
        ]
        for d in subjects {
            let mm = cam.blurDiameterMM(subject: d, focus: s)
            lines.append(
                String(
                    format: "Subject     %@: blur %.3f mm = %.1f px at %@ (%@)", d.formatted(), abs(mm),
                    abs(cam.blurPixels(subject: d, focus: s)), cam.resolution.description,
                    mm < 0 ? "in front of focus" : mm > 0 ? "behind focus" : "in focus"))
        }
        lines += notes.map { "Note        \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// The lens options `dof` and `still` share.
struct LensOptions: ParsableArguments {
    @Option(help: "Focal length, e.g. 50mm.") var focal: String
    @Option(help: "Stop: 2.8, f/2.8 or T2.1 (T-stops are used as f-stops).") var stop: String
    @Option(
        help:
            "Sensor: \(Sensor.presetNames.joined(separator: ", ")), or WIDTHxHEIGHT in mm (the frame spans its width).")
    var sensor: String = "super35"

    func camera(coc: String?, resolution: String) throws(CLIError) -> Camera {
        try DofCommand.camera(focal: focal, stop: stop, sensor: sensor, coc: coc, resolution: resolution)
    }
}
