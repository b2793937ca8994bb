import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive claim on an output path while it is written, so that two commands writing the
/// same clip or sequence do not interleave their frames: the second is refused at once, naming the
/// path. The claim is a lock (`flock`) on a hidden `.NAME.lock` beside the output; the kernel drops
/// it if the process dies, so a stale file never blocks a later run. A sequence is claimed from its
/// first frame (`part`): chunks of one sequence starting at different frames (a farm's tasks) run
/// side by side, two renders from the same frame do not.
package final class OutputLock: @unchecked Sendable {
    let lockPath: String
    private var fd: Int32

    package init(for path: String, part: String? = nil) throws(MediaError) {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent.replacingOccurrences(of: "%", with: "_") + (part.map { ".\($0)" } ?? "")
        lockPath = url.deletingLastPathComponent().appendingPathComponent(".\(name).lock").path
        fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MediaError(
                .writeFailed, file: path,
                "cannot create \(lockPath) (\(String(cString: strerror(errno)))); check the output folder's permissions"
            )
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            fd = -1
            throw MediaError(
                .writeFailed, file: path,
                "another command is writing \(path)\(part.map { " from frame \($0)" } ?? "") now; wait for it to finish or choose another output"
            )
        }
    }

    /// Gives the claim up (also on deinit).
    package func release() {
        guard fd >= 0 else { return }
        unlink(lockPath)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
