import Foundation
import RackFocusImage

/// Runs ffmpeg and ffprobe as subprocesses with raw frames over pipes.
///
/// stdin is written from a background thread and stderr drained concurrently, so neither pipe
/// can fill and deadlock the other; SIGPIPE is ignored so a dying ffmpeg is an error, not a crash.
package enum FFmpeg {
    /// The ffmpeg executable: `$RACKFOCUS_FFMPEG`, or the first `ffmpeg` on PATH.
    package static func executable(_ name: String = "ffmpeg") throws(MediaError) -> String {
        let env = ProcessInfo.processInfo.environment
        if name == "ffmpeg", let custom = env["RACKFOCUS_FFMPEG"] {
            guard FileManager.default.isExecutableFile(atPath: custom) else {
                throw MediaError(
                    .toolMissing, file: nil,
                    "RACKFOCUS_FFMPEG=\(custom) is not an executable; point it at ffmpeg or unset it")
            }
            return custom
        }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw MediaError(
            .toolMissing, file: nil,
            "\(name) is not installed; install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg)")
    }

    /// Runs a tool to completion, feeding `input` to stdin; returns stdout. Non-zero exit is an error
    /// carrying ffmpeg's last stderr line.
    ///
    /// - Parameter writes: the command writes a file. Then any error ffmpeg prints (run it with
    ///   `-v error`) fails the call even when it exits 0, as ffmpeg 5 does when the disk fills while
    ///   it writes a file's trailer: the file is incomplete.
    package static func run(
        _ arguments: [String], tool: String = "ffmpeg", input: Data? = nil, writes: Bool = false,
        context: String
    ) throws(MediaError) -> Data {
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(tool))
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        do { try process.run() } catch {
            throw MediaError(.toolMissing, file: context, "cannot start \(tool) (\(error.localizedDescription))")
        }
        let group = DispatchGroup()
        let errBox = Box(), outBox = Box()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        if let input {
            let handle = inPipe.fileHandleForWriting
            try? handle.write(contentsOf: input)
            try? handle.close()
        }
        group.wait()
        process.waitUntilExit()
        if let message = failure(status: process.terminationStatus, stderr: errBox.data, writes: writes) {
            throw MediaError(.toolFailed, file: context, "\(tool) failed: \(message)")
        }
        return outBox.data
    }

    /// Why a finished ffmpeg run failed, or nil when it succeeded: a non-zero exit, or for a run
    /// that writes a file, any error it printed (it can exit 0 after failing to finish the file).
    static func failure(status: Int32, stderr: Data, writes: Bool) -> String? {
        let reason = cause(in: stderr)
        if status == 0 && !(writes && reason != nil) { return nil }
        return reason ?? "exit status \(status)"
    }

    /// The stderr line that best says why ffmpeg failed: one naming a full disk, else the last.
    static func cause(in stderr: Data) -> String? {
        let lines = String(decoding: stderr, as: UTF8.self).split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        .filter { !$0.isEmpty }
        // What happened in the user's words, for the failures ffmpeg words for its developers.
        for (pattern, meaning) in translations {
            if lines.contains(where: { $0.localizedCaseInsensitiveContains(pattern) }) { return meaning }
        }
        return lines.last
    }

    /// ffmpeg's messages (a fragment of each) and what they mean for a RackFocus user.
    static let translations: [(String, String)] = [
        ("No space left", "the disk is full (No space left on device); free space or write elsewhere"),
        ("Permission denied", "permission denied; check that the file and its folder can be read or written"),
        ("Read-only file system", "the folder is on a read-only file system; write elsewhere"),
        (
            "av_interleaved_write_frame(): Input/output error",
            "the output could not be written (an input/output error: a read-only, full or disconnected disk)"
        ),
        (
            "Error marking filters as finished",
            "the input ends early or is damaged (truncated file); re-export or re-copy it"
        ),
        ("Invalid data found when processing input", "the file is damaged or not a media file ffmpeg can read"),
        ("moov atom not found", "the file is truncated (its index is missing: an interrupted copy or recording)"),
    ]

    final class Box: @unchecked Sendable { var data = Data() }

    /// Width, height and pixel format of the first video stream of a file.
    package static func probe(_ path: String) throws(MediaError) -> (
        width: Int, height: Int, pixelFormat: String, codec: String
    ) {
        let data = try run(
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream=width,height,pix_fmt,codec_name", "-of", "csv=p=0", path,
            ],
            tool: "ffprobe", context: path)
        let fields = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(
            separator: ",")
        guard fields.count >= 4, let w = Int(fields[1]), let h = Int(fields[2]) else {
            throw MediaError(
                .unsupportedFormat, file: path, "no image found in the file; check it is an image ffmpeg can read")
        }
        return (w, h, String(fields[3]), String(fields[0]))
    }
}
