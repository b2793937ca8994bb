import Foundation

/// Large buffers on transparent huge pages, kept by malloc from frame to frame.
///
/// A 1080p frame touches about 400 MB of fresh memory (frame planes, splat lists, difference
/// rows); in 4 KB pages that is about 100,000 page faults, a quarter of a one-frame `still`'s time
/// (kernel time: faults, memory-cgroup charges, TLB shootdowns when buffers are unmapped). Where
/// the kernel gives huge pages only to memory that asks for them (`transparent_hugepage/enabled`
/// is `[madvise]`, Debian's default), glibc asks for every block it maps when started with
/// `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (glibc 2.35+).
///
/// Even on huge pages, a clip's frames each took their planes fresh from the kernel: glibc maps a
/// block of more than its (moving) threshold on its own and unmaps it when freed, returns the top
/// of its heap once more than 128 KB of it is free, and gives each worker thread an arena of its
/// own whose freed pages go back the same way; every fresh page is cleared by the kernel again.
/// So the same restart also sets `mmap_threshold` to its largest (32 MB: a 4K plane and larger
/// are still mapped apart), `trim_threshold` to 4 GB (the heap keeps what a frame freed for the
/// next) and `arena_max` to 1 (one heap for every thread). The 1080p `bench` (one thread and two,
/// six frames each) took 16,208 page faults with huge pages alone and 2,391 with these as well
/// (`perf stat -e page-faults`, each build restarting itself). Setting `GLIBC_TUNABLES` by hand in
/// front of another glibc program (`perf`, a shell) does not measure this: the variable it passes
/// on can be shorter than the one it read (see `setting`).
///
/// Tunables are read only when a program starts, so the program starts itself again once, in
/// place (same process id, same arguments), with the tunables set, and then removes them from its
/// environment again so the tools it runs (ffmpeg, ffprobe) see the caller's environment unchanged.
///
/// Nothing happens when the caller set `GLIBC_TUNABLES` themselves, or with
/// `RACKFOCUS_HUGEPAGES=0`; huge pages are asked for only where the kernel gives them on request.
public enum HugePages {
    static let tunables = "GLIBC_TUNABLES", marker = "RACKFOCUS_HUGEPAGES"
    /// What malloc keeps (see above); huge pages are added where the kernel advises only.
    static let keep =
        "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296:glibc.malloc.arena_max=1"
    static let hugePages = "glibc.malloc.hugetlb=1"

    /// Call first thing in `main`: either returns at once, or replaces the process (returning only
    /// if that fails, with the environment as it was).
    public static func startWithHugePages() {
        if let mark = getenv(marker) {
            if String(cString: mark) == "started" {
                // Second start: the tunables have been read; give the children the caller's
                // environment.
                unsetenv(marker)
                unsetenv(tunables)
            }
            return
        }
        guard getenv(tunables) == nil else { return }
        setenv(marker, "started", 1)
        setenv(tunables, setting(kernelAdvisesOnly: kernelAdvisesOnly()), 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv(marker)
        unsetenv(tunables)
    }

    /// The tunables the program restarts with. (Debian's glibc 2.36 rewrites the variable in place
    /// as it reads it: with these, `/proc/PID/environ` and a child see `glibc.malloc.hugetlb=1`
    /// alone, though all of them apply, as `ld.so --list-tunables` shows for the same string.)
    static func setting(kernelAdvisesOnly: Bool) -> String {
        kernelAdvisesOnly ? hugePages + ":" + keep : keep
    }

    /// Whether the kernel gives huge pages only where asked (`[madvise]`).
    static func kernelAdvisesOnly() -> Bool {
        let path = "/sys/kernel/mm/transparent_hugepage/enabled"
        guard let mode = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return mode.contains("[madvise]")
    }
}
