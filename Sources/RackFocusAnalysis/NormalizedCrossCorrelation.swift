import RackFocusImage

/// Normalised cross-correlation of a zero-mean template against a plane, at every position of a
/// window: the template's dot product with the plane (SIMD), divided by the norms, with the
/// plane's mean and variance under each position from summed-area tables (`Integral`). A score
/// is 1 for a patch identical to the template up to gain and offset, 0 for an unrelated one.
/// `NCCTests` checks it against the textbook formula computed directly.
enum NormalizedCrossCorrelation {
    /// The dot product of n floats, eight lanes at a time.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var u = 0
        while u &+ 8 <= n {
            acc +=
                UnsafeRawPointer(a + u).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + u).loadUnaligned(as: SIMD8<Float>.self)
            u &+= 8
        }
        var tail = acc.sum()
        while u < n { tail += a[u] * b[u]; u &+= 1 }
        return tail
    }

    /// The correlation of the template (pw × ph) with the frame at every top-left corner in
    /// x0...x1, y0...y1; -1 everywhere for a flat template, 0 on a flat patch.
    static func scores(
        _ frame: PlanarImage, _ integral: Integral, template: [Float], _ pw: Int, _ ph: Int,
        x0: Int, x1: Int, y0: Int, y1: Int
    ) -> ScoreMap {
        let n = Double(pw * ph)
        let mean = template.reduce(0, +) / Float(template.count)
        var t = template.map { $0 - mean }
        let tNorm = Double(t.reduce(0) { $0 + $1 * $1 }).squareRoot()
        let mw = x1 - x0 + 1, mh = y1 - y0 + 1
        var scores = [Double](repeating: -1, count: mw * mh)
        guard tNorm > 1e-6 else { return ScoreMap(width: mw, height: mh, scores: scores) }
        let fw = frame.width
        t.withUnsafeMutableBufferPointer { tp in
            frame.data.withUnsafeBufferPointer { fp in
                scores.withUnsafeMutableBufferPointer { sp in
                    for y in y0...y1 {
                        for x in x0...x1 {
                            var product: Float = 0
                            for v in 0..<ph {
                                product += dot(tp.baseAddress! + v &* pw, fp.baseAddress! + ((y &+ v) &* fw &+ x), pw)
                            }
                            let (sum, sum2) = integral.sums(x: x, y: y, w: pw, h: ph)
                            let variance = sum2 - sum * sum / n
                            sp[(y &- y0) &* mw &+ (x &- x0)] =
                                variance > 1e-12 ? Double(product) / (variance.squareRoot() * tNorm) : 0
                        }
                    }
                }
            }
        }
        return ScoreMap(width: mw, height: mh, scores: scores)
    }
}

/// Scores over a window of positions.
struct ScoreMap {
    let width: Int, height: Int
    var scores: [Double]

    /// Subtracts weight · min(distance / reach, 1)² from each score, the distance measured
    /// from the position at offset (-dx0, -dy0) in the map.
    mutating func penalise(dx0: Int, dy0: Int, reach: Double, weight: Double) {
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x + dx0), dy = Double(y + dy0)
                scores[y * width + x] -= weight * min((dx * dx + dy * dy) / (reach * reach), 1)
            }
        }
    }

    /// The best position with a sub-pixel offset from parabolas through its neighbours.
    func peak() -> (x: Double, y: Double, score: Double)? {
        guard let i = scores.indices.max(by: { scores[$0] < scores[$1] }) else { return nil }
        let x = i % width, y = i / width
        func offset(_ a: Double, _ m: Double, _ c: Double) -> Double {
            let d = a - 2 * m + c
            return d < 0 ? min(max(0.5 * (a - c) / d, -0.5), 0.5) : 0
        }
        let dx = x > 0 && x < width - 1 ? offset(scores[i - 1], scores[i], scores[i + 1]) : 0
        let dy = y > 0 && y < height - 1 ? offset(scores[i - width], scores[i], scores[i + width]) : 0
        return (Double(x) + dx, Double(y) + dy, scores[i])
    }
}

/// Summed-area tables of a plane and of its square, for the mean and variance of any box.
struct Integral {
    let w: Int
    var s: [Double], s2: [Double]

    init(_ p: PlanarImage) {
        w = p.width + 1
        s = [Double](repeating: 0, count: w * (p.height + 1)); s2 = s
        for y in 0..<p.height {
            var row = 0.0, row2 = 0.0
            for x in 0..<p.width {
                let v = Double(p.data[y * p.width + x])
                row += v; row2 += v * v
                s[(y + 1) * w + x + 1] = s[y * w + x + 1] + row
                s2[(y + 1) * w + x + 1] = s2[y * w + x + 1] + row2
            }
        }
    }

    func sums(x: Int, y: Int, w bw: Int, h bh: Int) -> (Double, Double) {
        let a = y * w + x, b = y * w + x + bw, c = (y + bh) * w + x, d = (y + bh) * w + x + bw
        return (s[d] - s[b] - s[c] + s[a], s2[d] - s2[b] - s2[c] + s2[a])
    }
}
