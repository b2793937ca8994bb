/// Reads the distance of "whatever is at this point" from a depth map.
public enum DepthProbe {
    /// The depth at a normalised point (0–1 from the top-left): the median of a 9×9 window, taken
    /// from the nearest cluster (values within 15% of the window's 25th percentile), so a point on
    /// the edge of a subject reads the subject, not the wall behind it.
    public static func robustDepth(_ depth: PlanarImage, x: Double, y: Double) -> Float {
        let cx = min(depth.width - 1, max(0, Int(x * Double(depth.width)))), cy = min(depth.height - 1, max(0, Int(y * Double(depth.height))))
        var values: [Float] = []
        for yy in max(0, cy - 4)...min(depth.height - 1, cy + 4) {
            for xx in max(0, cx - 4)...min(depth.width - 1, cx + 4) {
                let d = depth[0, xx, yy]
                if d.isFinite && d > 0 { values.append(d) }
            }
        }
        guard !values.isEmpty else { return depth[0, cx, cy] }
        values.sort()
        let q = values[values.count / 4]
        let near = values.filter { $0 <= q * 1.15 }
        return near[near.count / 2]
    }
}
