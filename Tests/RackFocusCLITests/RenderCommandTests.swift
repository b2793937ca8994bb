import Foundation
import RackFocusImage
import Testing

@testable import RackFocusCLI
@testable import RackFocusMedia
@testable import RackFocusOptics
@testable import RackFocusPlan
@testable import RackFocusRender
@testable import RackFocusShot

/// A 12-frame, 64×36 clip of the demo scene (FFV1, lossless) with a PFM depth sequence.
func tinyShot(_ dir: URL, depthFrames: Int = 12) throws -> (clip: String, depth: String, plan: String) {
    let scene = DemoScene.make(width: 64, height: 36)
    let clip = dir.appendingPathComponent("plate.mkv").path
    let writer = try FrameWriter(path: clip, width: 64, height: 36, frameRate: FrameRate(numerator: 24))
    for _ in 0..<12 { try writer.write(scene.image) }
    try writer.finish()
    for i in 0..<depthFrames {
        try PFM.encode(scene.depth).write(to: dir.appendingPathComponent(String(format: "depth_%04d.pfm", i)))
    }
    let plan = dir.appendingPathComponent("shot.yaml").path
    try Data(
        """
        fps: 24
        camera: { sensor: fullframe, focalLength: 85mm, stop: 1.8, resolution: 64x36 }
        subjects: { ball: 1.5m, figure: 6m }
        focus:
          - { at: 0s, on: ball }
          - { rack: figure, start: 2f, land: 8f, curve: landing }
        """.utf8
    ).write(to: URL(fileURLWithPath: plan))
    return (clip, dir.appendingPathComponent("depth_%04d.pfm").path, plan)
}

/// Cuts a file to two thirds of its length, as a copy interrupted mid-file would leave it.
func truncateToTwoThirds(_ path: String) throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: path))
}

@Suite("rackfocus render", .serialized)
struct RenderCommandTests {
    @Test func everyFrameGetsThePlansFocusAndChunksConcatenateExactly() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        let full = dir.appendingPathComponent("full_%04d.pfm").path
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", full])
        #expect(FFmpeg.sequenceFiles(full).count == 12)

        // Frame 5 (mid-rack) equals a still render at the plan's focus for frame 5, with the highlight
        // recovery display-referred input gets by default.
        let plan = try ShotPlan.load(contentsOf: shot.plan)
        let reader = try FrameReader(path: shot.clip, startFrame: 5)
        var input: PlanarImage?
        _ = try reader.next(into: &input)
        let depth = try StillImage.readDepth(String(format: shot.depth, 5))
        let expected = try LensBlur.render(
            image: input!, depth: depth,
            settings: LensBlurSettings(
                camera: plan.camera, focus: plan.curve.focus(frame: 5, fps: plan.fps),
                highlights: Highlights.displayReferredDefault))
        #expect(try StillImage.readColor(String(format: full, 5)) == expected)
        // The landed frames are focused on the figure.
        #expect(plan.curve.focus(frame: 8, fps: plan.fps) == .meters(6))

        // Two chunks rendered separately give exactly the frames of the single render.
        let chunked = dir.appendingPathComponent("chunk_%04d.pfm").path
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", chunked, "--frames", "0-4"])
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", chunked, "--frames", "5-11"])
        for i in 0..<12 {
            let a = try Data(contentsOf: URL(fileURLWithPath: String(format: full, i)))
            let b = try Data(contentsOf: URL(fileURLWithPath: String(format: chunked, i)))
            #expect(a == b, "frame \(i)")
        }
    }

    @Test func aClipComesOutWithTheRightFrameCountAndRate() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        let out = dir.appendingPathComponent("out.mp4").path
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", out])
        let data = try FFmpeg.run(
            [
                "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_frames,r_frame_rate", "-of", "csv=p=0", out,
            ], tool: "ffprobe", context: out)
        #expect(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "24/1,12")
    }

    @Test func mismatchedDepthCountIsAnErrorUnlessTheDepthIsStill() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir, depthFrames: 11)
        let out = dir.appendingPathComponent("out.mkv").path
        do {
            try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", out])
            Issue.record("accepted 11 depth maps for 12 frames")
        } catch let e as any CustomStringConvertible {
            #expect(e.description.hasPrefix("\(shot.depth): 11 depth maps for the 12 frames of \(shot.clip)"))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        try run([
            "render", shot.plan, "--input", shot.clip, "--depth", String(format: shot.depth, 0), "--depth-still", "-o",
            out,
        ])
        #expect(FileManager.default.fileExists(atPath: out))
    }

    @Test func racksPastTheClipAreAnError() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        let text = try String(contentsOfFile: shot.plan, encoding: .utf8).replacingOccurrences(
            of: "land: 8f", with: "land: 20f")
        try Data(text.utf8).write(to: URL(fileURLWithPath: shot.plan))
        do {
            try run([
                "render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o",
                dir.appendingPathComponent("o.mkv").path,
            ])
            Issue.record("accepted a rack past the end")
        } catch let e as any CustomStringConvertible {
            #expect(e.description.contains("lands at 0.833s but \(shot.clip) is only 0.500s long"))
        }
    }
}

@Suite("Depth conventions and calibration", .serialized)
struct DepthConventionTests {
    /// A 48×24 step scene: left half at 1 m, right half at 5 m; 6 frames; depth written through `encode`.
    func shot(_ dir: URL, encode: (Float) -> Float, subjects: String) throws -> (
        clip: String, depth: String, plan: String, metric: String
    ) {
        var img = PlanarImage(width: 48, height: 24, channels: 3)
        var metres = PlanarImage(width: 48, height: 24, channels: 1)
        for y in 0..<24 {
            for x in 0..<48 {
                let d: Float = x < 24 ? 1 : 5
                metres[0, x, y] = d
                img[0, x, y] = (x / 3 + y / 3) % 2 == 0 ? 0.8 : 0.2; img[1, x, y] = 0.5; img[2, x, y] = d / 5
            }
        }
        let clip = dir.appendingPathComponent("plate.mkv").path
        let w = try FrameWriter(path: clip, width: 48, height: 24, frameRate: FrameRate(numerator: 24))
        for _ in 0..<6 { try w.write(img) }
        try w.finish()
        var coded = metres
        coded.data = metres.data.map(encode)
        for i in 0..<6 {
            try PFM.encode(coded).write(to: dir.appendingPathComponent(String(format: "coded_%04d.pfm", i)))
            try PFM.encode(metres).write(to: dir.appendingPathComponent(String(format: "metres_%04d.pfm", i)))
        }
        let plan = dir.appendingPathComponent("shot.yaml").path
        try Data(
            """
            fps: 24
            camera: { sensor: fullframe, focalLength: 85mm, stop: 1.4, resolution: 48x24 }
            subjects: { \(subjects) }
            focus: [ { at: 0s, on: near }, { rack: far, start: 1f, land: 4f } ]
            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        return (
            clip, dir.appendingPathComponent("coded_%04d.pfm").path, plan,
            dir.appendingPathComponent("metres_%04d.pfm").path
        )
    }

    func same(_ a: String, _ b: String) throws {
        for i in 0..<6 {
            let x = try StillImage.readColor(String(format: a, i)), y = try StillImage.readColor(String(format: b, i))
            #expect(ImageQuality.psnr(x, y) > 60, "frame \(i)")
        }
    }

    @Test func inverseDepthIsCalibratedFromThePlansSubjects() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Disparity-like: bigger is nearer, arbitrary scale and shift.
        let s = try shot(
            dir, encode: { 2 / $0 + 0.3 },
            subjects: "near: { distance: 1m, point: [0.25, 0.5] }, far: { distance: 5m, point: [0.75, 0.5] }")
        let a = dir.appendingPathComponent("a_%04d.pfm").path, b = dir.appendingPathComponent("b_%04d.pfm").path
        try run(["render", s.plan, "--input", s.clip, "--depth", s.depth, "--depth-kind", "inverse", "-o", a])
        try run(["render", s.plan, "--input", s.clip, "--depth", s.metric, "-o", b])
        try same(a, b)
    }

    @Test func normalizedDepthUsesNearAndFar() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 1 = near (white), 0 = far, between 0.5 m and 10 m.
        let s = try shot(dir, encode: { 1 - ($0 - 0.5) / 9.5 }, subjects: "near: 1m, far: 5m")
        let a = dir.appendingPathComponent("a_%04d.pfm").path, b = dir.appendingPathComponent("b_%04d.pfm").path
        try run([
            "render", s.plan, "--input", s.clip, "--depth", s.depth, "--depth-kind", "normalized",
            "--near", "0.5m", "--far", "10m", "--near-is-white", "-o", a,
        ])
        try run(["render", s.plan, "--input", s.clip, "--depth", s.metric, "-o", b])
        try same(a, b)
    }

    @Test func uncalibratedInverseDepthNeedsNearAndFar() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try shot(dir, encode: { 2 / $0 }, subjects: "near: 1m, far: 5m")
        do {
            try run([
                "render", s.plan, "--input", s.clip, "--depth", s.depth, "--depth-kind", "inverse", "-o",
                dir.appendingPathComponent("o.mkv").path,
            ])
            Issue.record("accepted an uncalibrated inverse map")
        } catch let e as any CustomStringConvertible {
            #expect(
                e.description.hasPrefix("--depth-kind inverse needs plan subjects with a point and a measured distance")
            )
        }
    }

    @Test func fitsAreExactOnExactData() {
        let fit = DepthMapping.calibrated(kind: .inverse, values: [2.3, 0.7], distances: [1, 5])!
        #expect(abs(fit.metres(2.3) - 1) < 1e-6 && abs(fit.metres(0.7) - 5) < 1e-5)
        let metric = DepthMapping.calibrated(kind: .metric, values: [1000, 5000], distances: [1, 5])!
        #expect(abs(metric.metres(2500) - 2.5) < 1e-6)
        let flipped = DepthMapping.normalized(near: 0.5, far: 10, nearIsWhite: true)
        #expect(flipped.metres(1) == 0.5 && flipped.metres(0) == 10)
    }
}

@Suite("rackfocus render --resume", .serialized)
struct ResumeTests {
    @Test func anInterruptedSequenceIsCompletedExactly() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        let full = dir.appendingPathComponent("full_%04d.pfm").path,
            part = dir.appendingPathComponent("part_%04d.pfm").path
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", full])
        // An interrupted render: frames 0-6 done.
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", part, "--frames", "0-6"])
        let before =
            try FileManager.default.attributesOfItem(atPath: String(format: part, 3))[.modificationDate] as? Date
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", part, "--resume"])
        for i in 0..<12 {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: String(format: full, i)))
                    == Data(contentsOf: URL(fileURLWithPath: String(format: part, i))))
        }
        // Finished frames were not rendered again.
        #expect(
            try FileManager.default.attributesOfItem(atPath: String(format: part, 3))[.modificationDate] as? Date
                == before)
        let notSequence = #expect(throws: ShotError.self) {
            try run([
                "render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o",
                dir.appendingPathComponent("x.mp4").path, "--resume",
            ])
        }
        #expect(notSequence?.code == .options)
    }
}

@Suite("Depth stabilisation", .serialized)
struct StabilizationTests {
    @Test func flickeringDepthOfAStaticSceneRendersSteadily() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = 48, h = 24, frames = 8
        var img = PlanarImage(width: w, height: h, channels: 3)
        for y in 0..<h {
            for x in 0..<w {
                img[0, x, y] = (x / 3 + y / 3) % 2 == 0 ? 0.9 : 0.1; img[1, x, y] = 0.5;
                img[2, x, y] = Float(x) / Float(w)
            }
        }
        let clip = dir.appendingPathComponent("plate.mkv").path
        let writer = try FrameWriter(path: clip, width: w, height: h, frameRate: FrameRate(numerator: 24))
        for _ in 0..<frames { try writer.write(img) }
        try writer.finish()
        // True depth: 1 m left, 4 m right. Each frame: a scale jitter of up to ±6% and ±3% noise in inverse depth.
        let jitter: [Float] = [1, 1.06, 0.95, 1.04, 0.96, 1.05, 0.94, 1.02]
        var state: UInt64 = 12345
        func noise() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 0.06 - 0.03
        }
        for t in 0..<frames {
            var d = PlanarImage(width: w, height: h, channels: 1)
            for y in 0..<h {
                for x in 0..<w {
                    let truth: Float = x < w / 2 ? 1 : 4
                    d[0, x, y] = 1 / ((1 / truth) * jitter[t] * (1 + noise()))
                }
            }
            try PFM.encode(d).write(to: dir.appendingPathComponent(String(format: "depth_%04d.pfm", t)))
        }
        let plan = dir.appendingPathComponent("shot.yaml").path
        try Data(
            "fps: 24\ncamera: { sensor: fullframe, focalLength: 85mm, stop: 1.4, resolution: 48x24 }\nsubjects: { near: 1m }\nfocus: [ { at: 0s, on: near } ]\n"
                .utf8
        )
        .write(to: URL(fileURLWithPath: plan))
        let depth = dir.appendingPathComponent("depth_%04d.pfm").path
        let raw = dir.appendingPathComponent("raw_%04d.pfm").path,
            steady = dir.appendingPathComponent("steady_%04d.pfm").path
        try run(["render", plan, "--input", clip, "--depth", depth, "-o", raw])
        try run(["render", plan, "--input", clip, "--depth", depth, "--stabilize-depth", "-o", steady])
        func meanChange(_ pattern: String) throws -> Double {
            var total = 0.0
            for t in 2..<frames {
                let a = ImageQuality.display(try StillImage.readColor(String(format: pattern, t - 1)).data)
                let b = ImageQuality.display(try StillImage.readColor(String(format: pattern, t)).data)
                total += zip(a, b).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(a.count)
            }
            return total / Double(frames - 2)
        }
        let shimmer = try meanChange(raw), steadied = try meanChange(steady)
        print(String(format: "mean frame-to-frame change: %.5f without stabilisation, %.5f with", shimmer, steadied))
        #expect(steadied < 0.4 * shimmer)
        #expect(steadied < 0.002)
    }
}

@Suite("render: damaged inputs", .serialized)
struct DamagedInputTests {
    @Test func aTruncatedClipIsAnErrorAndWritesNothing() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        try truncateToTwoThirds(shot.clip)
        let out = dir.appendingPathComponent("out.mkv").path
        do {
            try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", out])
            Issue.record("a truncated clip rendered without complaint")
        } catch let e as any CustomStringConvertible {
            #expect(e.description.hasPrefix(shot.clip), "\(e.description)")
            #expect(
                e.description.contains("truncated") || e.description.contains("cut short")
                    || e.description.contains("failed"))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)
    }

    @Test func aFileFFmpegCannotReadIsNamed() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        let junk = dir.appendingPathComponent("junk.mp4").path
        try Data((0..<4096).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: junk))
        do {
            try run([
                "render", shot.plan, "--input", junk, "--depth", shot.depth, "-o",
                dir.appendingPathComponent("o.mkv").path,
            ])
            Issue.record("read junk as video")
        } catch let e as any CustomStringConvertible {
            #expect(e.description.hasPrefix("\(junk): "))
            #expect(!e.description.contains("\n"))
        }
    }
}

/// Runs `mount` or `umount`; false when this machine does not allow it (not root, no tmpfs).
@discardableResult
func mountTool(_ args: [String]) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/" + args[0])
    p.arguments = Array(args.dropFirst())
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}

/// Whether a small tmpfs can be mounted here (root on Linux), to fill a disk on purpose.
let canMountTmpfs: Bool = {
    guard let dir = try? scratchFolder() else { return false }
    defer { try? FileManager.default.removeItem(at: dir) }
    guard mountTool(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]) else { return false }
    return mountTool(["umount", dir.path])
}()

/// The `rackfocus` executable SwiftPM built beside the test bundle.
var builtTool: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rackfocus")
}

@Suite("render: hostile conditions", .serialized)
struct HostileConditionTests {
    @Test func badDepthMidClipNamesTheFrameAndWritesNothing() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        var bad = try StillImage.readDepth(String(format: shot.depth, 5))
        bad.data[3 * bad.width + 7] = -2
        try PFM.encode(bad).write(to: URL(fileURLWithPath: String(format: shot.depth, 5)))
        let out = dir.appendingPathComponent("out.mp4").path
        do {
            try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", out])
            Issue.record("negative depth was rendered")
        } catch let e as any CustomStringConvertible {
            #expect(e.description.hasPrefix("\(shot.depth): frame 5: depth at pixel (7, 3) is"), "\(e.description)")
            #expect(e.description.contains("positive distance"))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)
    }

    @Test(
        .enabled(if: canMountTmpfs, "needs root to mount a small tmpfs"),
        arguments: [("out.mkv", 8), ("out_%04d.pfm", 64)])
    func aFullDiskIsAnErrorAndLeavesNoPartialFile(name: String, diskKB: Int) throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        // 12 frames need 330 KB as PFM (2 fit on the disk) and over 20 KB as FFV1 (the disk holds 8 KB).
        let disk = dir.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        try #require(mountTool(["mount", "-t", "tmpfs", "-o", "size=\(diskKB)k", "tmpfs", disk.path]))
        defer { mountTool(["umount", disk.path]) }
        let out = disk.appendingPathComponent(name).path
        do {
            try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "-o", out])
            Issue.record("rendered 12 frames onto a \(diskKB) KB disk")
        } catch let e as any CustomStringConvertible {
            // A clip names itself; a sequence names the frame file it could not write.
            #expect(
                e.description.hasPrefix(FFmpeg.isSequence(out) ? disk.appendingPathComponent("out_0").path : out),
                "\(e.description)")
            #expect(
                e.description.lowercased().contains("space") || e.description.contains("cannot write"),
                "\(e.description)")
            #expect(!e.description.contains("\n"))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: disk.path)
        #expect(left.filter { $0.contains("partial") }.isEmpty, "\(left)")
        if FFmpeg.isSequence(out) {
            // Frames that fitted are complete; none after the first failure.
            let written = FFmpeg.sequenceFiles(out)
            #expect(written.count == 2)
            for file in written { #expect(try StillImage.readColor(file).width == 64) }
        } else {
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    /// Ctrl-C, a scheduler's SIGTERM or a closed terminal's SIGHUP: the render stops, says so, and
    /// leaves no partial file, clip or sequence (SIGTERM used to leave hidden `.partial` files).
    @Test(arguments: [
        (SIGINT, "interrupted", "out.mp4"), (SIGTERM, "terminated", "out.mp4"), (SIGTERM, "terminated", "out_%04d.png"),
        (SIGHUP, "hung up", "out.mkv"),
    ])
    func aSignalStopsTheRenderAndRemovesThePartialOutput(sig: Int32, word: String, name: String) throws {
        let tool = builtTool
        try #require(FileManager.default.isExecutableFile(atPath: tool.path), "build the rackfocus product first")
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        let out = dir.appendingPathComponent(name).path
        // The oracle with a still depth and a long clip keeps the render busy for seconds.
        let scene = DemoScene.make(width: 320, height: 180)
        let clip = dir.appendingPathComponent("long.mkv").path
        let writer = try FrameWriter(path: clip, width: 320, height: 180, frameRate: FrameRate(numerator: 24))
        for _ in 0..<48 { try writer.write(scene.image) }
        try writer.finish()
        let depth = dir.appendingPathComponent("depth.pfm").path
        try PFM.encode(scene.depth).write(to: URL(fileURLWithPath: depth))

        let p = Process()
        p.executableURL = tool
        p.arguments = [
            "render", shot.plan, "--input", clip, "--depth", depth, "--depth-still", "--quality", "reference", "-o",
            out,
        ]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Interrupt once the encoder has begun writing the partial file.
        let deadline = Date().addingTimeInterval(60)
        // (A sequence: once its first frame is being written or done.)
        while p.isRunning, Date() < deadline,
            try FileManager.default.contentsOfDirectory(atPath: dir.path).first(where: {
                $0.contains("partial") || $0.hasPrefix("out_")
            }) == nil
        {
            usleep(20_000)
        }
        try #require(p.isRunning, "the render ended before it could be interrupted")
        kill(p.processIdentifier, sig)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 128 + sig)
        #expect(message.contains("\(word): \(out) was not written"), "\(message)")
        if FFmpeg.isSequence(out) {
            // Finished frames stay for --resume, each complete.
            for file in FFmpeg.sequenceFiles(out) { #expect(try StillImage.readColor(file).width == 320) }
        } else {
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)
    }

    @Test(arguments: [("out.mp4", "h265", "hevc"), ("out.mov", "prores", "prores")])
    func everyClipCodecWritesEveryFrame(name: String, codec: String, expected: String) throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shot = try tinyShot(dir)
        let out = dir.appendingPathComponent(name).path
        try run(["render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "--codec", codec, "-o", out])
        let data = try FFmpeg.run(
            [
                "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,nb_read_frames,r_frame_rate", "-of", "csv=p=0", out,
            ], tool: "ffprobe", context: out)
        #expect(
            String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(expected),24/1,12")
        // Decoded back, the landed frame is close to the lossless render.
        let reference = dir.appendingPathComponent("ref_%04d.pfm").path
        try run([
            "render", shot.plan, "--input", shot.clip, "--depth", shot.depth, "--frames", "10-10", "-o", reference,
        ])
        let reader = try FrameReader(path: out, startFrame: 10)
        var frame: PlanarImage?
        _ = try reader.next(into: &frame)
        let truth = try StillImage.readColor(String(format: reference, 10))
        let psnr = ImageQuality.psnr(frame!, truth)
        #expect(psnr > 30, "\(codec): \(psnr) dB")
    }
}

/// Display-referred footage gets its lights back: the public path-traced scene as an ordinary
/// 8-bit H.264 clip (its lights clipped to white), rendered at near focus and scored against the
/// path tracer's thin-lens frame, both at 480×270.
@Suite("Highlights in 8-bit footage", .serialized)
struct EightBitHighlightTests {
    static let samples = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/samples/cycles-a")

    /// A 960×540 image or map halved by averaging 2×2 blocks (depth: their nearest value).
    func halve(_ img: PlanarImage, nearest: Bool = false) -> PlanarImage {
        let w = img.width / 2, h = img.height / 2
        var out = PlanarImage(width: w, height: h, channels: img.channels)
        for c in 0..<img.channels {
            for y in 0..<h {
                for x in 0..<w {
                    let v = [
                        img[c, 2 * x, 2 * y], img[c, 2 * x + 1, 2 * y], img[c, 2 * x, 2 * y + 1],
                        img[c, 2 * x + 1, 2 * y + 1],
                    ]
                    out[c, x, y] = nearest ? v.min()! : v.reduce(0, +) / 4
                }
            }
        }
        return out
    }

    @Test func anEightBitClipKeepsItsBokeh() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pinhole = try StillImage.readColor(Self.samples.appendingPathComponent("pinhole.exr").path)
        let truth = halve(try StillImage.readColor(Self.samples.appendingPathComponent("gt_1.50.exr").path))
        let depth = halve(
            try StillImage.readDepth(Self.samples.appendingPathComponent("depth.exr").path), nearest: true)
        // The clip: the frame as a camera records it, clipped at white, 8-bit H.264.
        var clipped = halve(pinhole)
        clipped.data = clipped.data.map { min(max($0, 0), 1) }
        let clip = dir.appendingPathComponent("clip.mp4").path
        let writer = try FrameWriter(path: clip, width: 480, height: 270, frameRate: FrameRate(numerator: 24))
        for _ in 0..<3 { try writer.write(clipped) }
        try writer.finish()
        let depthPath = dir.appendingPathComponent("depth.pfm").path,
            truthPath = dir.appendingPathComponent("truth.pfm").path
        try PFM.encode(depth).write(to: URL(fileURLWithPath: depthPath))
        try PFM.encode(truth).write(to: URL(fileURLWithPath: truthPath))
        let plan = dir.appendingPathComponent("shot.yaml").path
        try Data(
            """
            fps: 24
            camera: { sensor: { width: 36mm, height: 20.25mm }, focalLength: 50mm, stop: 1.8, resolution: 480x270 }
            subjects: { near: 1.5m }
            focus: [ { at: 0s, on: near } ]
            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        func score(_ highlights: [String]) throws -> Double {
            let out = dir.appendingPathComponent("out_%04d.pfm").path
            try run(
                ["render", plan, "--input", clip, "--depth", depthPath, "--depth-still", "--frames", "0-0", "-o", out]
                    + highlights)
            return ImageQuality.scores(try StillImage.readColor(String(format: out, 0)), truth: truth, depth: depth)
                .psnr
        }
        let recovered = try score([]), flat = try score(["--highlights", "off"])
        print(
            String(
                format:
                    "8-bit clip at 1.5 m against the path tracer: %.2f dB by default, %.2f dB with --highlights off",
                recovered, flat))
        #expect(recovered >= 30, "the default recovery scores \(recovered) dB")
        #expect(recovered > flat + 5, "recovery is worth more than 5 dB here (\(flat) dB without)")
    }
}
