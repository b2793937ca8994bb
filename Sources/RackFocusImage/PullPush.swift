/// Fills invalid pixels from valid ones by pull-push (Gortler et al. 1996, "The Lumigraph", §3.4):
/// pull builds a pyramid of weight-averaged 2×2 blocks; push fills each level's gaps from the
/// bilinearly upsampled coarser level. Valid pixels keep their values; holes get a smooth
/// extension of their surroundings, nearest content weighing most.
package enum PullPush {
    /// `planes`: `channels` planes of width × height. Returns the filled planes. Each level's rows
    /// are split into bands across `threads` (a row of one level depends only on the other level).
    package static func fill(
        planes: [Float], channels: Int, width: Int, height: Int, valid: [Bool], threads: Int = 1
    ) -> [Float] {
        var widths = [width], heights = [height]
        var values: [[Float]] = [planes]
        var weights: [[Float]] = [[Float](repeating: 0, count: width * height)]
        // Weight 1 where valid; invalid pixels' values zeroed (push blends them with weight 0,
        // which must not meet a NaN).
        values[0].withUnsafeMutableBufferPointer { v in
            weights[0].withUnsafeMutableBufferPointer { wt in
                valid.withUnsafeBufferPointer { ok in
                    let n = width &* height
                    for i in 0..<n {
                        if ok[i] {
                            wt[i] = 1
                        } else {
                            for c in 0..<channels { v[c &* n &+ i] = 0 }
                        }
                    }
                }
            }
        }
        // Pull.
        while widths.last! > 1 || heights.last! > 1 {
            let fw = widths.last!, fh = heights.last!, fn = fw * fh
            let w = (fw + 1) / 2, h = (fh + 1) / 2, cn = w * h
            var v = [Float](repeating: 0, count: cn * channels), wt = [Float](repeating: 0, count: cn)
            values[values.count - 1].withUnsafeBufferPointer { fv in
                weights[weights.count - 1].withUnsafeBufferPointer { fwt in
                    v.withUnsafeMutableBufferPointer { v in
                        wt.withUnsafeMutableBufferPointer { wt in
                            let ctx = Shared((fv, fwt, v, wt))
                            forEachBand(height: h, bands: threads * 4, threads: threads) { rows in
                                let (fv, fwt, v, wt) = ctx.value
                                for y in rows {
                                    for x in 0..<w {
                                        let i = y &* w &+ x
                                        var sw: Float = 0
                                        for q in 0..<4 {
                                            let sx = 2 &* x &+ (q & 1), sy = 2 &* y &+ (q >> 1)
                                            guard sx < fw, sy < fh else { continue }
                                            let fi = sy &* fw &+ sx, ww = fwt[fi]
                                            guard ww > 0 else { continue }
                                            sw += ww
                                            for c in 0..<channels { v[c &* cn &+ i] += ww * fv[c &* fn &+ fi] }
                                        }
                                        if sw > 0 {
                                            let inv = 1 / sw
                                            for c in 0..<channels { v[c &* cn &+ i] *= inv }
                                            wt[i] = min(1, sw)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            widths.append(w); heights.append(h); values.append(v); weights.append(wt)
        }
        // Push.
        for li in stride(from: values.count - 2, through: 0, by: -1) {
            let cw = widths[li + 1], ch = heights[li + 1], cn = cw * ch
            let fw = widths[li], fh = heights[li], fn = fw * fh
            let coarse = values[li + 1]
            coarse.withUnsafeBufferPointer { p in
                values[li].withUnsafeMutableBufferPointer { fine in
                    weights[li].withUnsafeMutableBufferPointer { fwt in
                        let ctx = Shared((p, fine, fwt))
                        forEachBand(height: fh, bands: threads * 4, threads: threads) { rows in
                            let (p, fine, fwt) = ctx.value
                            for y in rows {
                                let cy = max(0, min(Float(ch - 1), (Float(y) + 0.5) / 2 - 0.5))
                                let y0 = Int(cy), y1 = min(y0 &+ 1, ch &- 1), ty = cy - Float(y0)
                                for x in 0..<fw {
                                    let i = y &* fw &+ x
                                    let a = fwt[i]
                                    guard a < 1 else { continue }
                                    let cx = max(0, min(Float(cw - 1), (Float(x) + 0.5) / 2 - 0.5))
                                    let x0 = Int(cx), x1 = min(x0 &+ 1, cw &- 1), tx = cx - Float(x0)
                                    for c in 0..<channels {
                                        let o = c &* cn
                                        let top = p[o &+ y0 &* cw &+ x0] * (1 - tx) + p[o &+ y0 &* cw &+ x1] * tx
                                        let bottom = p[o &+ y1 &* cw &+ x0] * (1 - tx) + p[o &+ y1 &* cw &+ x1] * tx
                                        let k = c &* fn &+ i
                                        fine[k] = a * fine[k] + (1 - a) * (top * (1 - ty) + bottom * ty)
                                    }
                                    fwt[i] = 1
                                }
                            }
                        }
                    }
                }
            }
        }
        // Valid pixels kept their exact input values: push skips weight 1.
        return values[0]
    }
}
