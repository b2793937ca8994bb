import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive claim on an output path while it is written, so that two commands writing the
/// same clip or sequence do not interleave their frames: the second is refused at once, naming the
/// path. The claim is a lock on a hidden `.NAME.lock` beside the output; the kernel drops it if the
/// process dies, so a stale file never blocks a later run.
///
/// A sequence is claimed frame by frame: the lock covers the byte range of the frame numbers
/// written (an open-ended range when the count is not known). Chunks of one sequence (a farm's
/// tasks) run side by side; two writers whose frames overlap do not. The locks are Linux's
/// open-file-description locks, so they hold between writers in one process too.
package final class OutputLock: @unchecked Sendable {
    let lockPath: String
    private var fd: Int32 = -1

    /// - Parameters:
    ///   - frames: for a sequence, the frame numbers this writer will write (`upperBound == .max`:
    ///     from the lower bound on); nil claims the whole output.
    package init(for path: String, frames: Range<Int>? = nil) throws(MediaError) {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent.replacingOccurrences(of: "%", with: "_")
        lockPath = url.deletingLastPathComponent().appendingPathComponent(".\(name).lock").path
        let start = max(0, frames?.lowerBound ?? 0)
        let length = frames.map { $0.upperBound == .max ? 0 : max(1, $0.count) } ?? 0  // 0: to the end
        while true {
            fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw MediaError(
                    .writeFailed, file: path,
                    "cannot create \(lockPath) (\(String(cString: strerror(errno)))); check the output folder's permissions"
                )
            }
            var claim = Self.range(F_WRLCK, start: start, length: length)
            guard fcntl(fd, Self.setLock, &claim) == 0 else {
                var held = Self.range(F_WRLCK, start: start, length: length)
                let known = fcntl(fd, Self.getLock, &held) == 0 && Int32(held.l_type) != F_UNLCK
                close(fd)
                fd = -1
                var what = ""
                if frames != nil && known {
                    let last = held.l_len == 0 ? "on" : "\(Int(held.l_start) + Int(held.l_len) - 1)"
                    what = " (frames \(held.l_start)-\(last))"
                }
                throw MediaError(
                    .writeFailed, file: path,
                    "another command is writing \(path)\(what) now; wait for it to finish or choose another output"
                )
            }
            // A writer that finished may have removed the file between our open and our lock: the
            // claim counts only on the file still at that name.
            var held = stat(), named = stat()
            if fstat(fd, &held) == 0, stat(lockPath, &named) == 0, held.st_ino == named.st_ino,
                held.st_dev == named.st_dev
            {
                return
            }
            close(fd)
            fd = -1
        }
    }

    /// Gives the claim up (also on deinit). The last writer out removes the lock file.
    package func release() {
        guard fd >= 0 else { return }
        // Claiming the whole file succeeds only if no other writer holds any part of it.
        var all = Self.range(F_WRLCK, start: 0, length: 0)
        if fcntl(fd, Self.setLock, &all) == 0 { unlink(lockPath) }
        close(fd)
        fd = -1
    }

    deinit { release() }

    // Linux's open-file-description locks (F_OFD_GETLK, F_OFD_SETLK), which Glibc's module map
    // does not export.
    private static let getLock: Int32 = 36
    private static let setLock: Int32 = 37

    private static func range(_ type: Int32, start: Int, length: Int) -> flock {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(start)
        lock.l_len = off_t(length)
        lock.l_pid = 0
        return lock
    }
}
