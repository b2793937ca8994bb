import Foundation
import Testing

@testable import RackFocusCLI

/// The restart onto huge pages and malloc's settings (`HugePages`) must happen, and be invisible to
/// the tools rackfocus runs: they see the caller's environment, with a caller's own
/// `GLIBC_TUNABLES` left as it was.
@Suite("Huge pages", .serialized)
struct HugePagesTests {
    /// Runs the built tool on a clip with an `ffprobe` first on PATH that records its environment
    /// and fails; returns the variables it saw that the restart could have touched, or with
    /// `ofParent`, those the tool itself was started with last (its `/proc/PID/environ`).
    func environmentSeenByFFprobe(extra: [String: String], ofParent: Bool = false) throws -> [String] {
        let tool = builtTool
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "build the rackfocus product first")
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let seen = dir.appendingPathComponent("env.txt").path
        let probe = dir.appendingPathComponent("ffprobe")
        let record = ofParent ? "tr '\\0' '\\n' < /proc/$PPID/environ" : "env"
        try "#!/bin/sh\n\(record) > '\(seen)'\nexit 1\n".write(to: probe, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: probe.path)
        let clip = dir.appendingPathComponent("clip.mp4")
        try Data([0]).write(to: clip)

        let p = Process()
        p.executableURL = tool
        p.arguments = ["analyze", clip.path]
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = dir.path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env[HugePages.tunables] = nil
        env[HugePages.marker] = nil
        for (k, v) in extra { env[k] = v }
        p.environment = env
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus != 0, "the fake ffprobe fails, so the command must")
        let text = try String(contentsOfFile: seen, encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix(HugePages.tunables + "=") || $0.hasPrefix(HugePages.marker + "=")
        }
    }

    @Test func childrenSeeTheCallersEnvironment() throws {
        #expect(try environmentSeenByFFprobe(extra: [:]) == [])
    }

    /// The tool started itself again, whatever the kernel's huge-page mode (malloc's settings
    /// apply under every mode), with huge pages asked for only where the kernel advises.
    @Test func theToolRestartsWithMallocsSettings() throws {
        let seen = try environmentSeenByFFprobe(extra: [:], ofParent: true)
        #expect(seen.contains(HugePages.marker + "=started"), "started with \(seen)")
        for advises in [true, false] {
            let setting = HugePages.setting(kernelAdvisesOnly: advises)
            for kept in ["mmap_threshold=33554432", "trim_threshold=4294967296", "arena_max=1"] {
                #expect(setting.contains("glibc.malloc." + kept))
            }
            #expect(setting.contains("glibc.malloc.hugetlb=1") == advises)
        }
    }

    @Test func aCallersOwnTunablesPassThrough() throws {
        let own = "glibc.malloc.check=0"
        #expect(try environmentSeenByFFprobe(extra: [HugePages.tunables: own]) == ["\(HugePages.tunables)=\(own)"])
    }

    @Test func optingOutIsLeftAlone() throws {
        #expect(try environmentSeenByFFprobe(extra: [HugePages.marker: "0"]) == ["\(HugePages.marker)=0"])
    }
}
