/// Fills invalid pixels from valid ones by pull-push (Gortler et al. 1996, "The Lumigraph", §3.4):
/// pull builds a pyramid of weight-averaged 2×2 blocks; push fills each level's gaps from the
/// bilinearly upsampled coarser level. Valid pixels keep their values; holes get a smooth
/// extension of their surroundings, nearest content weighing most.
enum PullPush {
    static func fill(planes: [Float], channels: Int, width: Int, height: Int, valid: [Bool]) -> [Float] {
        struct Level { var w: Int; var h: Int; var value: [Float]; var weight: [Float] }
        var levels: [Level] = []
        let weight = valid.map { $0 ? Float(1) : 0 }
        var value = planes
        for i in 0..<(width * height) where weight[i] == 0 {
            for c in 0..<channels { value[c * width * height + i] = 0 }
        }
        levels.append(Level(w: width, h: height, value: value, weight: weight))
        // Pull.
        while levels.last!.w > 1 || levels.last!.h > 1 {
            let f = levels.last!
            let w = (f.w + 1) / 2, h = (f.h + 1) / 2
            var v = [Float](repeating: 0, count: w * h * channels), wt = [Float](repeating: 0, count: w * h)
            let fn = f.w * f.h, cn = w * h
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    var sw: Float = 0
                    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                        let fx = 2 * x + dx, fy = 2 * y + dy
                        guard fx < f.w, fy < f.h else { continue }
                        let fi = fy * f.w + fx, ww = f.weight[fi]
                        guard ww > 0 else { continue }
                        sw += ww
                        for c in 0..<channels { v[c * cn + i] += ww * f.value[c * fn + fi] }
                    }
                    if sw > 0 {
                        for c in 0..<channels { v[c * cn + i] /= sw }
                        wt[i] = min(1, sw)
                    }
                }
            }
            levels.append(Level(w: w, h: h, value: v, weight: wt))
        }
        // Push.
        for li in stride(from: levels.count - 2, through: 0, by: -1) {
            let coarse = levels[li + 1]
            var fine = levels[li]
            for y in 0..<fine.h {
                for x in 0..<fine.w {
                    let i = y * fine.w + x
                    let a = fine.weight[i]
                    guard a < 1 else { continue }
                    // Bilinear sample of the coarse level at this pixel's centre.
                    let cx = max(0, min(Float(coarse.w - 1), (Float(x) + 0.5) / 2 - 0.5))
                    let cy = max(0, min(Float(coarse.h - 1), (Float(y) + 0.5) / 2 - 0.5))
                    let x0 = Int(cx), y0 = Int(cy)
                    let x1 = min(x0 + 1, coarse.w - 1), y1 = min(y0 + 1, coarse.h - 1)
                    let tx = cx - Float(x0), ty = cy - Float(y0)
                    let cn = coarse.w * coarse.h
                    for c in 0..<channels {
                        let p = coarse.value
                        let top = p[c * cn + y0 * coarse.w + x0] * (1 - tx) + p[c * cn + y0 * coarse.w + x1] * tx
                        let bottom = p[c * cn + y1 * coarse.w + x0] * (1 - tx) + p[c * cn + y1 * coarse.w + x1] * tx
                        let up = top * (1 - ty) + bottom * ty
                        let k = c * fine.w * fine.h + i
                        fine.value[k] = a * fine.value[k] + (1 - a) * up
                    }
                    fine.weight[i] = 1
                }
            }
            levels[li] = fine
        }
        // Valid pixels keep their exact input values.
        var out = levels[0].value
        for i in 0..<(width * height) where valid[i] {
            for c in 0..<channels { out[c * width * height + i] = planes[c * width * height + i] }
        }
        return out
    }
}
