import Foundation

/// Runs ffmpeg and ffprobe as subprocesses with raw frames over pipes.
///
/// stdin is written from a background thread and stderr drained concurrently, so neither pipe
/// can fill and deadlock the other; SIGPIPE is ignored so a dying ffmpeg is an error, not a crash.
public enum FFmpeg {
    /// The ffmpeg executable: `$RACKFOCUS_FFMPEG`, or the first `ffmpeg` on PATH.
    public static func executable(_ name: String = "ffmpeg") throws(MediaError) -> String {
        let env = ProcessInfo.processInfo.environment
        if name == "ffmpeg", let custom = env["RACKFOCUS_FFMPEG"] {
            guard FileManager.default.isExecutableFile(atPath: custom) else {
                throw MediaError("RACKFOCUS_FFMPEG=\(custom) is not an executable; point it at ffmpeg or unset it")
            }
            return custom
        }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw MediaError("\(name) is not installed; install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg)")
    }

    /// Runs a tool to completion, feeding `input` to stdin; returns stdout. Non-zero exit is an error
    /// carrying ffmpeg's last stderr line.
    public static func run(_ arguments: [String], tool: String = "ffmpeg", input: Data? = nil, context: String) throws(MediaError) -> Data {
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(tool))
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        do { try process.run() } catch {
            throw MediaError("\(context): cannot start \(tool) (\(error.localizedDescription))")
        }
        let group = DispatchGroup()
        let errBox = Box(), outBox = Box()
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if let input {
            let handle = inPipe.fileHandleForWriting
            try? handle.write(contentsOf: input)
            try? handle.close()
        }
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errBox.data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw MediaError("\(context): \(tool) failed: \(message)")
        }
        return outBox.data
    }

    final class Box: @unchecked Sendable { var data = Data() }

    /// Width, height and pixel format of the first video stream of a file.
    public static func probe(_ path: String) throws(MediaError) -> (width: Int, height: Int, pixelFormat: String, codec: String) {
        let data = try run(["-v", "error", "-select_streams", "v:0", "-show_entries",
                                       "stream=width,height,pix_fmt,codec_name", "-of", "csv=p=0", path],
                           tool: "ffprobe", context: path)
        let fields = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        guard fields.count >= 4, let w = Int(fields[1]), let h = Int(fields[2]) else {
            throw MediaError("\(path): no image found in the file; check it is an image ffmpeg can read")
        }
        return (w, h, String(fields[3]), String(fields[0]))
    }
}
