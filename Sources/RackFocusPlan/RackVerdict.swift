/// Will the audience see the rack?
///
/// Judged on the smaller of the two blurs that make a rack visible: the subject focus leaves,
/// measured when focus has landed on the other; and the subject focus goes to, measured before
/// the move. Blur is the disc diameter in pixels of the delivery resolution, scaled to a
/// 1920-pixel-wide frame so thresholds mean the same on HD and 4K:
/// - `reads`: ≥ 6 px per 1920 — the soft subject is plainly soft on a monitor;
/// - `subtle`: 2–6 px per 1920 — visible on a big screen, lost on a phone;
/// - `invisible`: < 2 px per 1920 — about the circle of confusion; no one sees focus move.
public enum RackVerdict: String, Sendable, Codable {
    case reads, subtle, invisible

    public static let readsPer1920 = 6.0
    public static let subtlePer1920 = 2.0

    /// Blur in delivery pixels a rack needs to read, at this width.
    public static func readsThreshold(width: Int) -> Double { readsPer1920 * Double(width) / 1920 }
    public static func subtleThreshold(width: Int) -> Double { subtlePer1920 * Double(width) / 1920 }

    public init(blurPixels: Double, width: Int) {
        if blurPixels >= Self.readsThreshold(width: width) {
            self = .reads
        } else if blurPixels >= Self.subtleThreshold(width: width) {
            self = .subtle
        } else {
            self = .invisible
        }
    }
}

/// Limits for moves pulled by hand, used for warnings.
///
/// Heuristics from focus pullers' practice: under 8 frames a move is a snap that is hard to land
/// on the mark; above about 400° per second of ring rotation a hand pull rarely lands cleanly.
public enum HandPullLimits {
    public static let minimumFrames = 8.0
    public static let maximumRingSpeed = 400.0
}
