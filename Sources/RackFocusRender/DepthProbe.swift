/// Reads the distance of "whatever is at this point" from a depth map.
public enum DepthProbe {
    /// The depth at a normalised point (0–1 from the top-left): the median of a 9×9 window, taken
    /// from the nearest cluster (values within 15% of the window's 25th percentile), so a point on
    /// the edge of a subject reads the subject, not the wall behind it.
    public static func robustDepth(_ depth: PlanarImage, x: Double, y: Double) -> Float {
        let (values, centre) = window(depth, x: x, y: y) { $0.isFinite && $0 > 0 }
        guard !values.isEmpty else { return centre }
        let q = values[values.count / 4]
        let near = values.filter { $0 <= q * 1.15 }
        return near[near.count / 2]
    }

    /// The median map value in a 9×9 window around a normalised point (raw values, any convention).
    public static func medianValue(_ map: PlanarImage, x: Double, y: Double) -> Float {
        let (values, centre) = window(map, x: x, y: y) { $0.isFinite }
        return values.isEmpty ? centre : values[values.count / 2]
    }

    /// The sorted values of the 9×9 window around a normalised point that pass `keep`, and the
    /// value at the point itself.
    static func window(_ map: PlanarImage, x: Double, y: Double, keep: (Float) -> Bool) -> (values: [Float], centre: Float) {
        let cx = min(map.width - 1, max(0, Int(x * Double(map.width)))), cy = min(map.height - 1, max(0, Int(y * Double(map.height))))
        var values: [Float] = []
        for yy in max(0, cy - 4)...min(map.height - 1, cy + 4) {
            for xx in max(0, cx - 4)...min(map.width - 1, cx + 4) where keep(map[0, xx, yy]) { values.append(map[0, xx, yy]) }
        }
        return (values.sorted(), map[0, cx, cy])
    }
}
