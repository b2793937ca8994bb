import Foundation
import RackFocusOptics

extension PlanBuilder {
    // MARK: camera

    static func buildCamera(_ node: PlanNode, log: inout IssueLog) -> Camera? {
        guard node.isMapping else {
            log.error(
                node.issue(
                    "camera must be a mapping", fix: "write camera: { sensor: super35, focalLength: 50mm, stop: 2.8 }"))
            return nil
        }
        log.checkKeys(node, allowed: cameraKeys)
        var sensor: Sensor?
        if let sNode = node["sensor"] {
            if sNode.isMapping {
                log.checkKeys(sNode, allowed: ["width", "height", "coc"])
                let w = log.required(sNode, "width", "sensor width", example: "24.89mm") { t throws(ValueError) in
                    try Length.millimeters(parsing: t)
                }
                let h = log.required(sNode, "height", "sensor height", example: "18.66mm") { t throws(ValueError) in
                    try Length.millimeters(parsing: t)
                }
                if let w, let h {
                    if w <= 0 || h <= 0 || w > 100 || h > 100 {
                        log.error(
                            sNode.issue(
                                "sensor \(w) × \(h) mm is not a real sensor size",
                                fix: "give width and height in mm, e.g. 24.89mm × 18.66mm"))
                    } else {
                        sensor = .custom(widthMM: w, heightMM: h)
                    }
                }
            } else {
                sensor = log.value(sNode, "sensor name") { t throws(ValueError) in try Sensor.preset(named: t) }
            }
        } else {
            log.error(
                PlanIssue(
                    path: "camera.sensor", line: node.line, message: "missing sensor",
                    fix: "add sensor: with one of \(Sensor.presetNames.joined(separator: ", "))"))
        }
        let focal = log.required(node, "focalLength", "focal length", example: "50mm") { t throws(ValueError) in
            try Length.millimeters(parsing: t)
        }
        if let f = focal, !(1...2000).contains(f) {
            log.error(node["focalLength"]!.issue("focal length \(f) mm is outside 1-2000 mm", fix: "write e.g. 50mm"))
        }
        let stop = log.required(node, "stop", "stop", example: "2.8") { t throws(ValueError) in try Stop(parsing: t) }
        var resolution = Resolution(width: 1920, height: 1080)
        if let r = log.value(
            node["resolution"], "resolution", parse: { t throws(ValueError) in try Resolution(parsing: t) })
        {
            resolution = r
        }
        guard let sensor, let focal, let stop, (1...2000).contains(focal) else { return nil }

        var coc: Double?
        if let cNode = node["coc"] {
            coc = log.value(cNode, "circle of confusion") { t throws(ValueError) in
                try CircleOfConfusion.millimeters(parsing: t, sensorWidthMM: sensor.widthMM, delivery: resolution)
            }
        }
        let minFocus: Distance? = log.value(node["minFocus"], "minimum focus") { t throws(ValueError) in
            try Distance(parsing: t)
        }
        if let m = minFocus, m.meters <= focal / 1000 {
            log.error(
                node["minFocus"]!.issue(
                    "minimum focus \(m) is not beyond the focal length",
                    fix: "write the close-focus distance from the lens's spec sheet"))
        }
        var breathing = 0.0
        if let b = log.value(
            node["breathing"], "breathing coefficient",
            parse: { t throws(ValueError) in
                try number(t, "breathing coefficient", fix: "write a number such as 0.3 (0 = none, 1 = thin lens)")
            })
        {
            if abs(b) > 5 {
                log.error(
                    node["breathing"]!.issue("breathing \(b) is outside -5…5", fix: "0 = none, 1 = thin-lens breathing")
                )
            } else {
                breathing = b
            }
        }
        var squeeze = 1.0
        if let s = log.value(
            node["squeeze"], "anamorphic squeeze",
            parse: { t throws(ValueError) in
                try number(t.replacingOccurrences(of: "x", with: ""), "squeeze", fix: "write 1.33, 1.5, 1.8 or 2")
            })
        {
            if s < 1 || s > 3 {
                log.error(
                    node["squeeze"]!.issue(
                        "squeeze \(s) is outside 1-3", fix: "write 1 for spherical, 1.33, 1.5, 1.8 or 2 for anamorphic")
                )
            } else {
                squeeze = s
            }
        }
        var catEye = 0.0
        if let c = log.value(
            node["catEye"], "cat's eye",
            parse: { t throws(ValueError) in
                try number(t, "cat's eye", fix: "write 0 (none) to 0.9 (a corner disc keeps a tenth of its width)")
            })
        {
            if (0...0.9).contains(c) {
                catEye = c
            } else {
                log.error(
                    node["catEye"]!.issue(
                        "cat's eye \(c) is outside 0-0.9",
                        fix:
                            "write 0 (none) to 0.9 (a corner disc keeps a tenth of its width); 0.3-0.5 is typical of fast primes"
                    ))
            }
        }
        var aperture = ApertureShape.circle
        if let aNode = node["aperture"] {
            log.checkKeys(aNode, allowed: ["blades", "rotation", "curvature"])
            if let b = log.value(
                aNode["blades"], "blade count",
                parse: { t throws(ValueError) in
                    guard let n = Int(t), n == 0 || (3...32).contains(n) else {
                        throw ValueError("\"\(t)\" is not a blade count", fix: "write 0 (circular) or 3-32")
                    }
                    return n
                })
            {
                aperture.blades = b
            }
            if let r = log.value(
                aNode["rotation"], "rotation",
                parse: { t throws(ValueError) in
                    try number(
                        t.replacingOccurrences(of: "deg", with: "").replacingOccurrences(of: "°", with: ""), "rotation",
                        fix: "write degrees, e.g. 15deg")
                })
            {
                aperture.rotationDegrees = r
            }
            if let c = log.value(
                aNode["curvature"], "curvature",
                parse: { t throws(ValueError) in try number(t, "curvature", fix: "write 0 (straight) to 1 (round)") })
            {
                if (0...1).contains(c) {
                    aperture.curvature = c
                } else {
                    log.error(
                        aNode["curvature"]!.issue(
                            "curvature \(c) is outside 0-1", fix: "write 0 (straight blades) to 1 (round)"))
                }
            }
        }
        var camera = Camera(
            sensor: sensor, focalLengthMM: focal, stop: stop, cocMM: coc, resolution: resolution,
            squeeze: squeeze, breathing: breathing, minFocus: minFocus, aperture: aperture)
        camera.catEye = catEye
        return camera
    }

    static func buildScale(_ node: PlanNode, camera: Camera, log: inout IssueLog) -> FocusScale {
        var throwDegrees = FocusScale.defaultThrowDegrees
        if let t = log.value(
            node["ringThrow"], "ring throw",
            parse: { t throws(ValueError) in
                try number(
                    t.replacingOccurrences(of: "deg", with: "").replacingOccurrences(of: "°", with: ""), "ring throw",
                    fix: "write degrees, e.g. 300deg")
            })
        {
            if t > 0 && t <= 720 {
                throwDegrees = t
            } else {
                log.error(node["ringThrow"]!.issue("ring throw \(t)° is outside 0-720°", fix: "write e.g. 300deg"))
            }
        }
        guard let mapNode = node["lensMap"] ?? node["lens"] else {
            return .generic(closeFocus: camera.minFocus, throwDegrees: throwDegrees)
        }
        guard mapNode.isSequence else {
            log.error(
                mapNode.issue(
                    "a lens map is a list of marks",
                    fix: "write lensMap: [ {distance: 0.45m, angle: 300}, {distance: inf, angle: 0} ]"))
            return .generic(closeFocus: camera.minFocus, throwDegrees: throwDegrees)
        }
        var points: [LensMap.Point] = []
        for item in mapNode.items {
            log.checkKeys(item, allowed: ["distance", "angle"])
            let d = log.required(item, "distance", "distance", example: "1.2m") { t throws(ValueError) in
                try Distance(parsing: t)
            }
            let a = log.required(item, "angle", "ring angle", example: "120") { t throws(ValueError) in
                try number(
                    t.replacingOccurrences(of: "deg", with: "").replacingOccurrences(of: "°", with: ""), "angle",
                    fix: "write degrees, e.g. 120")
            }
            if let d, let a { points.append(LensMap.Point(distance: d, angleDegrees: a)) }
        }
        do { return .calibrated(try LensMap(points: points)) } catch {
            log.error(mapNode.issue(error))
            return .generic(closeFocus: camera.minFocus, throwDegrees: throwDegrees)
        }
    }
}
