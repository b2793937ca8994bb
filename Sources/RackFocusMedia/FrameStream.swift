import Foundation
import RackFocusImage
import RackFocusOptics

/// What ffprobe says about a clip or an image sequence.
package struct ClipInfo: Sendable, Equatable {
    package var width: Int
    package var height: Int
    package var pixelFormat: String
    package var codec: String
    /// Frame rate, when the container states one (sequences default to 24 unless told).
    package var frameRate: FrameRate?
    /// Number of frames, when known without decoding.
    package var frameCount: Int?
    /// The stream's colour tags as ffprobe names them (nil when untagged).
    package var colorTags = ColorTags()
    /// Whether the stored values are float (EXR, PFM, float TIFF): taken as linear light / metres.
    package var isFloat: Bool { StillImage.isFloat(pixelFormat, codec: codec) }
}

extension FFmpeg {
    /// True for an image-sequence pattern such as `shot_%04d.exr`.
    package static func isSequence(_ path: String) -> Bool {
        path.range(of: "%0?[0-9]*d", options: .regularExpression) != nil
    }

    /// Probes a clip or image sequence.
    package static func probeClip(_ path: String) throws(MediaError) -> ClipInfo {
        if NativeFrameReader.handles(path) { return try ClipInfo.native(path) }
        if isSequence(path) {
            _ = try inputSequenceFiles(path)
        } else {
            try StillImage.checkReadable(path)
        }
        let data = try run(
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,width,height,pix_fmt,r_frame_rate,nb_frames,duration,color_transfer,color_primaries:format=duration",
                "-of", "default=nw=1",
            ]
                + (isSequence(path) ? ["-f", "image2", "-start_number", "\(sequenceStart(path))"] : []) + [path],
            tool: "ffprobe", context: path)
        var fields: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            // The stream's entries come first; keep them over the container's.
            if kv.count == 2, fields[String(kv[0])] == nil || fields[String(kv[0])] == "N/A" {
                fields[String(kv[0])] = String(kv[1])
            }
        }
        guard let w = fields["width"].flatMap(Int.init), let h = fields["height"].flatMap(Int.init), w > 0, h > 0 else {
            throw MediaError(
                .unsupportedFormat, file: path,
                "no video stream found; check that it is a video or an image sequence ffmpeg can read")
        }
        var rate: FrameRate?
        if let r = fields["r_frame_rate"], let parsed = try? FrameRate(parsing: r), parsed.fps > 0, parsed.fps < 1000,
            !isSequence(path)
        {
            rate = parsed
        }
        var count = fields["nb_frames"].flatMap(Int.init)
        if count == nil, let rate, let duration = fields["duration"].flatMap(Double.init) {
            // Containers without a frame count (MKV, some MOV): from the duration.
            count = Int((duration * rate.fps).rounded())
        }
        if isSequence(path) { count = sequenceFiles(path).count }
        func tag(_ key: String) -> String? {
            fields[key].flatMap { ["unknown", "N/A", "reserved", ""].contains($0) ? nil : $0 }
        }
        return ClipInfo(
            width: w, height: h, pixelFormat: fields["pix_fmt"] ?? "", codec: fields["codec_name"] ?? "",
            frameRate: rate, frameCount: count,
            colorTags: ColorTags(transfer: tag("color_transfer"), primaries: tag("color_primaries")))
    }

    /// The number of the first file of an image sequence (0 when none match).
    package static func sequenceStart(_ pattern: String) -> Int {
        guard let first = sequenceFiles(pattern).first else { return 0 }
        let name = (first as NSString).lastPathComponent, p = (pattern as NSString).lastPathComponent
        guard let range = p.range(of: "%0?[0-9]*d", options: .regularExpression) else { return 0 }
        return Int(name.dropFirst(p.distance(from: p.startIndex, to: range.lowerBound)).prefix(while: \.isNumber)) ?? 0
    }

    /// The frame numbers of the files matching an image-sequence pattern, sorted.
    static func sequenceNumbers(_ pattern: String) -> [Int] {
        let dir = (pattern as NSString).deletingLastPathComponent
        let name = (pattern as NSString).lastPathComponent
        guard let range = name.range(of: "%0?[0-9]*d", options: .regularExpression),
            let files = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)
        else { return [] }
        let prefix = String(name[..<range.lowerBound]), suffix = String(name[range.upperBound...])
        return Set(
            files.compactMap { f -> Int? in
                guard f.hasPrefix(prefix), f.hasSuffix(suffix), f.count > prefix.count + suffix.count else {
                    return nil
                }
                return Int(f.dropFirst(prefix.count).dropLast(suffix.count))
            }
        ).sorted()
    }

    /// The files of an image sequence, in frame order (consecutive numbers from the first found).
    package static func sequenceFiles(_ pattern: String) -> [String] {
        let numbers = sequenceNumbers(pattern)
        guard let first = numbers.first else { return [] }
        let dir = (pattern as NSString).deletingLastPathComponent, name = (pattern as NSString).lastPathComponent
        var last = first
        for n in numbers.dropFirst() where n == last + 1 { last = n }
        return (first...last).map { (dir as NSString).appendingPathComponent(String(format: name, $0)) }
    }

    /// The files of an input sequence, which must run without a gap: a missing frame (files after
    /// it exist) is an error naming it, rather than a clip that silently ends there.
    package static func inputSequenceFiles(_ pattern: String) throws(MediaError) -> [String] {
        let numbers = sequenceNumbers(pattern)
        guard let first = numbers.first, let last = numbers.last else {
            throw MediaError(
                .missingInput, file: pattern, "no files match this sequence pattern; check the folder and the %04d part"
            )
        }
        if numbers.count != last - first + 1 {
            var missing = first
            for n in numbers where n == missing { missing += 1 }
            throw MediaError(
                .missingInput, file: pattern, frame: missing,
                "frame \(missing) is missing (the files run from \(first) to \(last), \(last - first + 1 - numbers.count) missing); restore it: a sequence must run without gaps"
            )
        }
        return sequenceFiles(pattern)
    }
}

/// Reads a clip or image sequence frame by frame into a reused buffer: EXR files and sequences
/// through OpenEXR (every channel's full float range), PFM natively, everything else through one
/// ffmpeg process.
///
/// Colour comes out as linear RGB (sRGB/Rec.709 sources decoded; float sources taken as linear);
/// depth (`depth: true`) as metres, from an EXR's depth channel (`depthChannel`, else `Z`,
/// `depth.Z`, `depth.V`, ...). A frame cut short is an error naming the frame.
package final class FrameReader: FrameSource {
    package let path: String
    package let info: ClipInfo
    package let isDepth: Bool
    private let source: any FrameSource
    package private(set) var framesRead: Int

    /// - Parameters:
    ///   - depthScale: metres per step for integer depth maps (required for metric ones).
    ///   - normalizeIntegers: read integer maps as 0…1 instead (for inverse and normalised maps).
    ///   - depthChannel: the EXR channel holding depth.
    ///   - probed: what `FFmpeg.probeClip` said of `path`, when the caller has just asked (a clip
    ///     read through ffmpeg is then not probed twice).
    package init(
        path: String, depth: Bool = false, depthScale: Double? = nil, normalizeIntegers: Bool = false,
        depthChannel: String? = nil,
        startFrame: Int = 0, probed: ClipInfo? = nil
    ) throws(MediaError) {
        self.path = path
        isDepth = depth
        if NativeFrameReader.handles(path) {
            info = try ClipInfo.native(path)
            source = NativeFrameReader(
                path: path, depth: depth, channel: depthChannel, startFrame: startFrame, info: info)
        } else {
            let decoder = try FFmpegFrameReader(
                path: path, depth: depth, depthScale: depthScale, normalizeIntegers: normalizeIntegers,
                startFrame: startFrame, probed: probed)
            info = decoder.info
            source = decoder
        }
        framesRead = startFrame
    }

    /// Reads the next frame into `frame` (allocated on first use, reused after). Returns false at
    /// the end of the clip.
    package func next(into frame: inout PlanarImage?) throws(MediaError) -> Bool {
        let more: Bool
        do { more = try source.next(into: &frame) } catch let e as MediaError { throw e } catch {
            throw MediaError(.damaged, file: path, frame: framesRead, "frame \(framesRead): \(error)")
        }
        if more { framesRead += 1 }
        return more
    }

    /// Stops reading (safe to call more than once).
    package func close() { source.close() }
}

/// Decodes a clip or image sequence frame by frame through one ffmpeg process (raw frames over a
/// pipe), into a reused buffer.
final class FFmpegFrameReader: FrameSource {
    package let path: String
    package let info: ClipInfo
    package let isDepth: Bool
    package private(set) var framesRead = 0
    private let process: Process
    private let output: FileHandle
    private let errors = FFmpeg.Box()
    private let errorsDone = DispatchGroup()
    private let bytesPerFrame: Int
    private let pixelFormat: String
    private let depthScale: Float
    private let flipRows: Bool
    private var raw: [UInt8]

    /// - Parameters:
    ///   - depthScale: metres per step for integer depth maps (required for metric ones).
    ///   - normalizeIntegers: read integer maps as 0…1 instead (for inverse and normalised maps).
    package init(
        path: String, depth: Bool = false, depthScale: Double? = nil, normalizeIntegers: Bool = false,
        startFrame: Int = 0, probed: ClipInfo? = nil
    ) throws(MediaError) {
        self.path = path
        self.isDepth = depth
        if let probed { info = probed } else { info = try FFmpeg.probeClip(path) }
        let n = info.width * info.height
        if depth {
            if !info.isFloat && depthScale == nil && !normalizeIntegers {
                throw MediaError(
                    .depthUnit, file: path,
                    "an integer (\(info.pixelFormat)) depth map has no unit; pass --depth-scale (metres per step, e.g. 0.001 for millimetres)"
                )
            }
            // ffmpeg's float RGB → grayf32 conversion returns a constant (ffmpeg 5.1), so a colour
            // float depth map (an RGB EXR from a renderer's Z pass) is read as RGB and its red
            // channel kept.
            let floatColour = info.isFloat && !info.pixelFormat.hasPrefix("gray")
            pixelFormat = info.isFloat ? (floatColour ? "gbrpf32le" : "grayf32le") : "gray16le"
            bytesPerFrame = n * (info.isFloat ? (floatColour ? 12 : 4) : 2)
        } else {
            pixelFormat = info.isFloat ? "gbrpf32le" : "rgb48le"
            bytesPerFrame = n * 3 * (info.isFloat ? 4 : 2)
        }
        let wide = info.pixelFormat.contains("16") || info.pixelFormat.contains("48") || info.pixelFormat.contains("64")
        self.depthScale = Float(depthScale ?? (normalizeIntegers ? (wide ? 1.0 / 65535 : 1.0 / 255) : 1))
        flipRows = info.codec == "pfm"
        raw = [UInt8](repeating: 0, count: bytesPerFrame)
        var args = ["-v", "error", "-nostdin"]
        if FFmpeg.isSequence(path) {
            args += ["-f", "image2", "-start_number", "\(FFmpeg.sequenceStart(path) + startFrame)"]
        }
        args += ["-i", path]
        // ffmpeg silently rescales frames whose size differs from the first (a clip spliced from
        // two sizes, a sequence with one odd frame). This scale keeps the size and fails the
        // filter graph's re-initialisation when the size changes; it costs nothing otherwise.
        var filters = ["scale=w='if(eq(iw\\,\(info.width))*eq(ih\\,\(info.height))\\,iw\\,0/0)':h=ih"]
        if startFrame > 0 && !FFmpeg.isSequence(path) {
            filters.insert("select=gte(n\\,\(startFrame))", at: 0)
            args += ["-vsync", "0"]
        }
        args += ["-vf", filters.joined(separator: ","), "-f", "rawvideo", "-pix_fmt", pixelFormat, "-"]
        signal(SIGPIPE, SIG_IGN)
        process = Process()
        process.executableURL = URL(fileURLWithPath: try FFmpeg.executable())
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw MediaError(.toolMissing, file: path, "cannot start ffmpeg (\(error.localizedDescription))")
        }
        output = out.fileHandleForReading
        errorsDone.enter()
        let box = errors, done = errorsDone
        DispatchQueue.global().async {
            box.data = err.fileHandleForReading.readDataToEndOfFile(); done.leave()
        }
        framesRead = startFrame
    }

    deinit { close() }

    /// Reads the next frame into `frame` (allocated on first use, reused after). Returns false at
    /// the end of the clip.
    package func next(into frame: inout PlanarImage?) throws(MediaError) -> Bool {
        var got = 0
        while got < bytesPerFrame {
            let chunk: Data
            do { chunk = try output.read(upToCount: bytesPerFrame - got) ?? Data() } catch {
                throw MediaError(
                    .damaged, file: path, frame: framesRead,
                    "reading frame \(framesRead) failed (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { src in
                raw.withUnsafeMutableBytes { dst in
                    dst.baseAddress!.advanced(by: got).copyMemory(from: src.baseAddress!, byteCount: src.count)
                }
            }
            got += chunk.count
        }
        if got == 0 {
            process.waitUntilExit()
            if let changed = sizeChange() { throw changed }
            if process.terminationStatus != 0 {
                throw MediaError(
                    .toolFailed, file: path, frame: framesRead, "ffmpeg failed at frame \(framesRead): \(lastError())")
            }
            return false
        }
        guard got == bytesPerFrame else {
            process.waitUntilExit()
            if let changed = sizeChange() { throw changed }
            throw MediaError(
                .damaged, file: path, frame: framesRead,
                "frame \(framesRead) is cut short (\(got) of \(bytesPerFrame) bytes); the file is truncated or ffmpeg died: \(lastError())"
            )
        }
        let w = info.width, h = info.height, n = w * h
        if frame == nil || frame!.width != w || frame!.height != h {
            frame = PlanarImage(width: w, height: h, channels: isDepth ? 1 : 3)
        }
        raw.withUnsafeBytes { bytes in
            frame!.data.withUnsafeMutableBufferPointer { d in
                switch pixelFormat {
                case "gbrpf32le" where isDepth:
                    let f = bytes.bindMemory(to: Float.self)
                    for i in 0..<n { d[i] = f[2 * n + i] }
                case "gbrpf32le":
                    let f = bytes.bindMemory(to: Float.self)
                    for i in 0..<n { d[i] = f[2 * n + i]; d[n + i] = f[i]; d[2 * n + i] = f[n + i] }
                case "rgb48le":
                    let u = bytes.bindMemory(to: UInt16.self)
                    ColorTransfer.linearOf16BitSRGB.withUnsafeBufferPointer { lut in
                        for i in 0..<n {
                            for c in 0..<3 { d[c * n + i] = lut[Int(UInt16(littleEndian: u[3 * i + c]))] }
                        }
                    }
                case "grayf32le":
                    let f = bytes.bindMemory(to: Float.self)
                    for i in 0..<n { d[i] = f[i] }
                default:  // gray16le
                    let u = bytes.bindMemory(to: UInt16.self)
                    for i in 0..<n { d[i] = Float(UInt16(littleEndian: u[i])) * depthScale }
                }
            }
        }
        if flipRows {
            // ffmpeg 5.1 decodes PFM top-down, but PFM stores rows bottom-up (our PFM reader flips).
            let channels = frame!.channels
            frame!.data.withUnsafeMutableBufferPointer { d in
                for c in 0..<channels {
                    for y in 0..<(h / 2) {
                        let a = c * n + y * w, b = c * n + (h - 1 - y) * w
                        for x in 0..<w { d.swapAt(a + x, b + x) }
                    }
                }
            }
        }
        framesRead += 1
        return true
    }

    private func lastError() -> String {
        errorsDone.wait()
        return FFmpeg.cause(in: errors.data) ?? "exit status \(process.terminationStatus)"
    }

    /// The size guard's failure, worded for the user (nil for any other failure).
    private func sizeChange() -> MediaError? {
        errorsDone.wait()
        guard String(decoding: errors.data, as: UTF8.self).contains("expression 'if(eq(iw") else { return nil }
        return MediaError(
            .frameSize, file: path, frame: framesRead,
            "the picture size changes after frame \(framesRead) (it starts at \(info.width)×\(info.height)); RackFocus reads one size per clip: re-encode it at one size, e.g. ffmpeg -i IN -vf scale=\(info.width):\(info.height) OUT"
        )
    }

    /// Stops the decoder (safe to call more than once).
    package func close() {
        if process.isRunning {
            try? output.close()
            process.terminate()
        }
        process.waitUntilExit()
    }
}
