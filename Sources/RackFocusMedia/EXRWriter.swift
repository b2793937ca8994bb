import CEXR
import Dispatch
import Foundation
import RackFocusImage

/// One part of an EXR to write: named float planes of one size, stored as half or float, with a
/// compression and, when `tile` is set, as tiles of that size.
package struct EXRPart: Sendable {
    package var name: String?
    /// Each channel's values; slices of one image's planes are written without copying them.
    package var channels: [(name: String, data: ArraySlice<Float>)]
    package var half: Bool
    package var compression: EXRCompression
    package var tile: (width: Int, height: Int)?
    /// The region of the display window the channels cover (nil: all of it); each channel then
    /// holds `width × height` of this region's values.
    package var dataWindow: (x: Int, y: Int, width: Int, height: Int)?

    package init(
        name: String? = nil, channels: [(name: String, data: [Float])], half: Bool = false,
        compression: EXRCompression = .zip,
        tile: (width: Int, height: Int)? = nil, dataWindow: (x: Int, y: Int, width: Int, height: Int)? = nil
    ) {
        self.init(
            name: name, slices: channels.map { ($0.name, $0.data[...]) }, half: half, compression: compression,
            tile: tile, dataWindow: dataWindow)
    }

    package init(
        name: String? = nil, slices channels: [(name: String, data: ArraySlice<Float>)], half: Bool = false,
        compression: EXRCompression = .zip,
        tile: (width: Int, height: Int)? = nil, dataWindow: (x: Int, y: Int, width: Int, height: Int)? = nil
    ) {
        self.name = name
        self.channels = channels
        self.half = half
        self.compression = compression
        self.tile = tile
        self.dataWindow = dataWindow
    }
}

/// How an EXR output is written: its channel names, type and compression. Float and ZIP unless
/// told; `matchingInput` keeps an input EXR's (so a render of a half-float, PIZ beauty pass with
/// `beauty.R`... channels is written the same way).
package struct EXRStyle: Sendable, Equatable {
    package var names: [String] = ["R", "G", "B"]
    package var half = false
    package var compression: EXRCompression = .zip
    package var partName: String?

    package init() {}

    /// The style of an input EXR file or sequence (its first file's first colour part); the
    /// default for anything else.
    package init(matchingInput path: String) {
        self.init()
        guard EXRImage.isEXR(path) else { return }
        let file = FFmpeg.isSequence(path) ? FFmpeg.sequenceFiles(path).first : path
        guard let file, let headers = try? EXRImage.probe(file),
            let h = headers.first(where: { EXRChannels.colour($0.channels.map(\.name)).count == 3 }) ?? headers.first
        else { return }
        let colour = EXRChannels.colour(h.channels.map(\.name))
        if colour.count == 3 { names = colour }
        half = colour.allSatisfy { n in h.channels.first { $0.name == n }?.type == EXR_PIXEL_HALF }
        compression = h.compression.writable
        partName = h.name
    }

}

extension EXRCompression {
    /// This compression, or PIZ (lossless, good on noisy renders) for DWA, which OpenEXR 3.1's C
    /// library cannot encode.
    var writable: EXRCompression { isDWA ? .piz : self }
}

/// Writes EXR files through OpenEXR's C library, all-or-nothing (a temporary name, renamed when
/// complete). Values are written as they are: nothing is clamped (half floats reach 65504).
package enum EXRWriter {
    /// Deflate level of ZIP and ZIPS outputs (libdeflate's; see `writeDirectly`).
    static let zipLevel: Int32 = 1

    /// Whether ZIP and ZIPS chunks go through libdeflate (`Sources/CEXR/rf_zip.c`, the default)
    /// or OpenEXR's own zlib, for reading and writing alike: the same format either way, so each
    /// reads what the other writes (`EXRZipCodecTests`).
    package static var zipThroughLibdeflate: Bool {
        get { rf_exr_libdeflate_enabled() != 0 }
        set { rf_exr_set_libdeflate(newValue ? 1 : 0) }
    }

    /// Writes `parts` (each `width × height`) to `path`.
    package static func write(_ parts: [EXRPart], width: Int, height: Int, to path: String) throws(MediaError) {
        precondition(!parts.isEmpty, "an EXR has at least one part")
        if let dwa = parts.first(where: { $0.compression.isDWA }) {
            throw MediaError(
                .unsupportedFormat, file: path,
                "cannot write \(dwa.compression.rawValue.uppercased()) (OpenEXR 3.1's C library has no DWA encoder); use PIZ or ZIP"
            )
        }
        let temp = try AtomicFile.temporaryPath(for: path)
        do {
            try writeDirectly(parts, width: width, height: height, to: temp, naming: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
        try AtomicFile.commit(temp, to: path)
    }

    /// RGB planes of an image as one part of `R`, `G`, `B` (or one `Y` for a grey image).
    package static func write(
        _ img: PlanarImage, to path: String, compression: EXRCompression = .zip, half: Bool = false
    )
        throws(MediaError)
    {
        let names = img.channels == 1 ? ["Y"] : ["R", "G", "B"]
        try write(
            [EXRPart(slices: Array(zip(names, img.planes)), half: half, compression: compression)], width: img.width,
            height: img.height, to: path)
    }

    private static func writeDirectly(_ parts: [EXRPart], width: Int, height: Int, to temp: String, naming path: String)
        throws(MediaError)
    {
        func fail(_ rc: exr_result_t, _ what: String) -> MediaError {
            MediaError(
                .writeFailed, file: path,
                "\(what) failed (\(EXRFile.message(rc))); check the folder's permissions and free space")
        }
        var init_ = rf_exr_initializer()
        rf_exr_clear_error()
        var ctxt: exr_context_t?
        var rc = exr_start_write(&ctxt, temp, EXR_WRITE_FILE_DIRECTLY, &init_)
        guard rc == exrSuccess, ctxt != nil else { throw fail(rc, "opening the file") }
        var finished = false
        defer { if !finished { exr_finish(&ctxt) } }
        for (k, p) in parts.enumerated() {
            var index: Int32 = 0
            let name = p.name ?? (parts.count > 1 ? "part\(k)" : nil)
            rc = exr_add_part(ctxt, name, p.tile == nil ? EXR_STORAGE_SCANLINE : EXR_STORAGE_TILED, &index)
            if rc == exrSuccess {
                var display = rf_exr_make_box(0, 0, Int32(width - 1), Int32(height - 1))
                let d = p.dataWindow ?? (0, 0, width, height)
                var data = rf_exr_make_box(Int32(d.x), Int32(d.y), Int32(d.x + d.width - 1), Int32(d.y + d.height - 1))
                var centre = exr_attr_v2f_t()
                rc = exr_initialize_required_attr(
                    ctxt, index, &display, &data, 1, &centre, 1, EXR_LINEORDER_INCREASING_Y, p.compression.raw)
            }
            // ZIP/ZIPS chunks are deflated by libdeflate (rf_zip.c) at level 1. OpenEXR's C++
            // library (3.1.3+) and OpenImageIO default to zlib at 4, the C library 3.1 to zlib's 6.
            // A one-frame 1080p `still` writing half ZIP (medians of six or seven, same session):
            // zlib at 2 0.68 s, libdeflate at 2 0.54 s, libdeflate at 1 5% less again; its file is
            // 5% smaller than zlib's at 2 and 3.7% larger than zlib's at 4.
            if rc == exrSuccess { rc = exr_set_zip_compression_level(ctxt, index, Self.zipLevel) }
            if rc == exrSuccess, let t = p.tile {
                rc = exr_set_tile_descriptor(
                    ctxt, index, UInt32(t.width), UInt32(t.height), EXR_TILE_ONE_LEVEL, EXR_TILE_ROUND_DOWN)
            }
            let size = p.dataWindow.map { $0.width * $0.height } ?? width * height
            for c in p.channels where rc == exrSuccess {
                precondition(c.data.count == size, "channel \(c.name) holds \(c.data.count) values for \(size) pixels")
                rc = exr_add_channel(
                    ctxt, index, c.name, p.half ? EXR_PIXEL_HALF : EXR_PIXEL_FLOAT, EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1)
            }
            guard rc == exrSuccess else { throw fail(rc, "describing part \(k)") }
        }
        rc = exr_write_header(ctxt)
        guard rc == exrSuccess else { throw fail(rc, "writing the header") }
        for (k, p) in parts.enumerated() {
            let d = p.dataWindow ?? (0, 0, width, height)
            try writeChunks(p, part: Int32(k), window: d, context: ctxt, naming: path, fail: fail)
        }
        finished = true
        rc = exr_finish(&ctxt)
        guard rc == exrSuccess else { throw fail(rc, "closing the file") }
    }

    /// Encodes and writes one part's chunks in file order.
    private static func writeChunks(
        _ p: EXRPart, part: Int32, window: (x: Int, y: Int, width: Int, height: Int), context ctxt: exr_context_t?,
        naming path: String, fail: (exr_result_t, String) -> MediaError
    ) throws(MediaError) {
        let width = window.width, height = window.height
        var lines: Int32 = 1
        if p.tile == nil { exr_get_scanlines_per_chunk(ctxt, part, &lines) }
        let chunks = EXRChunks.coordinates(
            tile: p.tile, firstLine: window.y, width: width, height: height, lines: Int(lines))
        // Chunk descriptions first (in order), then every chunk packed and compressed on the cores
        // with its bytes kept, then the bytes written in file order (OpenEXR 3.1's own encoding
        // run writes as it goes, and only in order).
        var infos = [exr_chunk_info_t](repeating: exr_chunk_info_t(), count: chunks.count)
        for (k, (a, b)) in chunks.enumerated() {
            let rc =
                p.tile != nil
                ? exr_write_tile_chunk_info(ctxt, part, a, b, 0, 0, &infos[k])
                : exr_write_scanline_chunk_info(ctxt, part, b, &infos[k])
            guard rc == exrSuccess else { throw fail(rc, "preparing block \(a),\(b)") }
        }
        var bytes = [rf_exr_chunk_bytes](repeating: rf_exr_chunk_bytes(), count: chunks.count)
        defer { for k in bytes.indices { rf_exr_free_chunk(&bytes[k]) } }
        let failure = FirstFailure<String>()
        let threads = min(defaultThreadCount, max(1, chunks.count / 2))
        withChannelPointers(p.channels) { pointers in
            infos.withUnsafeBufferPointer { infos in
                bytes.withUnsafeMutableBufferPointer { out in
                    let shared = Shared((pointers, infos, out, ctxt, chunks))
                    let names = p.channels.map(\.name), tile = p.tile
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        let (pointers, infos, out, ctxt, chunks) = shared.value
                        var pipe = rf_exr_encode_pipeline()
                        var initialised = false
                        defer { if initialised { exr_encoding_destroy(ctxt, &pipe) } }
                        var k = t
                        while k < infos.count, !failure.isSet {
                            var info = infos[k]
                            var rc =
                                initialised
                                ? exr_encoding_update(ctxt, part, &info, &pipe)
                                : exr_encoding_initialize(ctxt, part, &info, &pipe)
                            initialised = initialised || rc == exrSuccess
                            if rc == exrSuccess {
                                let (a, b) = chunks[k]
                                let x0 = tile.map { Int(a) * $0.width } ?? 0
                                let y0 = tile.map { Int(b) * $0.height } ?? Int(info.start_y) - window.y
                                for c in 0..<Int(pipe.channel_count) {
                                    let name = String(cString: rf_exr_encode_channel_name(&pipe, Int32(c)))
                                    guard let i = names.firstIndex(of: name) else { continue }
                                    let at = UnsafeRawPointer(pointers[i] + (y0 * width + x0)).assumingMemoryBound(
                                        to: UInt8.self)
                                    rf_exr_encode_channel(&pipe, Int32(c), at, 4, Int32(4 * width))
                                }
                                rc = exr_encoding_choose_default_routines(ctxt, part, &pipe)
                            }
                            if rc == exrSuccess { rc = rf_exr_pack_and_compress(&pipe, out.baseAddress! + k) }
                            if rc != exrSuccess {
                                failure.record("compressing block \(k) failed (\(EXRFile.message(rc)))")
                            }
                            k += threads
                        }
                    }
                }
            }
        }
        if let message = failure.value { throw MediaError(.writeFailed, file: path, message) }
        for (k, (a, b)) in chunks.enumerated() {
            let rc =
                p.tile != nil
                ? exr_write_tile_chunk(ctxt, part, a, b, 0, 0, bytes[k].data, bytes[k].size)
                : exr_write_scanline_chunk(ctxt, part, b, bytes[k].data, bytes[k].size)
            guard rc == exrSuccess else { throw fail(rc, "writing block \(a),\(b)") }
        }
    }

    /// Runs `body` with a base pointer for each channel's values.
    private static func withChannelPointers<R>(
        _ channels: [(name: String, data: ArraySlice<Float>)], _ body: ([UnsafePointer<Float>]) -> R
    ) -> R {
        func nest(_ i: Int, _ acc: [UnsafePointer<Float>]) -> R {
            if i == channels.count { return body(acc) }
            return channels[i].data.withUnsafeBufferPointer { nest(i + 1, acc + [$0.baseAddress!]) }
        }
        return nest(0, [])
    }
}
