import Foundation
import RackFocusImage

/// All-or-nothing outputs: write under a hidden temporary name beside the target, then rename.
///
/// rename(2) replaces the target atomically, so a crash, Ctrl-C or a full disk never leaves a
/// half-written file under the final name.
package enum AtomicFile {
    /// Checks the target's folder exists and returns the temporary path to write first
    /// (`.NAME.partial-PID.EXT`, keeping the extension so ffmpeg picks the format).
    package static func temporaryPath(for path: String) throws(MediaError) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            throw MediaError(
                .writeFailed, file: path, "folder \(dir.path) does not exist; create it first or choose another path")
        }
        let ext = url.pathExtension
        let name = ".\(url.deletingPathExtension().lastPathComponent).partial-\(getpid())"
        return dir.appendingPathComponent(ext.isEmpty ? name : "\(name).\(ext)").path
    }

    /// Gives a completely written temporary file its final name (removing it on failure).
    package static func commit(_ temp: String, to path: String) throws(MediaError) {
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temp)
            throw MediaError(
                .writeFailed, file: path, "cannot write (\(reason)); check the folder's permissions and free space")
        }
    }

    /// Writes data all-or-nothing.
    package static func write(_ data: Data, to path: String) throws(MediaError) {
        let temp = try temporaryPath(for: path)
        do { try data.write(to: URL(fileURLWithPath: temp)) } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw MediaError(
                .writeFailed, file: path,
                "cannot write (\(error.localizedDescription)); check the folder's permissions and free space")
        }
        try commit(temp, to: path)
    }

    /// Writes text as UTF-8, all-or-nothing.
    package static func write(_ text: String, to path: String) throws(MediaError) {
        try write(Data(text.utf8), to: path)
    }
}
