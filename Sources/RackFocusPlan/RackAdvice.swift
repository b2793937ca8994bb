import Foundation
import RackFocusOptics

/// How visible a rack between two distances is, and what would make it read.
public struct RackVisibility: Sendable {
    public var camera: Camera

    public init(camera: Camera) { self.camera = camera }

    /// The smaller of the two blurs that make a rack from `a` to `b` visible, in delivery pixels.
    public func visibility(_ a: Distance, _ b: Distance, camera c: Camera? = nil) -> Double {
        let cam = c ?? camera
        return min(abs(cam.blurPixels(subject: a, focus: b)), abs(cam.blurPixels(subject: b, focus: a)))
    }

    /// Concrete changes, each alone, that would make the rack read. Empty when it already reads.
    public func advice(_ a: Distance, _ b: Distance, near nearName: String, far farName: String) -> [String] {
        let target = RackVerdict.readsThreshold(width: camera.resolution.width)
        let now = visibility(a, b)
        guard now < target, now > 0 else {
            return now == 0 ? ["both marks are at the same distance: there is nothing to rack between"] : []
        }
        var tips: [String] = []
        let (near, far) = a <= b ? (a, b) : (b, a)
        let (nName, fName) = a <= b ? (nearName, farName) : (farName, nearName)

        // Stop: blur is proportional to the aperture diameter f/N.
        let neededN = camera.stop.number * now / target
        let prefix = camera.stop.isTStop ? "T" : "f/"
        if let n = Stop.thirdStop(atMost: neededN), neededN >= 0.95 {
            tips.append("open up to \(prefix)\(formatStop(n)) (from \(prefix)\(formatStop(camera.stop.number)))")
        } else {
            tips.append("opening the stop alone cannot do it (it would need \(prefix)\(formatStop(neededN)))")
        }

        // Focal length: blur grows roughly with f²; search longer lenses from the same position.
        let lenses: [Double] = [
            12, 14, 16, 18, 21, 24, 25, 28, 32, 35, 40, 50, 65, 75, 85, 100, 135, 150, 180, 200, 300, 400, 600,
        ]
        if let f = lenses.first(where: { f in
            f > camera.focalLengthMM && f < near.millimeters / 2
                && {
                    var c = camera
                    c.focalLengthMM = f
                    return visibility(a, b, camera: c) >= target
                }()
        }) {
            tips.append(
                "a \(Int(f)) mm lens from the same position (tighter frame; step back to keep framing and the gain shrinks)"
            )
        }

        // Separation: push the far subject back, or bring the near one closer.
        if visibility(near, .infinity) >= target, !far.isInfinite {
            var lo = 0.0, hi = far.dioptres  // dioptres: lo = ∞ (enough), hi = now (not enough)
            for _ in 0..<60 {
                let mid = (lo + hi) / 2
                if visibility(near, Distance(meters: 1 / mid)) >= target { lo = mid } else { hi = mid }
            }
            let d = Distance(meters: 1 / max(lo, 1e-9), system: far.system)
            tips.append("more separation: \(fName) at \(d.formatted()) or farther (now \(far.formatted()))")
        }
        let closest = camera.minFocus
        if visibility(closest, far) >= target, near.meters > closest.meters {
            var lo = closest.meters, hi = near.meters  // lo enough, hi not
            for _ in 0..<60 {
                let mid = (lo + hi) / 2
                if visibility(Distance(meters: mid), far) >= target { lo = mid } else { hi = mid }
            }
            tips.append(
                "more separation: \(nName) at \(Distance(meters: lo, system: near.system).formatted()) or closer (now \(near.formatted()))"
            )
        }
        return tips
    }

    private func formatStop(_ n: Double) -> String {
        n >= 10 ? String(format: "%.0f", n) : String(format: "%.1f", n).replacingOccurrences(of: ".0", with: "")
    }
}
