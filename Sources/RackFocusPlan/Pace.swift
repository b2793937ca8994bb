import Foundation
import RackFocusOptics
import Yams

/// How briskly a preset's racks move. A rack's length grows with the square root of the focus
/// travel in dioptres: `base · clamp(√(ΔD / 0.5 D), 0.5, 2)`, so a 0.5-dioptre rack (1.5 m to 6 m)
/// takes the base time, a 2-dioptre one (0.5 m to ∞) twice it, a tiny one half.
public enum Pace: String, Sendable, CaseIterable {
    case calm, neutral, urgent

    /// Seconds for a 0.5-dioptre rack.
    public var baseSeconds: Double {
        switch self {
        case .calm: return 2.0
        case .neutral: return 1.25
        case .urgent: return 0.6
        }
    }

    /// The curve a preset uses at this pace: calm racks ease in and out symmetrically; neutral and
    /// urgent ones leave briskly and decelerate onto the mark, as a focus puller lands.
    public var curve: Easing { self == .calm ? .easeInOut : .landing }

    /// Rack length in seconds for a move of `dioptres` (absolute).
    public func seconds(dioptres: Double) -> Double {
        baseSeconds * min(max((abs(dioptres) / 0.5).squareRoot(), 0.5), 2)
    }

    /// The pace a plan node names; an unknown one is logged, and neutral stands in for it so the
    /// rest of the plan is still checked.
    static func parse(_ node: PlanNode, log: inout IssueLog) -> Pace {
        if let p = node.scalar.flatMap({ Pace(rawValue: $0.lowercased()) }) { return p }
        log.error(node.issue("unknown pace \"\(node.scalar ?? "")\"", fix: "use calm, neutral or urgent"))
        return .neutral
    }

    /// Rack length in whole frames (at least 2).
    public func frames(dioptres: Double, fps: FrameRate) -> Int {
        max(2, Int((seconds(dioptres: dioptres) * fps.fps).rounded()))
    }
}
