import Foundation

/// Large buffers on transparent huge pages.
///
/// A 1080p frame touches about 400 MB of fresh memory (frame planes, splat lists, difference
/// rows); in 4 KB pages that is about 100,000 page faults, a quarter of a one-frame `still`'s time
/// (kernel time: faults, memory-cgroup charges, TLB shootdowns when buffers are unmapped). Where
/// the kernel gives huge pages only to memory that asks for them (`transparent_hugepage/enabled`
/// is `[madvise]`, Debian's default), glibc asks for every block it maps when started with
/// `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (glibc 2.35+). Tunables are read only when a program
/// starts, so the program starts itself again once, in place (same process id, same arguments),
/// with the tunable set, and then removes it from its environment again so the tools it runs
/// (ffmpeg, ffprobe) see the caller's environment unchanged.
///
/// Nothing happens when the caller set `GLIBC_TUNABLES` themselves, when the kernel gives huge
/// pages to all memory already or to none, or with `RACKFOCUS_HUGEPAGES=0`.
public enum HugePages {
    static let tunables = "GLIBC_TUNABLES", marker = "RACKFOCUS_HUGEPAGES"
    static let setting = "glibc.malloc.hugetlb=1"

    /// Call first thing in `main`: either returns at once, or replaces the process (returning only
    /// if that fails, with the environment as it was).
    public static func startWithHugePages() {
        if let mark = getenv(marker) {
            if String(cString: mark) == "started" {
                // Second start: the tunable has been read; give the children the caller's
                // environment.
                unsetenv(marker)
                unsetenv(tunables)
            }
            return
        }
        guard getenv(tunables) == nil, kernelAdvisesOnly() else { return }
        setenv(marker, "started", 1)
        setenv(tunables, setting, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv(marker)
        unsetenv(tunables)
    }

    /// Whether the kernel gives huge pages only where asked (`[madvise]`).
    static func kernelAdvisesOnly() -> Bool {
        let path = "/sys/kernel/mm/transparent_hugepage/enabled"
        guard let mode = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return mode.contains("[madvise]")
    }
}
