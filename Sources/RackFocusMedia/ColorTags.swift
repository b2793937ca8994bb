/// A clip's colour tags: its transfer function and primaries, as ffmpeg names them.
///
/// Frames are decoded with the sRGB/Rec.709 curve and encoded back with the same curve, so an
/// output carries its input's tags and displays as the input did.
package struct ColorTags: Sendable, Equatable {
    package var transfer: String?
    package var primaries: String?
    package init(transfer: String? = nil, primaries: String? = nil) {
        self.transfer = transfer; self.primaries = primaries
    }

    /// Rec.709, what RackFocus writes when the input says nothing.
    package static let rec709 = ColorTags(transfer: "bt709", primaries: "bt709")

    /// HDR transfers (PQ, HLG), which the SDR curve does not linearise.
    package var isHDR: Bool { transfer == "smpte2084" || transfer == "arib-std-b67" }
}
