import Foundation

/// Transfer functions between encoded values and linear light.
///
/// sRGB (IEC 61966-2-1) is used for PNG/JPEG/TIFF stills; Rec.709 video is decoded with the same
/// curve (the display-referred convention editors use; BT.1886 on a reference display is close).
public enum ColorTransfer: String, Sendable, CaseIterable {
    /// Values are already linear light (EXR, PFM, renderer output).
    case linear
    /// sRGB / Rec.709 encoded.
    case srgb

    /// Rec.709 / sRGB luminance weights of R, G and B: one place for the scalar and vector forms.
    @inlinable public static var lumaR: Float { 0.2126 }
    @inlinable public static var lumaG: Float { 0.7152 }
    @inlinable public static var lumaB: Float { 0.0722 }

    /// Luminance (Rec.709 / sRGB primaries) of a linear RGB value.
    @inlinable @inline(__always)
    public static func luminance(_ r: Float, _ g: Float, _ b: Float) -> Float {
        lumaR * r + lumaG * g + lumaB * b
    }

    /// `luminance` of eight values, lane by lane (the same operations in the same order).
    @inlinable @inline(__always)
    public static func luminance(_ r: SIMD8<Float>, _ g: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        let wr: SIMD8<Float> = lumaR * r, wg: SIMD8<Float> = lumaG * g, wb: SIMD8<Float> = lumaB * b
        return wr + wg + wb
    }

    @inline(__always)
    public static func srgbToLinear(_ v: Float) -> Float {
        v <= 0.04045 ? v / 12.92 : powf((v + 0.055) / 1.055, 2.4)
    }

    @inline(__always)
    public static func linearToSRGB(_ v: Float) -> Float {
        v <= 0.0031308 ? v * 12.92 : 1.055 * powf(v, 1 / 2.4) - 0.055
    }

    /// Decodes every value in place to linear light.
    public func decode(_ values: inout [Float]) {
        guard self == .srgb else { return }
        for i in values.indices { values[i] = Self.srgbToLinear(values[i]) }
    }

    /// Linear light of every 16-bit sRGB code (`srgbToLinear(code / 65535)`, exactly): decoding a
    /// frame is one look-up per value instead of a `powf`.
    public static let linearOf16BitSRGB: [Float] = (0..<65536).map { srgbToLinear(Float($0) / 65535) }

    /// The 16-bit sRGB code of a linear value (clamped to 0-1): `linearToSRGB(v) · 65535`, rounded.
    /// Below 2^-9 (under the curve's knee, 0.0031308) the line is computed; above, `sixteenBitKnots`
    /// holds the curve at 1024 points per octave of v, interpolated linearly: a value lands on another
    /// code than `powf` gives only within a few float steps of a rounding boundary (0.0128 of a code
    /// at most, over every float from 2^-9 to 1; 0.085% of them differ by one code).
    /// Encoding a frame is then a few operations per value instead of a `powf`.
    @inlinable @inline(__always)
    public static func sixteenBitSRGB(_ v: Float, knots: UnsafePointer<Float>) -> UInt16 {
        let x = min(max(v, 0), 1), floor = sixteenBitKnotFloor
        guard x >= floor else { return UInt16(x * sixteenBitLineSlope + 0.5) }
        let bits = x.bitPattern &- floor.bitPattern
        let i = Int(bits >> 13), t = Float(bits & 0x1FFF) * (1 / 8192)
        return UInt16(knots[i] + (knots[i &+ 1] - knots[i]) * t + 0.5)
    }

    /// `sixteenBitSRGB` of eight values, lane by lane, as the codes' values in floats (the same
    /// operations in the same order; NaN gives code 0 instead of trapping). The knots are read
    /// lane by lane; the rest is vector arithmetic, the rounding down included (`floorOfSmall`).
    @inlinable @inline(__always)
    public static func sixteenBitSRGB(_ v: SIMD8<Float>, knots: UnsafePointer<Float>) -> SIMD8<Float> {
        let floor = sixteenBitKnotFloor
        // Clamped by comparisons and blends (`pointwiseMin`/`Max` are calls per vector).
        var x = v
        x.replace(with: 0, where: .!(x .> 0))
        x.replace(with: 1, where: x .> 1)
        let below = x .< floor
        let line = x * sixteenBitLineSlope + 0.5
        let bits =
            unsafeBitCast(x.replacing(with: floor, where: below), to: SIMD8<Int32>.self)
            &- Int32(bitPattern: floor.bitPattern)
        let index = bits &>> 13, t = SIMD8<Float>(bits & 0x1FFF) * (1 / 8192)
        var a = SIMD8<Float>(), b = SIMD8<Float>()
        for j in 0..<8 {
            let i = Int(index[j])
            a[j] = knots[i]
            b[j] = knots[i &+ 1]
        }
        let curve = a + (b - a) * t + 0.5
        return floorOfSmall(curve.replacing(with: line, where: below))
    }

    /// ⌊v⌋ of values from 0 up to 2^23, exactly: v + 2^23 − 2^23 rounds to the nearest integer
    /// (the float steps there are 1), then one less where that went up. (Converting to integers
    /// and back, or `rounded(.towardZero)`, compiles to a call per lane in these builds.)
    @inlinable @inline(__always)
    public static func floorOfSmall(_ v: SIMD8<Float>) -> SIMD8<Float> {
        let shift = SIMD8<Float>(repeating: 8_388_608)
        var r = (v + shift) - shift
        r.replace(with: r - 1, where: r .> v)
        return r
    }

    /// The integers 0 to 2^23 that `floorOfSmall` gives, as integers: the low bits of v + 2^23.
    @inlinable @inline(__always)
    public static func integers(ofSmall v: SIMD8<Float>) -> SIMD8<Int32> {
        unsafeBitCast(v + 8_388_608, to: SIMD8<Int32>.self) & 0x7F_FFFF
    }

    /// The sRGB curve's straight part in 16-bit codes per unit of linear light.
    @inlinable public static var sixteenBitLineSlope: Float { 12.92 * 65535 }

    /// 2^-9: where the knots start (the line below it is the curve's). A constant the compiler folds
    /// into `sixteenBitSRGB`, not a stored global read per value.
    @inlinable public static var sixteenBitKnotFloor: Float { 1 / 512 }

    /// `linearToSRGB(v) · 65535` at v = 2^-9 · (1 + j/1024) · 2^octave for 9 octaves (up to 1), and
    /// one past the end: the knots of `sixteenBitSRGB`.
    public static let sixteenBitKnots: [Float] = (0...(9 * 1024 + 1)).map { i in
        let v = Float(bitPattern: sixteenBitKnotFloor.bitPattern &+ UInt32(i) << 13)
        return Float(Double(linearToSRGB(min(v, 1))) * 65535)
    }
}
