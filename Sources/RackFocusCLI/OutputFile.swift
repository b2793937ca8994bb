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
            if FileManager.default.fileExists(atPath: url.path) { _ = try FileManager.default.replaceItemAt(url, withItemAt: temp) }
            else { try FileManager.default.moveItem(at: temp, to: url) }
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw CLIError("\(path): cannot write (\(error.localizedDescription)); check the folder's permissions and free space")
        }
    }
}
