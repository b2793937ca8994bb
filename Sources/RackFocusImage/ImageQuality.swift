import Foundation

/// Image comparison in display space, as the path-traced samples are scored
/// (../shared/samples/README.md): linear values clipped to [0, 1], sRGB-encoded, compared in [0, 1].
public enum ImageQuality {
    /// Display-space values: clip to [0, 1], apply the sRGB transfer function.
    public static func display(_ linear: [Float]) -> [Float] {
        linear.map { ColorTransfer.linearToSRGB(min(max($0, 0), 1)) }
    }

    /// PSNR (dB) over all pixels and channels of two linear images, or over the pixels in `mask`.
    public static func psnr(_ a: PlanarImage, _ b: PlanarImage, mask: [Bool]? = nil) -> Double {
        precondition(a.width == b.width && a.height == b.height && a.channels == b.channels, "sizes differ")
        let n = a.pixelCount
        var sum = 0.0, count = 0
        for c in 0..<a.channels {
            for i in 0..<n where mask?[i] ?? true {
                let x = ColorTransfer.linearToSRGB(min(max(a.data[c * n + i], 0), 1))
                let y = ColorTransfer.linearToSRGB(min(max(b.data[c * n + i], 0), 1))
                let d = Double(x - y)
                sum += d * d
                count += 1
            }
        }
        guard count > 0 else { return .nan }
        let mse = sum / Double(count)
        return mse == 0 ? .infinity : 10 * log10(1 / mse)
    }

    /// SSIM (Wang et al. 2004) with a 7×7 uniform window, K1 = 0.01, K2 = 0.03, data range 1,
    /// sample covariances, over windows fully inside the image, averaged over channels
    /// (the definition of scikit-image's `structural_similarity` defaults).
    /// Undefined (nan) below 7×7 pixels, where no window fits.
    public static func ssim(_ a: PlanarImage, _ b: PlanarImage) -> Double {
        precondition(a.width == b.width && a.height == b.height && a.channels == b.channels, "sizes differ")
        let w = a.width, h = a.height, n = a.pixelCount, win = 7, half = 3
        guard w >= win, h >= win else { return .nan }
        let np = Double(win * win), covNorm = np / (np - 1)
        let c1 = pow(0.01, 2.0), c2 = pow(0.03, 2.0)
        var total = 0.0
        for c in 0..<a.channels {
            let x = display(Array(a.data[(c * n)..<((c + 1) * n)])).map(Double.init)
            let y = display(Array(b.data[(c * n)..<((c + 1) * n)])).map(Double.init)
            // Summed-area tables of x, y, x², y², xy.
            let sw = w + 1
            var sx = [Double](repeating: 0, count: sw * (h + 1)), sy = sx, sxx = sx, syy = sx, sxy = sx
            for j in 0..<h {
                var rx = 0.0, ry = 0.0, rxx = 0.0, ryy = 0.0, rxy = 0.0
                for i in 0..<w {
                    let p = j * w + i
                    rx += x[p]; ry += y[p]; rxx += x[p] * x[p]; ryy += y[p] * y[p]; rxy += x[p] * y[p]
                    let q = (j + 1) * sw + i + 1
                    sx[q] = sx[q - sw] + rx; sy[q] = sy[q - sw] + ry; sxx[q] = sxx[q - sw] + rxx
                    syy[q] = syy[q - sw] + ryy; sxy[q] = sxy[q - sw] + rxy
                }
            }
            func box(_ t: [Double], _ i: Int, _ j: Int) -> Double {
                let x0 = i - half, y0 = j - half, x1 = i + half + 1, y1 = j + half + 1
                return (t[y1 * sw + x1] - t[y0 * sw + x1] - t[y1 * sw + x0] + t[y0 * sw + x0]) / np
            }
            var sum = 0.0, count = 0
            for j in half..<(h - half) {
                for i in half..<(w - half) {
                    let mx = box(sx, i, j), my = box(sy, i, j)
                    let vx = covNorm * (box(sxx, i, j) - mx * mx), vy = covNorm * (box(syy, i, j) - my * my)
                    let vxy = covNorm * (box(sxy, i, j) - mx * my)
                    sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                    count += 1
                }
            }
            total += sum / Double(max(count, 1))
        }
        return total / Double(a.channels)
    }

    /// Pixels closer than `radius` px (Euclidean) to a depth discontinuity: where the Sobel gradient
    /// magnitude of log depth (kernel normalised by 1/4, i.e. per pixel) exceeds `threshold`.
    /// With 0.2 and 6 px this reproduces the samples' published pinhole edge-band figures within
    /// 0.15 dB (12.32 / 13.18 / 16.35 / 21.47 against 12.3 / 13.2 / 16.4 / 21.6).
    public static func edgeBand(depth: PlanarImage, threshold: Float = 0.2, radius: Int = 6) -> [Bool] {
        let w = depth.width, h = depth.height
        let ld = depth.data.map { logf(max($0, 1e-6)) }
        func at(_ x: Int, _ y: Int) -> Float { ld[min(max(y, 0), h - 1) * w + min(max(x, 0), w - 1)] }
        var edge = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let gx =
                    (at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1))
                    - (at(x - 1, y - 1) + 2 * at(x - 1, y) + at(x - 1, y + 1))
                let gy =
                    (at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1))
                    - (at(x - 1, y - 1) + 2 * at(x, y - 1) + at(x + 1, y - 1))
                edge[y * w + x] = (gx * gx + gy * gy).squareRoot() / 4 > threshold
            }
        }
        var band = [Bool](repeating: false, count: w * h)
        let r2 = radius * radius
        for y in 0..<h {
            for x in 0..<w where edge[y * w + x] {
                for dy in -radius...radius {
                    let yy = y + dy
                    if yy < 0 || yy >= h { continue }
                    for dx in -radius...radius where dx * dx + dy * dy < r2 {
                        let xx = x + dx
                        if xx >= 0 && xx < w { band[yy * w + xx] = true }
                    }
                }
            }
        }
        return band
    }

    /// The three figures the samples are scored by.
    /// Identical images have an infinite PSNR, and an image without depth edges no edge band:
    /// JSON carries those as null.
    public struct Scores: Sendable, Codable, Equatable {
        public var psnr: Double
        public var ssim: Double
        public var edgePSNR: Double

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(psnr.isFinite ? psnr : nil, forKey: .psnr)
            try c.encode(ssim.isFinite ? ssim : nil, forKey: .ssim)
            try c.encode(edgePSNR.isFinite ? edgePSNR : nil, forKey: .edgePSNR)
        }
    }

    public static func scores(_ result: PlanarImage, truth: PlanarImage, depth: PlanarImage) -> Scores {
        Scores(
            psnr: psnr(result, truth), ssim: ssim(result, truth),
            edgePSNR: psnr(result, truth, mask: edgeBand(depth: depth)))
    }
}
