import CEXR
import Dispatch
import Foundation
import RackFocusImage

/// OpenEXRCore's success code, as the functions return it.
let exrSuccess = exr_result_t(EXR_ERR_SUCCESS.rawValue)

/// How an EXR's pixel data is compressed (OpenEXR's names).
package enum EXRCompression: String, Sendable, CaseIterable {
    case none, rle, zips, zip, piz, pxr24, b44, b44a, dwaa, dwab

    init(_ c: exr_compression_t) {
        self = Self.allCases[min(Int(c.rawValue), Self.allCases.count - 1)]
    }

    var raw: exr_compression_t { exr_compression_t(UInt32(Self.allCases.firstIndex(of: self)!)) }

    /// DWAA and DWAB, which OpenEXR 3.1's C library can neither decode nor encode.
    package var isDWA: Bool { self == .dwaa || self == .dwab }
}

/// An EXR read through OpenEXR's C library (OpenEXRCore): one part's channels as full-range
/// 32-bit float planes (half and float alike; nothing is clamped), sized to the display window.
///
/// Pixels of the display window outside the data window are 0; data outside the display window
/// is cut off. Scanline and tiled parts (the first level of tiled ones), any compression the
/// library knows, several parts (`part(containing:)` picks one), and any channel names
/// (`R`, `beauty.R`, `Z`, `depth.V`, ...). Deep and subsampled data are errors.
package struct EXRImage: Sendable {
    package var width: Int
    package var height: Int
    /// The part's channel names, sorted as the file stores them.
    package var channelNames: [String]
    /// The planes read, one after another in the order of `planeNames` (each `width × height`,
    /// row-major).
    package var data: [Float]
    package var planeNames: [String]
    package var compression: EXRCompression
    package var partName: String?
    /// Whether the chosen channels were stored as half floats.
    package var isHalf: Bool

    /// One part's header: what `probe` reports.
    package struct Header: Sendable {
        package var index: Int
        package var name: String?
        package var width: Int, height: Int
        package var dataWindow: (minX: Int, minY: Int, maxX: Int, maxY: Int)
        package var displayWindow: (minX: Int, minY: Int, maxX: Int, maxY: Int)
        package var channels: [(name: String, type: exr_pixel_type_t, xSampling: Int32, ySampling: Int32)]
        package var compression: EXRCompression
        package var tiled: Bool
        package var deep: Bool
    }

    /// The headers of every part of an EXR file.
    package static func probe(_ path: String) throws(MediaError) -> [Header] {
        let file = try EXRFile(path: path)
        return try (0..<file.partCount).map { i throws(MediaError) in try file.header(i) }
    }

    /// Reads the channels `wanted` (a closure from the part's channel names to the names to read)
    /// of the first part that has any of them.
    package static func read(_ path: String, channels wanted: ([String]) -> [String]) throws(MediaError) -> EXRImage {
        let file = try EXRFile(path: path)
        for i in 0..<file.partCount {
            let header = try file.header(i)
            let names = wanted(header.channels.map(\.name))
            if !names.isEmpty { return try file.read(header, channels: names) }
        }
        let all = try (0..<file.partCount).map { i throws(MediaError) in try file.header(i).channels.map(\.name) }
            .flatMap { $0 }
        throw MediaError(
            .unsupportedFormat, file: path,
            "has none of the channels needed (it has \(all.joined(separator: ", "))); name the channel to use")
    }
}

/// The chunks of a part, in file order: (tile x, tile y) of the first level for tiled parts, (0,
/// first line) of each block of `lines` lines for scanline ones, over a data window of
/// `width × height` whose first line is `firstLine`.
enum EXRChunks {
    static func coordinates(tile: (width: Int, height: Int)?, firstLine: Int, width: Int, height: Int, lines: Int) -> [(
        Int32, Int32
    )] {
        guard let tile else {
            return stride(from: firstLine, to: firstLine + height, by: max(1, lines)).map { (0, Int32($0)) }
        }
        let nx = (width + tile.width - 1) / tile.width, ny = (height + tile.height - 1) / tile.height
        return (0..<ny).flatMap { ty in (0..<nx).map { tx in (Int32(tx), Int32(ty)) } }
    }
}

/// An open EXR file: a context of OpenEXRCore's, closed when this is released.
final class EXRFile: @unchecked Sendable {
    let path: String
    private var context: exr_context_t?
    let partCount: Int

    init(path: String) throws(MediaError) {
        self.path = path
        try StillImage.checkReadable(path)
        var init_ = rf_exr_initializer()
        rf_exr_clear_error()
        var ctxt: exr_context_t?
        let rc = exr_start_read(&ctxt, path, &init_)
        guard rc == exrSuccess, let ctxt else {
            throw MediaError(
                .damaged, file: path,
                "not a readable EXR (\(EXRFile.message(rc))); check the file is a complete OpenEXR image")
        }
        context = ctxt
        var count: Int32 = 0
        exr_get_count(ctxt, &count)
        partCount = Int(count)
    }

    deinit { exr_finish(&context) }

    /// The library's last message for this thread, or its text for the code.
    static func message(_ rc: exr_result_t) -> String {
        let last = String(cString: rf_exr_last_error())
        return last.isEmpty ? String(cString: exr_get_default_error_message(rc)) : last
    }

    func check(_ rc: exr_result_t, _ what: @autoclosure () -> String) throws(MediaError) {
        guard rc != exrSuccess else { return }
        throw MediaError(.damaged, file: path, "\(what()): \(EXRFile.message(rc)); the file is damaged or truncated")
    }

    func header(_ part: Int) throws(MediaError) -> EXRImage.Header {
        let p = Int32(part)
        var storage = EXR_STORAGE_SCANLINE
        try check(exr_get_storage(context, p, &storage), "part \(part) has no storage type")
        var dw = exr_attr_box2i_t(), disp = exr_attr_box2i_t()
        try check(exr_get_data_window(context, p, &dw), "part \(part) has no data window")
        try check(exr_get_display_window(context, p, &disp), "part \(part) has no display window")
        var d = [Int32](repeating: 0, count: 4), v = d
        rf_exr_box(dw, &d)
        rf_exr_box(disp, &v)
        var list: UnsafePointer<exr_attr_chlist_t>?
        try check(exr_get_channels(context, p, &list), "part \(part) has no channel list")
        var channels: [(String, exr_pixel_type_t, Int32, Int32)] = []
        if let list {
            for i in 0..<Int(list.pointee.num_channels) {
                let e = list.pointee.entries[i]
                channels.append((String(cString: e.name.str), e.pixel_type, e.x_sampling, e.y_sampling))
            }
        }
        var compression = EXR_COMPRESSION_NONE
        exr_get_compression(context, p, &compression)
        var namePtr: UnsafePointer<CChar>?
        let name = exr_get_name(context, p, &namePtr) == exrSuccess ? namePtr.map { String(cString: $0) } : nil
        return EXRImage.Header(
            index: part, name: name, width: Int(v[2] - v[0] + 1), height: Int(v[3] - v[1] + 1),
            dataWindow: (Int(d[0]), Int(d[1]), Int(d[2]), Int(d[3])),
            displayWindow: (Int(v[0]), Int(v[1]), Int(v[2]), Int(v[3])),
            channels: channels.map { ($0.0, $0.1, $0.2, $0.3) }, compression: EXRCompression(compression),
            tiled: storage == EXR_STORAGE_TILED,
            deep: storage == EXR_STORAGE_DEEP_SCANLINE || storage == EXR_STORAGE_DEEP_TILED)
    }

    /// Decodes `names` of part `h` into display-window planes, chunks spread over the cores.
    func read(_ h: EXRImage.Header, channels names: [String]) throws(MediaError) -> EXRImage {
        guard !h.deep else {
            throw MediaError(.unsupportedFormat, file: path, "holds deep data; give a flat (non-deep) EXR")
        }
        for n in names {
            guard let c = h.channels.first(where: { $0.name == n }) else {
                throw MediaError(
                    .unsupportedFormat, file: path,
                    "has no channel \(n) (it has \(h.channels.map(\.name).joined(separator: ", ")))")
            }
            guard c.xSampling == 1 && c.ySampling == 1 else {
                throw MediaError(
                    .unsupportedFormat, file: path, "channel \(n) is subsampled; give full-resolution channels")
            }
        }
        let part = Int32(h.index)
        let dwW = h.dataWindow.maxX - h.dataWindow.minX + 1, dwH = h.dataWindow.maxY - h.dataWindow.minY + 1
        guard dwW > 0, dwH > 0, h.width > 0, h.height > 0, h.width * h.height <= 1 << 28 else {
            throw MediaError(
                .unsupportedFormat, file: path, "has an empty or impossibly large image (\(h.width)x\(h.height))")
        }
        // Chunks: scanline blocks, or the tiles of the first level.
        var tw: Int32 = 0, th: Int32 = 0, lines: Int32 = 1
        if h.tiled {
            try check(exr_get_tile_sizes(context, part, 0, 0, &tw, &th), "part \(h.index) has no tile size")
        } else {
            try check(exr_get_scanlines_per_chunk(context, part, &lines), "part \(h.index) has no chunk size")
        }
        let chunks = EXRChunks.coordinates(
            tile: h.tiled ? (Int(tw), Int(th)) : nil, firstLine: h.dataWindow.minY, width: dwW, height: dwH,
            lines: Int(lines))
        // Decode the data window: the wanted channels into one array, a plane each in the order
        // asked for; then place them in the display window. Every channel of the part is decoded
        // (OpenEXRCore 3.1's fast unpackers assume all the channels have somewhere to go); the
        // unwanted ones go to scratch planes.
        let all = h.channels.map(\.name)
        let plane = dwW * dwH
        var wanted = [Float](repeating: 0, count: names.count * plane)
        let scratch = all.filter { !names.contains($0) }.map { _ in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: plane)
            b.initialize(repeating: 0)
            return b
        }
        defer { for b in scratch { b.deallocate() } }
        let failure = FirstFailure<String>()
        let tileWidth = Int(tw), tileHeight = Int(th)
        let threads = min(defaultThreadCount, max(1, chunks.count / 2))
        wanted.withUnsafeMutableBufferPointer { wantedPlanes in
            var extra = scratch.makeIterator()
            let pointers = all.map { name in
                names.firstIndex(of: name).map { wantedPlanes.baseAddress! + $0 * plane } ?? extra.next()!.baseAddress!
            }
            let shared = Shared((pointers, chunks, context))
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let (pointers, chunks, ctxt) = shared.value
                var pipe = rf_exr_decode_pipeline()
                var initialised = false
                defer { if initialised { exr_decoding_destroy(ctxt, &pipe) } }
                var k = t
                while k < chunks.count, !failure.isSet {
                    var info = exr_chunk_info_t()
                    let (a, b) = chunks[k]
                    var rc =
                        h.tiled
                        ? exr_read_tile_chunk_info(ctxt, part, a, b, 0, 0, &info)
                        : exr_read_scanline_chunk_info(ctxt, part, b, &info)
                    if rc == exrSuccess {
                        rc =
                            initialised
                            ? exr_decoding_update(ctxt, part, &info, &pipe)
                            : exr_decoding_initialize(ctxt, part, &info, &pipe)
                        initialised = initialised || rc == exrSuccess
                    }
                    if rc == exrSuccess {
                        // Tiles are numbered from the data window's corner; scanline blocks carry their line.
                        let x0 = h.tiled ? Int(a) * tileWidth : 0
                        let y0 = h.tiled ? Int(b) * tileHeight : Int(info.start_y) - h.dataWindow.minY
                        for c in 0..<Int(pipe.channel_count) {
                            let name = String(cString: rf_exr_decode_channel_name(&pipe, Int32(c)))
                            if let i = all.firstIndex(of: name) {
                                let at = UnsafeMutableRawPointer(pointers[i] + (y0 * dwW + x0)).assumingMemoryBound(
                                    to: UInt8.self)
                                rf_exr_decode_channel(&pipe, Int32(c), at, 4, Int32(4 * dwW))
                            }
                        }
                        rc = exr_decoding_choose_default_routines(ctxt, part, &pipe)
                        if rc == exrSuccess { rf_exr_fast_inflate(&pipe) }
                        if rc == exrSuccess { rc = exr_decoding_run(ctxt, part, &pipe) }
                    }
                    if rc != exrSuccess {
                        let at = h.tiled ? "tile \(a),\(b)" : "the block at line \(b)"
                        failure.record(
                            "\(at) cannot be read (\(EXRFile.message(rc))); the file is truncated or damaged")
                    }
                    k += threads
                }
            }
        }
        if let message = failure.value { throw MediaError(.damaged, file: path, message) }
        let w = h.width, ht = h.height
        var data = wanted
        if (h.dataWindow.minX, h.dataWindow.minY, dwW, dwH) != (h.displayWindow.minX, h.displayWindow.minY, w, ht) {
            data = [Float](repeating: 0, count: names.count * w * ht)
            for p in 0..<names.count {
                for y in 0..<ht {
                    let sy = y + h.displayWindow.minY - h.dataWindow.minY
                    guard sy >= 0 && sy < dwH else { continue }
                    for x in 0..<w {
                        let sx = x + h.displayWindow.minX - h.dataWindow.minX
                        if sx >= 0 && sx < dwW { data[p * w * ht + y * w + x] = wanted[p * plane + sy * dwW + sx] }
                    }
                }
            }
        }
        let isHalf = names.allSatisfy { n in h.channels.first { $0.name == n }?.type == EXR_PIXEL_HALF }
        return EXRImage(
            width: w, height: ht, channelNames: h.channels.map(\.name), data: data, planeNames: names,
            compression: h.compression,
            partName: h.name,
            isHalf: isHalf)
    }
}
