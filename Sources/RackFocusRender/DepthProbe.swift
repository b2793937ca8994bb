import Foundation
import RackFocusImage

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

    /// The distance of the subject inside a box (normalised x, y, width, height): the median of the
    /// dominant near cluster of its depths, not their mean. Depths are histogrammed in log distance;
    /// each peak of the histogram with the valley-bounded pixels around it is a cluster; the answer
    /// is the nearest cluster holding at least `minShare` of the box's pixels (the subject in front
    /// of the wall it stands against), or failing that the largest. A box of no size is a point.
    public static func subjectDepth(
        _ depth: PlanarImage, x: Double, y: Double, width: Double, height: Double,
        minShare: Double = 0.2
    ) -> Float {
        let x0 = max(0, Int((x * Double(depth.width)).rounded())),
            y0 = max(0, Int((y * Double(depth.height)).rounded()))
        let x1 = min(depth.width, Int(((x + width) * Double(depth.width)).rounded()))
        let y1 = min(depth.height, Int(((y + height) * Double(depth.height)).rounded()))
        if x1 - x0 < 3 || y1 - y0 < 3 { return robustDepth(depth, x: x + width / 2, y: y + height / 2) }
        // At most ~96×96 samples: the statistic needs the shape of the distribution, not every pixel.
        let step = max(1, max(x1 - x0, y1 - y0) / 96)
        var logs: [Float] = []
        logs.reserveCapacity(((x1 - x0) / step + 1) * ((y1 - y0) / step + 1))
        for yy in stride(from: y0, to: y1, by: step) {
            for xx in stride(from: x0, to: x1, by: step) {
                let v = depth[0, xx, yy]
                if v.isFinite && v > 0 { logs.append(log(v)) }
            }
        }
        guard !logs.isEmpty else { return robustDepth(depth, x: x + width / 2, y: y + height / 2) }
        logs.sort()
        let lo = logs.first!, hi = logs.last!
        let median = logs[logs.count / 2]
        // Everything within ±4% of one distance: one cluster.
        if hi - lo < 0.08 { return exp(median) }
        let bins = min(64, max(8, Int((hi - lo) / 0.02)))
        let width_ = (hi - lo) / Float(bins)
        var counts = [Float](repeating: 0, count: bins)
        for v in logs { counts[min(bins - 1, Int((v - lo) / width_))] += 1 }
        var smooth = counts
        for i in 0..<bins { smooth[i] = (counts[max(0, i - 1)] + 2 * counts[i] + counts[min(bins - 1, i + 1)]) / 4 }
        // Peaks, nearest first, each with its basin: walk down both sides until the count rises again.
        var clusters: [(lo: Int, hi: Int, mass: Float)] = []
        var i = 0
        while i < bins {
            let isPeak =
                (i == 0 || smooth[i] > smooth[i - 1]) && (i == bins - 1 || smooth[i] >= smooth[i + 1]) && smooth[i] > 0
            if isPeak {
                var a = i, b = i
                while a > 0 && smooth[a - 1] <= smooth[a] && smooth[a - 1] > 0 { a -= 1 }
                while b < bins - 1 && smooth[b + 1] <= smooth[b] && smooth[b + 1] > 0 { b += 1 }
                if let last = clusters.last, a <= last.hi { a = last.hi + 1 }
                if a <= b { clusters.append((a, b, counts[a...b].reduce(0, +))) }
                i = b + 1
            } else {
                i += 1
            }
        }
        let total = Float(logs.count)
        let chosen = clusters.first { $0.mass >= Float(minShare) * total } ?? clusters.max { $0.mass < $1.mass }
        guard let c = chosen else { return exp(median) }
        let from = lo + Float(c.lo) * width_, to = c.hi == bins - 1 ? hi : lo + Float(c.hi + 1) * width_
        let inCluster = logs.filter { $0 >= from && $0 <= to }
        return inCluster.isEmpty ? exp(median) : exp(inCluster[inCluster.count / 2])
    }

    /// The median map value in a 9×9 window around a normalised point (raw values, any convention).
    public static func medianValue(_ map: PlanarImage, x: Double, y: Double) -> Float {
        let (values, centre) = window(map, x: x, y: y) { $0.isFinite }
        return values.isEmpty ? centre : values[values.count / 2]
    }

    /// The sorted values of the 9×9 window around a normalised point that pass `keep`, and the
    /// value at the point itself.
    static func window(_ map: PlanarImage, x: Double, y: Double, keep: (Float) -> Bool) -> (
        values: [Float], centre: Float
    ) {
        let cx = min(map.width - 1, max(0, Int(x * Double(map.width)))),
            cy = min(map.height - 1, max(0, Int(y * Double(map.height))))
        var values: [Float] = []
        for yy in max(0, cy - 4)...min(map.height - 1, cy + 4) {
            for xx in max(0, cx - 4)...min(map.width - 1, cx + 4) where keep(map[0, xx, yy]) {
                values.append(map[0, xx, yy])
            }
        }
        return (values.sorted(), map[0, cx, cy])
    }
}
