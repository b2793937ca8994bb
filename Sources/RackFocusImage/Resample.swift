import Foundation

/// Resampling with a Catmull–Rom cubic (a = −0.5): sharp, no ringing to speak of, interpolating.
public enum Resample {
    @inline(__always)
    package static func cubic(_ x: Float) -> Float {
        let ax = abs(x)
        if ax < 1 { return (1.5 * ax - 2.5) * ax * ax + 1 }
        if ax < 2 { return ((-0.5 * ax + 2.5) * ax - 4) * ax + 2 }
        return 0
    }

    /// Samples every plane at the source position `map(x, y)` of each output pixel (edge-clamped).
    package static func sample(_ img: PlanarImage, width: Int, height: Int, map: (Int, Int) -> (Float, Float))
        -> PlanarImage
    {
        var out = PlanarImage(width: width, height: height, channels: img.channels)
        let n = img.pixelCount, on = width * height
        for y in 0..<height {
            for x in 0..<width {
                let (fx, fy) = map(x, y)
                let ix = Int(fx.rounded(.down)), iy = Int(fy.rounded(.down))
                let tx = fx - Float(ix), ty = fy - Float(iy)
                var wx = SIMD4<Float>(), wy = SIMD4<Float>()
                for k in 0..<4 { wx[k] = cubic(tx - Float(k - 1)); wy[k] = cubic(ty - Float(k - 1)) }
                for c in 0..<img.channels {
                    var acc: Float = 0
                    for j in 0..<4 {
                        let sy = min(max(iy + j - 1, 0), img.height - 1)
                        var row: Float = 0
                        for i in 0..<4 {
                            let sx = min(max(ix + i - 1, 0), img.width - 1)
                            row += wx[i] * img.data[c * n + sy * img.width + sx]
                        }
                        acc += wy[j] * row
                    }
                    out.data[c * on + y * width + x] = acc
                }
            }
        }
        return out
    }

    /// Scales the image about its centre by `factor` (> 1 magnifies), keeping its size.
    public static func scaleAboutCentre(_ img: PlanarImage, factor: Double) -> PlanarImage {
        let cx = Float(img.width) / 2, cy = Float(img.height) / 2, inv = Float(1 / factor)
        return sample(img, width: img.width, height: img.height) { x, y in
            ((Float(x) + 0.5 - cx) * inv + cx - 0.5, (Float(y) + 0.5 - cy) * inv + cy - 0.5)
        }
    }

    /// Resizes to a new size (pixel centres aligned).
    public static func resize(_ img: PlanarImage, width: Int, height: Int) -> PlanarImage {
        let sx = Float(img.width) / Float(width), sy = Float(img.height) / Float(height)
        return sample(img, width: width, height: height) { x, y in
            ((Float(x) + 0.5) * sx - 0.5, (Float(y) + 0.5) * sy - 0.5)
        }
    }

    /// Halves the size with a 2×2 box (or, for depth, the nearest of the four: depth must not be averaged across edges).
    public static func halve(_ img: PlanarImage, nearest: Bool = false) -> PlanarImage {
        let w = max(1, img.width / 2), h = max(1, img.height / 2)
        var out = PlanarImage(width: w, height: h, channels: img.channels)
        let n = img.pixelCount
        for c in 0..<img.channels {
            for y in 0..<h {
                for x in 0..<w {
                    let i = c * n + 2 * y * img.width + 2 * x
                    let a = img.data[i], b = img.data[min(i + 1, c * n + n - 1)]
                    let d = img.data[min(i + img.width, c * n + n - 1)],
                        e = img.data[min(i + img.width + 1, c * n + n - 1)]
                    out.data[c * w * h + y * w + x] = nearest ? min(a, b, d, e) : (a + b + d + e) / 4
                }
            }
        }
        return out
    }
}

extension Resample {
    /// Nearest-sample resize: for depth, which must not be averaged across edges.
    public static func nearest(_ img: PlanarImage, width: Int, height: Int) -> PlanarImage {
        var out = PlanarImage(width: width, height: height, channels: img.channels)
        for c in 0..<img.channels {
            for y in 0..<height {
                let sy = min(img.height - 1, y * img.height / height)
                for x in 0..<width {
                    let sx = min(img.width - 1, x * img.width / width)
                    out.data[c * width * height + y * width + x] = img.data[c * img.pixelCount + sy * img.width + sx]
                }
            }
        }
        return out
    }
}
