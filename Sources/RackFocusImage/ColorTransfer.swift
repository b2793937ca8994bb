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

    /// Luminance (Rec.709 / sRGB primaries) of a linear RGB value.
    @inlinable @inline(__always)
    public static func luminance(_ r: Float, _ g: Float, _ b: Float) -> Float {
        0.2126 * r + 0.7152 * g + 0.0722 * b
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
}
