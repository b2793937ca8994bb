import Foundation
import RackFocusImage

/// A float image held as 16-bit logarithmic codes: half the memory of Float, a relative step of
/// 0.034% from 2⁻¹⁶ to 2¹⁶ (colour above display white and depth in metres alike), decoded through a
/// table. Code 0 is zero (and anything ≤ 2⁻¹⁶, negative or NaN).
struct LogPlanes: Sendable {
    let width: Int
    let height: Int
    let channels: Int
    let codes: [UInt16]

    static let steps: Float = 65534
    static let lowLog2: Float = -16
    static let spanLog2: Float = 32

    init(_ image: PlanarImage) {
        width = image.width
        height = image.height
        channels = image.channels
        let scale = Self.steps / Self.spanLog2
        codes = image.data.map { v in
            guard v > 0x1p-16 else { return 0 }
            let c = (log2(min(v, 0x1p16)) - Self.lowLog2) * scale + 1.5
            return UInt16(min(c, 65535))
        }
    }

    static let table: [Float] = (0..<65536).map { c in
        c == 0 ? 0 : exp2(Float(c - 1) / steps * spanLog2 + lowLog2)
    }

    func decoded() -> PlanarImage {
        var data = [Float](repeating: 0, count: codes.count)
        Self.table.withUnsafeBufferPointer { lut in
            codes.withUnsafeBufferPointer { src in
                data.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<src.count { dst[i] = lut[Int(src[i])] }
                }
            }
        }
        return PlanarImage(width: width, height: height, channels: channels, data: data)
    }

    var bytes: Int { codes.count * 2 }
}
