import Foundation
import RackFocusImage

/// Reading and writing single frames: PNG, JPEG, TIFF, EXR, PFM and anything else ffmpeg reads.
///
/// Colour comes in as linear light: EXR and PFM are taken as linear (scene-referred), everything
/// else as sRGB-encoded and decoded. Depth is read as float metres (EXR, PFM, float TIFF), or from
/// an integer image times a scale the caller gives (16-bit PNG in millimetres: scale 0.001).
package enum StillImage {
    static let linearExtensions: Set<String> = ["exr", "pfm", "hdr"]

    /// Whether a still's values are scene-referred (EXR, PFM, HDR: linear, lights above 1 kept)
    /// rather than display-referred (clipped at white).
    /// True for a path naming one image file (not a sequence pattern, not a clip).
    package static func isSingleImage(_ path: String) -> Bool {
        !FFmpeg.isSequence(path)
            && ["png", "jpg", "jpeg", "tif", "tiff", "exr", "pfm", "bmp", "webp", "dpx"].contains(
                (path as NSString).pathExtension.lowercased())
    }

    package static func isSceneReferred(_ path: String) -> Bool {
        linearExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// The transfer function a file's values are stored in, judged by its extension.
    package static func transfer(of path: String) -> ColorTransfer {
        linearExtensions.contains((path as NSString).pathExtension.lowercased()) ? .linear : .srgb
    }

    static func isFloat(_ pixelFormat: String, codec: String) -> Bool {
        pixelFormat.contains("f32") || pixelFormat.contains("f16") || codec == "exr" || codec == "pfm"
    }

    static func checkReadable(_ path: String) throws(MediaError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw MediaError(.missingInput, file: path, "no such file; check the path")
        }
        guard !isDir.boolValue else { throw MediaError(.missingInput, file: path, "is a folder; give an image file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MediaError(.missingInput, file: path, "not readable; check its permissions")
        }
    }

    /// The first frame of a file as raw pixels in `pixelFormat`, checked to be exactly `bytes` long.
    static func decodeFrame(_ path: String, pixelFormat: String, bytes: Int, size: (Int, Int)) throws(MediaError)
        -> Data
    {
        let raw = try FFmpeg.run(
            ["-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", pixelFormat, "-"], context: path
        )
        guard raw.count == bytes else {
            throw MediaError(
                .damaged, file: path,
                "decoded \(raw.count) bytes, expected \(bytes) for \(size.0)x\(size.1) \(pixelFormat); the file may be damaged"
            )
        }
        return raw
    }

    /// Reads a colour image as linear-light RGB planes.
    package static func readColor(_ path: String) throws(MediaError) -> PlanarImage {
        try checkReadable(path)
        if EXRImage.isEXR(path) { return try EXRImage.readColor(path).image }
        if (path as NSString).pathExtension.lowercased() == "pfm" {
            let img = try PFM.read(path)
            guard img.channels == 3 else {
                throw MediaError(.unsupportedFormat, file: path, "a grey PFM is not a colour image; give the RGB frame")
            }
            return img
        }
        let info = try FFmpeg.probe(path)
        let n = info.width * info.height
        var img = PlanarImage(width: info.width, height: info.height, channels: 3)
        if isFloat(info.pixelFormat, codec: info.codec) {
            let raw = try decodeFrame(path, pixelFormat: "gbrpf32le", bytes: 3 * n * 4, size: (info.width, info.height))
            raw.withUnsafeBytes { bytes in
                let f = bytes.bindMemory(to: Float.self)
                // ffmpeg's planar order is G, B, R.
                for i in 0..<n { img.data[i] = f[2 * n + i]; img.data[n + i] = f[i]; img.data[2 * n + i] = f[n + i] }
            }
        } else {
            // Integer formats: 16 bits per channel, scaled here (ffmpeg's own float conversion rounds
            // to about 12 bits); 8-bit sources expand exactly (v · 257).
            let raw = try decodeFrame(path, pixelFormat: "rgb48le", bytes: 3 * n * 2, size: (info.width, info.height))
            raw.withUnsafeBytes { bytes in
                let u = bytes.bindMemory(to: UInt16.self)
                for i in 0..<n {
                    for c in 0..<3 { img.data[c * n + i] = Float(UInt16(littleEndian: u[3 * i + c])) / 65535 }
                }
            }
        }
        transfer(of: path).decode(&img.data)
        return img
    }

    /// Reads a depth map in metres. Float files are taken as metres; integer files need `scale`
    /// (metres per unit).
    package static func readDepth(_ path: String, scale: Double? = nil, channel: String? = nil) throws(MediaError)
        -> PlanarImage
    {
        try checkReadable(path)
        if EXRImage.isEXR(path) { return try EXRImage.readDepth(path, channel: channel) }
        var img: PlanarImage
        if (path as NSString).pathExtension.lowercased() == "pfm" {
            img = try PFM.read(path)
        } else {
            let info = try FFmpeg.probe(path)
            let float = isFloat(info.pixelFormat, codec: info.codec)
            if !float && scale == nil {
                throw MediaError(
                    .depthUnit, file: path,
                    "an integer (\(info.pixelFormat)) depth map has no unit; pass --depth-scale (metres per step, e.g. 0.001 for millimetres)"
                )
            }
            let n = info.width * info.height
            img = PlanarImage(width: info.width, height: info.height, channels: 1)
            if float {
                // A colour float map (RGB EXR) is read as RGB and its red channel kept: ffmpeg's
                // float RGB → gray conversion returns a constant.
                let colour = !info.pixelFormat.hasPrefix("gray")
                let raw = try decodeFrame(
                    path, pixelFormat: colour ? "gbrpf32le" : "grayf32le", bytes: n * (colour ? 12 : 4),
                    size: (info.width, info.height))
                raw.withUnsafeBytes { bytes in
                    let f = bytes.bindMemory(to: Float.self)
                    let red = colour ? 2 * n : 0
                    for i in 0..<n { img.data[i] = f[red + i] }
                }
            } else {
                // The stored integers, read raw: 16-bit as is, 8-bit as is (no range conversion).
                let wide =
                    info.pixelFormat.contains("16") || info.pixelFormat.contains("48")
                    || info.pixelFormat.contains("64")
                let raw = try decodeFrame(
                    path, pixelFormat: wide ? "gray16le" : "gray", bytes: n * (wide ? 2 : 1),
                    size: (info.width, info.height))
                let metresPerStep = Float(scale ?? 1)
                raw.withUnsafeBytes { bytes in
                    if wide {
                        let u = bytes.bindMemory(to: UInt16.self)
                        for i in 0..<n { img.data[i] = Float(UInt16(littleEndian: u[i])) * metresPerStep }
                    } else {
                        let u = bytes.bindMemory(to: UInt8.self)
                        for i in 0..<n { img.data[i] = Float(u[i]) * metresPerStep }
                    }
                }
            }
        }
        if img.channels == 3 { img = img.plane(0) }
        return img
    }

    /// Linear RGB planes as interleaved 16-bit sRGB (rgb48le), clipped to [0, 1]: what PNG/TIFF
    /// stills and encoded clips are made from. `words` is resized only when the frame size changes.
    /// Eight pixels at a time (`ColorTransfer.sixteenBitSRGB`'s vector form, the same codes), parts
    /// of the frame across `threads`.
    static func encodeRGB48(_ img: PlanarImage, into words: inout [UInt16], threads: Int = defaultThreadCount) {
        let n = img.pixelCount
        if words.count != 3 * n { words = [UInt16](repeating: 0, count: 3 * n) }
        guard n > 0 else { return }  // (no storage to point at)
        img.data.withUnsafeBufferPointer { d in
            words.withUnsafeMutableBufferPointer { w in
                ColorTransfer.sixteenBitKnots.withUnsafeBufferPointer { knots in
                    let ctx = Shared((d, w, knots))
                    let parts = max(1, min(threads * 4, n / 4096 + 1))
                    parallelFor(parts, threads: threads) { part in
                        let (d, w, knots) = ctx.value
                        let src = d.baseAddress!, o = w.baseAddress!, k = knots.baseAddress!
                        let end = n * (part + 1) / parts
                        var i = n * part / parts
                        // Eight pixels at a time, the last ones zero-padded.
                        while i < end {
                            let count = min(8, end &- i)
                            for c in 0..<3 {
                                let code = ColorTransfer.integers(
                                    ofSmall: ColorTransfer.sixteenBitSRGB(
                                        Self.lanes(src + (c &* n &+ i), count), knots: k))
                                for j in 0..<count {
                                    o[3 &* (i &+ j) &+ c] = UInt16(truncatingIfNeeded: code[j]).littleEndian
                                }
                            }
                            i &+= count
                        }
                    }
                }
            }
        }
    }

    /// Linear RGB planes as 8-bit Y'CbCr 4:2:0 (yuv420p) for H.264: the 16-bit codes
    /// `encodeRGB48` writes (the same picture as every other output), through the Rec.709 matrix
    /// into limited range (Y' 16-235, Cb/Cr 16-240), rounded to nearest; chroma from the mean of
    /// each 2×2 block, as ffmpeg's scaler makes it (a ¼ ½ ¼ mix around the even columns moved
    /// `analyze`'s effective stop of the demo from f/2.0 to f/1.6). Even width and height only.
    /// In ffmpeg 5.1 the same conversion from rgb48le cost about 24 ms a 1080p frame and came out
    /// half a code brighter in luma (`scale`'s rounding). Eight pixels (and eight chroma samples)
    /// at a time, the same operations in the same order as one at a time; a row's last few are
    /// a vector padded with zeros.
    static func encodeYUV420(_ img: PlanarImage, into bytes: inout [UInt8], threads: Int = defaultThreadCount) {
        let w = img.width, h = img.height, n = w * h, cw = w / 2, ch = h / 2
        precondition(w % 2 == 0 && h % 2 == 0, "4:2:0 needs an even width and height")
        if bytes.count != n + 2 * cw * ch { bytes = [UInt8](repeating: 0, count: n + 2 * cw * ch) }
        guard n > 0 else { return }  // (no storage to point at)
        img.data.withUnsafeBufferPointer { d in
            bytes.withUnsafeMutableBufferPointer { out in
                ColorTransfer.sixteenBitKnots.withUnsafeBufferPointer { knots in
                    let ctx = Shared((d, out, knots))
                    let parts = max(1, min(threads * 4, ch))
                    parallelFor(parts, threads: threads) { part in
                        let (d, out, knots) = ctx.value
                        let src = d.baseAddress!, o = out.baseAddress!, k = knots.baseAddress!
                        let cb = o + n, cr = o + n + cw * ch
                        // R'G'B' (0-1) of a row pair, plane by plane, then Y' per pixel and Cb/Cr
                        // per pair of columns.
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * w) { rows in
                            let p = rows.baseAddress!
                            for cy in (ch * part / parts)..<(ch * (part + 1) / parts) {
                                for r in 0..<2 {
                                    let y = 2 &* cy &+ r, line = p + 3 &* r &* w
                                    // Eight pixels at a time, the last ones zero-padded.
                                    var x = 0
                                    while x < w {
                                        let i = y &* w &+ x, count = min(8, w &- x)
                                        @inline(__always) func code(_ c: Int) -> SIMD8<Float> {
                                            let e =
                                                ColorTransfer.sixteenBitSRGB(
                                                    Self.lanes(src + (c &* n &+ i), count), knots: k) / 65535
                                            Self.put(e, at: line + (c &* w &+ x), count)
                                            return e
                                        }
                                        let red = code(0), green = code(1), blue = code(2)
                                        let luma = ColorTransfer.luminance(red, green, blue)
                                        Self.store(Self.byteCodes(16 + 219 * luma + 0.5), at: o + i, count)
                                        x &+= count
                                    }
                                }
                                let j0 = cy &* cw
                                var cx = 0
                                while cx < cw {
                                    let count = min(8, cw &- cx)
                                    // The mean of each 2×2 block: its even and odd columns in
                                    // both rows, in the order one block at a time would add them.
                                    @inline(__always) func mean(_ c: Int) -> SIMD8<Float> {
                                        let top = p + (c &* w &+ 2 &* cx), bottom = p + ((3 &+ c) &* w &+ 2 &* cx)
                                        if count == 8 {
                                            let t = UnsafeRawPointer(top).loadUnaligned(as: SIMD16<Float>.self)
                                            let b = UnsafeRawPointer(bottom).loadUnaligned(as: SIMD16<Float>.self)
                                            return (t.evenHalf + b.evenHalf + t.oddHalf + b.oddHalf) * 0.25
                                        }
                                        var te = SIMD8<Float>(), to = te, be = te, bo = te
                                        for j in 0..<count {
                                            te[j] = top[2 &* j]; to[j] = top[2 &* j &+ 1]
                                            be[j] = bottom[2 &* j]; bo[j] = bottom[2 &* j &+ 1]
                                        }
                                        return (te + be + to + bo) * 0.25
                                    }
                                    let red = mean(0), green = mean(1), blue = mean(2)
                                    let luma = ColorTransfer.luminance(red, green, blue)
                                    Self.store(
                                        Self.byteCodes(128 + 224 * (blue - luma) / 1.8556 + 0.5), at: cb + (j0 &+ cx),
                                        count)
                                    Self.store(
                                        Self.byteCodes(128 + 224 * (red - luma) / 1.5748 + 0.5), at: cr + (j0 &+ cx),
                                        count)
                                    cx &+= count
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// 8-bit codes of eight values (clamped to 0-255, rounded down, NaN to 0) as `UInt8(min(max(v,
    /// 0), 255))` gives them.
    @inline(__always)
    private static func byteCodes(_ v: SIMD8<Float>) -> SIMD8<Int32> {
        var c = v
        c.replace(with: 0, where: .!(c .> 0))
        c.replace(with: 255, where: c .> 255)
        return ColorTransfer.integers(ofSmall: ColorTransfer.floorOfSmall(c))
    }

    /// Stores the first `count` (up to eight) codes of 0-255 as bytes at `p`.
    @inline(__always)
    private static func store(_ codes: SIMD8<Int32>, at p: UnsafeMutablePointer<UInt8>, _ count: Int) {
        for j in 0..<count { p[j] = UInt8(truncatingIfNeeded: codes[j]) }
    }

    /// The `count` (up to eight) values at `p`, the rest zero.
    @inline(__always)
    private static func lanes(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> {
        if count == 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        var v = SIMD8<Float>()
        for j in 0..<count { v[j] = p[j] }
        return v
    }

    /// Stores the first `count` (up to eight) lanes of `v` at `p`.
    @inline(__always)
    private static func put(_ v: SIMD8<Float>, at p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 8 { return UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }
        for j in 0..<count { p[j] = v[j] }
    }

    /// Writes linear RGB: `.png` and `.tif` as 16-bit sRGB, `.exr` and `.pfm` as linear float (EXR
    /// through OpenEXR, in `exr`'s channel names, type and compression). Written to a temporary
    /// name beside the target and renamed when complete.
    package static func write(_ img: PlanarImage, to path: String, exr style: EXRStyle = EXRStyle()) throws(MediaError)
    {
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "exr" {
            let names = img.channels == 1 ? [style.names.count == 1 ? style.names[0] : "Y"] : style.names
            try EXRWriter.write(
                [
                    EXRPart(
                        name: style.partName, slices: Array(zip(names, img.planes)), half: style.half,
                        compression: style.compression)
                ],
                width: img.width, height: img.height, to: path)
            return
        }
        let temp = try AtomicFile.temporaryPath(for: path)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        switch ext {
        case "pfm":
            do { try PFM.encode(img).write(to: URL(fileURLWithPath: temp)) } catch {
                throw MediaError(.writeFailed, file: path, "cannot write (\(error.localizedDescription))")
            }
        case "png", "tif", "tiff":
            var words: [UInt16] = []
            encodeRGB48(img, into: &words)
            let data = words.withUnsafeBytes { Data($0) }
            _ = try FFmpeg.run(
                [
                    "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb48le", "-s", "\(img.width)x\(img.height)",
                    "-i", "-", "-pix_fmt", ext == "png" ? "rgb48be" : "rgb48le", temp,
                ], input: data, writes: true, context: path)
        default:
            throw MediaError(
                .unsupportedFormat, file: path, "cannot write .\(ext) images; use .png (16-bit), .tif, .exr or .pfm")
        }
        try AtomicFile.commit(temp, to: path)
    }
}
