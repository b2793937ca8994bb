import CEXR
import Foundation
import RackFocusImage

/// Which channels of an EXR make a colour frame or a depth map.
package enum EXRChannels {
    /// `R`, `G`, `B`; else the first layer with all three (`beauty.R`, ...); else a grey `Y`.
    static func colour(_ names: [String]) -> [String] {
        if ["R", "G", "B"].allSatisfy(names.contains) { return ["R", "G", "B"] }
        for n in names where n.hasSuffix(".R") {
            let layer = String(n.dropLast(2))
            let triple = ["R", "G", "B"].map { "\(layer).\($0)" }
            if triple.allSatisfy(names.contains) { return triple }
        }
        return names.contains("Y") ? ["Y"] : []
    }

    /// The depth channels a renderer writes, in order of preference: `Z` (Nuke, Houdini),
    /// `depth.Z`, `depth.V` (Blender's view layer), `depth.R`, `Y`, then `R` (a Z pass saved as
    /// RGB), then the only channel of a one-channel file. `named` overrides the search.
    package static let depthNames = ["Z", "depth.Z", "depth.V", "depth.R", "Y", "R"]

    static func depth(_ names: [String], named: String?) -> [String] {
        if let named { return names.contains(named) ? [named] : [] }
        if let n = depthNames.first(where: names.contains) { return [n] }
        return names.count == 1 ? names : []
    }
}

extension EXRImage {
    /// Linear RGB planes (a grey `Y` repeated in each), nothing clamped.
    ///
    /// DWAA/DWAB parts, which OpenEXR 3.1's C library cannot decode, are read through ffmpeg in
    /// their own float layout (RGBA as RGBA, so no conversion clamps them), their alpha dropped.
    package static func readColor(_ path: String) throws(MediaError) -> (image: PlanarImage, exr: EXRImage) {
        let headers = try probe(path)
        if let h = headers.first(where: { EXRChannels.colour($0.channels.map(\.name)).count > 0 }), h.compression.isDWA
        {
            return try readDWAColor(path, header: h)
        }
        let exr = try read(path, channels: EXRChannels.colour)
        // R, G, B as read (no copy), or a grey plane three times.
        var data = exr.data
        if exr.planeNames.count == 1 {
            data.reserveCapacity(3 * data.count)
            data += exr.data
            data += exr.data
        }
        // The planes now live in the image; the header keeps none (as a DWA part's, below).
        var header = exr
        header.data = []
        header.planeNames = []
        return (PlanarImage(width: exr.width, height: exr.height, channels: 3, data: data), header)
    }

    /// One plane of depth: `channel` when named, else the first of `EXRChannels.depthNames` found
    /// in any part, else the only channel of a one-channel part.
    package static func readDepth(_ path: String, channel: String? = nil) throws(MediaError) -> PlanarImage {
        let file = try EXRFile(path: path)
        let headers = try (0..<file.partCount).map { i throws(MediaError) in try file.header(i) }
        var found: (EXRImage.Header, String)?
        search: for name in channel.map({ [$0] }) ?? EXRChannels.depthNames {
            for h in headers where h.channels.contains(where: { $0.name == name }) { found = (h, name); break search }
        }
        if found == nil, channel == nil, let h = headers.first(where: { $0.channels.count == 1 }) {
            found = (h, h.channels[0].name)
        }
        guard let (header, name) = found else {
            let all = headers.flatMap { $0.channels.map(\.name) }.joined(separator: ", ")
            let wanted =
                channel.map { "no channel \($0)" }
                ?? "no depth channel (\(EXRChannels.depthNames.joined(separator: ", ")))"
            throw MediaError(
                .unsupportedFormat, file: path,
                "has \(wanted); its channels are \(all): name the depth with --depth-channel")
        }
        guard !header.compression.isDWA else {
            throw MediaError(
                .unsupportedFormat, file: path,
                "stores its depth with \(header.compression.rawValue.uppercased()) compression, which is lossy and which this build of OpenEXR cannot decode; save depth with ZIP or PIZ"
            )
        }
        let exr = try file.read(header, channels: [name])
        return PlanarImage(width: exr.width, height: exr.height, data: exr.data)
    }

    /// A DWA-compressed colour part decoded by ffmpeg in its own float layout.
    static func readDWAColor(_ path: String, header h: Header) throws(MediaError) -> (image: PlanarImage, exr: EXRImage)
    {
        let names = Set(h.channels.map(\.name))
        let alpha = names.contains("A"), grey = !names.contains("R") && names.contains("Y")
        let format = grey ? "grayf32le" : alpha ? "gbrapf32le" : "gbrpf32le"
        let planesIn = grey ? 1 : alpha ? 4 : 3
        let n = h.width * h.height
        let raw = try StillImage.decodeFrame(
            path, pixelFormat: format, bytes: planesIn * n * 4, size: (h.width, h.height))
        var data = [Float](repeating: 0, count: 3 * n)
        raw.withUnsafeBytes { b in
            let f = b.bindMemory(to: Float.self)
            for i in 0..<n {
                if grey {
                    data[i] = f[i]; data[n + i] = f[i]; data[2 * n + i] = f[i]
                } else {
                    // ffmpeg's planar order is G, B, R (then A).
                    data[i] = f[2 * n + i]; data[n + i] = f[i]; data[2 * n + i] = f[n + i]
                }
            }
        }
        let exr = EXRImage(
            width: h.width, height: h.height, channelNames: h.channels.map(\.name), data: [], planeNames: [],
            compression: h.compression,
            partName: h.name, isHalf: h.channels.allSatisfy { $0.type == EXR_PIXEL_HALF })
        return (PlanarImage(width: h.width, height: h.height, channels: 3, data: data), exr)
    }

    /// Whether a path (or sequence pattern) names EXR files.
    package static func isEXR(_ path: String) -> Bool { (path as NSString).pathExtension.lowercased() == "exr" }
}

/// Reads an EXR or PFM file, or a sequence of them, one frame at a time without ffmpeg (EXR
/// through OpenEXR): colour as linear RGB, depth as one plane. Each file is checked whole (a
/// truncated one is an error naming it and its frame), and a missing file in a sequence ends it
/// early, which the caller reports against the count it expected.
final class NativeFrameReader: FrameSource {
    let files: [String]
    let isDepth: Bool
    let channel: String?
    let size: (width: Int, height: Int)
    private var index: Int

    init(path: String, depth: Bool, channel: String?, startFrame: Int, info: ClipInfo) {
        files = FFmpeg.isSequence(path) ? FFmpeg.sequenceFiles(path) : [path]
        isDepth = depth
        self.channel = channel
        size = (info.width, info.height)
        index = startFrame
    }

    /// Whether a path (or pattern) is read natively.
    static func handles(_ path: String) -> Bool {
        EXRImage.isEXR(path) || (path as NSString).pathExtension.lowercased() == "pfm"
    }

    func read(_ file: String) throws(MediaError) -> PlanarImage {
        if EXRImage.isEXR(file) {
            return isDepth ? try EXRImage.readDepth(file, channel: channel) : try EXRImage.readColor(file).image
        }
        let img = try PFM.read(file)
        if isDepth { return img.channels == 1 ? img : img.plane(0) }
        guard img.channels == 3 else {
            throw MediaError(.unsupportedFormat, file: file, "a grey PFM is not a colour image; give the RGB frame")
        }
        return img
    }

    func next(into frame: inout PlanarImage?) throws -> Bool {
        guard index < files.count else { return false }
        let file = files[index]
        let img: PlanarImage
        do { img = try read(file) } catch {
            // A sequence's frame is named; a single image is its file.
            throw MediaError(
                error.code, file: error.file, frame: index,
                files.count > 1 ? "frame \(index): \(error.message)" : error.message)
        }
        guard (img.width, img.height) == size else {
            throw MediaError(
                .frameSize, file: file, frame: index,
                "frame \(index) is \(img.width)x\(img.height), but the sequence starts at \(size.width)x\(size.height); give frames of one size"
            )
        }
        frame = img
        index += 1
        return true
    }

    func close() {}
}

extension ClipInfo {
    /// An EXR or PFM file or sequence described from its first file's header.
    static func native(_ path: String) throws(MediaError) -> ClipInfo {
        let files = FFmpeg.isSequence(path) ? try FFmpeg.inputSequenceFiles(path) : [path]
        guard let first = files.first else {
            throw MediaError(
                .missingInput, file: path, "no files match this sequence pattern; check the folder and the %04d part")
        }
        if !EXRImage.isEXR(first) {
            let h = try PFM.header(first)
            return ClipInfo(
                width: h.width, height: h.height, pixelFormat: h.channels == 1 ? "grayf32le" : "gbrpf32le",
                codec: "pfm",
                frameRate: nil, frameCount: files.count)
        }
        guard let header = try EXRImage.probe(first).first else {
            throw MediaError(.unsupportedFormat, file: first, "holds no image part")
        }
        return ClipInfo(
            width: header.width, height: header.height, pixelFormat: "gbrpf32le", codec: "exr", frameRate: nil,
            frameCount: files.count)
    }
}
