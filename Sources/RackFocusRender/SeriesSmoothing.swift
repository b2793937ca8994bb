import Foundation
import RackFocusImage

/// Offline smoothing of a per-frame series (a subject's distance read from flickering depth):
/// a centred median of 5 removes single-frame outliers, then a Gaussian of `sigma` frames removes
/// the remaining jitter. Every window is centred, so smoothing adds no lag; at the ends the median
/// window shrinks symmetrically and the Gaussian sees the series reflected through its end value
/// (odd reflection), so a steady walk is kept straight up to the first and last frame.
public enum SeriesSmoothing {
    public static func smooth(_ values: [Double], sigma: Double) -> [Double] {
        let n = values.count
        guard n > 2, sigma > 0 else { return values }
        var median = values
        for i in 0..<n {
            let r = min(2, i, n - 1 - i)
            let w = values[(i - r)...(i + r)].filter(\.isFinite).sorted()
            if !w.isEmpty { median[i] = w[w.count / 2] }
        }
        let r = Int((3 * sigma).rounded(.up))
        let weights = (-r...r).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        func at(_ j: Int) -> Double {
            if j < 0 { return 2 * median[0] - median[min(n - 1, -j)] }
            if j >= n { return 2 * median[n - 1] - median[max(0, 2 * (n - 1) - j)] }
            return median[j]
        }
        var out = median
        for i in 0..<n {
            var sum = 0.0, wsum = 0.0
            for k in -r...r {
                let v = at(i + k)
                guard v.isFinite else { continue }
                sum += weights[k + r] * v
                wsum += weights[k + r]
            }
            if wsum > 0 { out[i] = sum / wsum }
        }
        return out
    }
}
