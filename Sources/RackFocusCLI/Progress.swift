import Foundation

/// A one-line progress bar on stderr (frame n/N, fps, ETA), drawn only when stderr is a terminal.
final class Progress {
    let total: Int?
    let label: String
    let enabled: Bool
    let start = Date()
    var last = Date.distantPast

    init(total: Int?, label: String) {
        self.total = total
        self.label = label
        enabled = isatty(2) != 0
    }

    func update(_ done: Int) {
        guard enabled, Date().timeIntervalSince(last) > 0.2 || done == total else { return }
        last = Date()
        let elapsed = max(Date().timeIntervalSince(start), 1e-3)
        let fps = Double(done) / elapsed
        var line = "\(label) frame \(done)"
        if let total, total > 0 {
            let width = 30, filled = min(width, width * done / total)
            let eta = fps > 0 ? Double(total - done) / fps : 0
            line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total)"
                + String(format: "  %.1f fps  ETA %.0fs", fps, eta)
        } else {
            line += String(format: "  %.1f fps", fps)
        }
        FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
