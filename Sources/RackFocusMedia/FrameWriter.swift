import Foundation
import RackFocusImage
import RackFocusOptics

/// Output codecs for clips.
package enum VideoCodec: String, Sendable, CaseIterable {
    /// H.264 in MP4/MOV, 8-bit 4:2:0, CRF 16, x264's `fast` preset: review copies. (`medium`, x264's
    /// default, took 1.4-1.9× the encoding time for files 2-3% smaller at the same CRF, within
    /// 0.05-0.1 dB PSNR, on the 1080p demo render and on `testsrc2`.)
    case h264
    /// H.265, 10-bit 4:2:0, CRF 18.
    case h265
    /// Apple ProRes 422 HQ, 10-bit.
    case prores
    /// FFV1, lossless 16-bit RGB in MKV: archival and round trips.
    case ffv1

    var arguments: [String] {
        switch self {
        case .h264: return ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "16", "-preset", "fast"]
        case .h265:
            return [
                "-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-crf", "18", "-preset", "medium", "-x265-params",
                "log-level=error",
            ]
        case .prores: return ["-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le"]
        case .ffv1: return ["-c:v", "ffv1", "-level", "3", "-pix_fmt", "rgb48le"]
        }
    }
}

/// Writes frames to a clip (one ffmpeg encoder fed raw frames) or to an image sequence.
///
/// Clips are encoded under a temporary name beside the target and renamed by `finish()`; a
/// cancelled or failed write removes it, so the final name is only ever a complete file. Each
/// frame of a sequence is written to a temporary name and renamed, so a sequence only ever holds
/// complete frames. `cancel()` may be called from a signal handler while frames are written:
/// it only closes the pipe, stops the encoder and removes the partial file.
package final class FrameWriter: FrameSink, @unchecked Sendable {
    package let path: String
    package let width: Int
    package let height: Int
    package private(set) var framesWritten = 0
    let sequence: Bool
    let firstNumber: Int
    var process: Process?
    var input: FileHandle?
    let temp: String
    /// Held from the first frame to `finish` or `cancel`.
    var lock: OutputLock?
    let errors = FFmpeg.Box()
    let errorsDone = DispatchGroup()
    var words: [UInt16] = []
    /// H.264 in an even size takes Y'CbCr 4:2:0 made here (`StillImage.encodeYUV420`) instead of
    /// 16-bit RGB for ffmpeg to convert.
    var yuv = false
    var bytes: [UInt8] = []
    /// How EXR frames of a sequence are written (channel names, type, compression).
    package var exrStyle = EXRStyle()

    /// - Parameters:
    ///   - firstNumber: the number of the first frame in a sequence (frame ranges keep their numbers).
    ///   - frameCount: how many frames of a sequence this writer will write, if known: only those
    ///     frame numbers are claimed against other writers (otherwise every number from the first).
    ///   - audioFrom: copy the audio of this clip, if it has any.
    ///   - colorTags: the transfer and primaries to tag a clip with (missing ones: Rec.709).
    package init(
        path: String, width: Int, height: Int, frameRate: FrameRate, codec: VideoCodec? = nil,
        firstNumber: Int = 0, frameCount: Int? = nil, audioFrom: String? = nil, colorTags: ColorTags = .rec709
    ) throws(MediaError) {
        self.path = path
        self.width = width
        self.height = height
        self.firstNumber = firstNumber
        sequence = FFmpeg.isSequence(path)
        let ext = (path as NSString).pathExtension.lowercased()
        temp = try AtomicFile.temporaryPath(for: path)
        lock = try OutputLock(
            for: path, frames: sequence ? firstNumber..<(frameCount.map { firstNumber + $0 } ?? .max) : nil)
        if sequence {
            guard ["png", "tif", "tiff", "exr", "pfm"].contains(ext) else {
                throw MediaError(
                    .unsupportedFormat, file: path, "image sequences are written as .png (16-bit), .tif, .exr or .pfm")
            }
            return
        }
        guard ["mp4", "mov", "mkv", "m4v"].contains(ext) else {
            throw MediaError(
                .unsupportedFormat, file: path, "write clips as .mp4, .mov or .mkv, or a sequence such as out_%04d.png")
        }
        let chosen = codec ?? (ext == "mkv" ? .ffv1 : .h264)
        if chosen == .ffv1 && ext != "mkv" {
            throw MediaError(.unsupportedFormat, file: path, "FFV1 goes in .mkv; name the output .mkv")
        }
        // ffmpeg's MP4 muxer refuses ProRes with a bare "Error initializing output stream".
        if chosen == .prores && !["mov", "mkv"].contains(ext) {
            throw MediaError(.unsupportedFormat, file: path, "ProRes goes in .mov (or .mkv); name the output .mov")
        }
        // Colour tags go on the raw input too: ffmpeg 5 lets the frames' (empty) tags override the
        // output's for some encoders (ProRes), leaving the stream untagged.
        let tags =
            ["-color_trc", colorTags.transfer ?? "bt709", "-color_primaries", colorTags.primaries ?? "bt709"]
            + (chosen == .ffv1 ? [] : ["-colorspace", "bt709"])
        yuv = chosen == .h264 && width % 2 == 0 && height % 2 == 0
        var args =
            [
                "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", yuv ? "yuv420p" : "rgb48le",
                "-s", "\(width)x\(height)", "-framerate", "\(frameRate.numerator)/\(frameRate.denominator)",
            ] + tags + (yuv ? ["-color_range", "tv", "-chroma_sample_location", "left"] : []) + ["-i", "-"]
        if let audioFrom { args += ["-i", audioFrom, "-map", "0:v", "-map", "1:a?", "-c:a", "copy", "-shortest"] }
        if chosen != .ffv1 && !yuv {
            // RGB to Y'CbCr with the Rec.709 matrix the stream is tagged with (ffmpeg's default
            // conversion is Rec.601 whatever the tag says, which shifts every saturated colour).
            args += ["-vf", "scale=out_color_matrix=bt709:out_range=tv"]
        }
        args += chosen.arguments + tags
        args.append(temp)
        signal(SIGPIPE, SIG_IGN)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try FFmpeg.executable())
        p.arguments = args
        let inPipe = Pipe(), err = Pipe()
        p.standardInput = inPipe
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        do { try p.run() } catch {
            throw MediaError(.toolMissing, file: path, "cannot start ffmpeg (\(error.localizedDescription))")
        }
        process = p
        input = inPipe.fileHandleForWriting
        errorsDone.enter()
        let box = errors, done = errorsDone
        DispatchQueue.global().async {
            box.data = err.fileHandleForReading.readDataToEndOfFile(); done.leave()
        }
    }

    deinit { if process?.isRunning == true { cancel() } }

    /// Appends one linear-light RGB frame.
    package func write(_ frame: PlanarImage) throws(MediaError) {
        guard frame.width == width, frame.height == height else {
            throw MediaError(
                .frameSize, file: path, frame: framesWritten,
                "frame \(framesWritten) is \(frame.width)x\(frame.height), not \(width)x\(height)")
        }
        if sequence {
            let file = String(format: path, firstNumber + framesWritten)
            try StillImage.write(frame, to: file, exr: exrStyle)
            framesWritten += 1
            return
        }
        do {
            if yuv {
                StillImage.encodeYUV420(frame, into: &bytes)
                try input!.write(contentsOf: bytes)
            } else {
                StillImage.encodeRGB48(frame, into: &words)
                try words.withUnsafeBytes { try input!.write(contentsOf: $0) }
            }
        } catch {
            let reason = lastError()
            cancel()
            throw MediaError(
                .writeFailed, file: path, frame: framesWritten,
                "the encoder stopped at frame \(framesWritten): \(reason)")
        }
        framesWritten += 1
    }

    /// Closes the clip and gives it its final name.
    package func finish() throws(MediaError) {
        guard let process, let input else {
            lock?.release()
            return
        }
        try? input.close()
        process.waitUntilExit()
        self.process = nil
        errorsDone.wait()
        if let reason = FFmpeg.failure(status: process.terminationStatus, stderr: errors.data, writes: true) {
            try? FileManager.default.removeItem(atPath: temp)
            throw MediaError(
                .writeFailed, file: path,
                "encoding failed after \(framesWritten) frames: \(reason); check the free space and permissions of the output's folder"
            )
        }
        try AtomicFile.commit(temp, to: path)
        lock?.release()
    }

    /// Abandons the clip: stops the encoder and removes the partial file.
    package func cancel() {
        defer { lock?.release() }
        try? input?.close()
        if let process, process.isRunning { process.terminate(); process.waitUntilExit() }
        process = nil
        try? FileManager.default.removeItem(atPath: temp)
        if sequence {
            // A frame being written when a signal came has this process's temporary name; the
            // finished frames stay (`--resume` continues from them).
            let dir = (path as NSString).deletingLastPathComponent
            let mark = ".partial-\(getpid())"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
            for name in names where name.hasPrefix(".") && name.contains(mark) {
                try? FileManager.default.removeItem(atPath: (dir.isEmpty ? "." : dir) + "/" + name)
            }
        }
    }

    private func lastError() -> String {
        errorsDone.wait()
        return FFmpeg.cause(in: errors.data) ?? "ffmpeg exited"
    }
}
