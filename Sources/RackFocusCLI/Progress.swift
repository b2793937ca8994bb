import Foundation
import RackFocusShot

/// The terminal side of `Feedback`: notes and warnings on stderr, one progress line per pass
/// (frame n/N, fps, ETA), drawn only when stderr is a terminal.
package final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled = isatty(2) != 0
    private var label = ""
    private var start = Date()
    private var last = Date.distantPast

    /// Feedback for a command run from the terminal.
    package static var terminal: Feedback {
        let bar = Progress()
        return Feedback(note: { note($0) }, warn: { warn($0) }, progress: { bar.update($0, $1, $2) })
    }

    func update(_ pass: String, _ done: Int, _ total: Int?) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if done < 0 {
            if pass == label { FileHandle.standardError.write(Data("\n".utf8)); label = "" }
            return
        }
        if pass != label { label = pass; start = Date(); last = .distantPast }
        guard Date().timeIntervalSince(last) > 0.2 || done == total else { return }
        last = Date()
        let fps = Double(done) / max(Date().timeIntervalSince(start), 1e-3)
        var line = "\(pass) frame \(done)" + String(format: "  %.1f fps", fps)
        if let total, total > 0 {
            let width = 30, filled = min(width, width * done / total)
            let eta = fps > 0 ? Double(total - done) / fps : 0
            line =
                "\(pass) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total)"
                + String(format: "  %.1f fps  ETA %.0fs", fps, eta)
        }
        FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
    }
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("note: \(message)\n".utf8))
}

package func warn(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}
