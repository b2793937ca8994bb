import Foundation

/// Writes an output file all-or-nothing: to a hidden temporary name beside it, then renamed.
///
/// A crash or a full disk never leaves a half-written file under the final name.
enum OutputFile {
    static func write(_ text: String, to path: String) throws(CLIError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("\(path): folder \(dir.path) does not exist; create it first or choose another path")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temp)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw CLIError("\(path): cannot write (\(error.localizedDescription)); check the folder's permissions and free space")
        }
        // rename(2) replaces an existing file atomically.
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw CLIError("\(path): cannot write (\(reason)); check the folder's permissions")
        }
    }
}
