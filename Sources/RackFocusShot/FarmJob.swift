import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics

/// A `render` split into chunks of frames for a render farm: what every engine's job runs.
///
/// Each chunk runs `rackfocus render … --frames FIRST-LAST --resume -o WORK_SEQUENCE`: frames land
/// under their own numbers, whole (a retried chunk redoes only what is missing), so the chunks
/// together are the sequence a single render writes. When the output is itself an image sequence,
/// the chunks write it directly; otherwise they write float EXR frames into the work folder and
/// the assemble step encodes them into the output. The job is described in `WORK/job.json`, so
/// `rackfocus farm assemble WORK -o OUT` needs nothing else.
package struct FarmJob: Codable, Equatable, Sendable {
    /// Names the job on the farm.
    package var name: String
    /// The rackfocus executable every node runs (the same version everywhere: docs/farm.md).
    package var executable: String
    /// `render`'s arguments without its output, paths absolute.
    package var renderArguments: [String]
    /// The final output (absolute).
    package var output: String
    /// The work folder (absolute): job.json, logs, and the frames when the output is a clip.
    package var work: String
    /// The sequence the chunks write (`output` when it is a sequence).
    package var sequence: String
    package var frameCount: Int
    package var chunkSize: Int
    /// For encoding a clip output: the input (its audio and colour tags), rate and codec.
    package var input: String
    /// The frame rate as numerator and denominator.
    package var rate: [Int]
    package var codec: String?

    package var frameRate: FrameRate {
        rate.count == 2 && rate[0] > 0 && rate[1] > 0
            ? FrameRate(numerator: rate[0], denominator: rate[1]) : FrameRate(numerator: 24)
    }

    /// The chunks' frame ranges, inclusive.
    package var chunks: [ClosedRange<Int>] {
        stride(from: 0, to: frameCount, by: chunkSize).map { $0...min($0 + chunkSize - 1, frameCount - 1) }
    }

    /// The command of the chunk covering `frames` (FIRST-LAST, or an engine's placeholders).
    package func renderCommand(frames: String) -> [String] {
        [executable, "render"] + renderArguments + ["--frames", frames, "--resume", "-o", sequence]
    }

    /// The assemble step's command.
    package var assembleCommand: [String] { [executable, "farm", "assemble", work, "-o", output] }

    package var logFolder: String { (work as NSString).appendingPathComponent("logs") }
    package var manifest: String { (work as NSString).appendingPathComponent("job.json") }

    package func log(chunk k: Int) -> String { (logFolder as NSString).appendingPathComponent("chunk_\(k).log") }

    /// Writes `job.json` and makes the log folder and the work sequence's folder.
    package func save() throws {
        try FileManager.default.createDirectory(atPath: logFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: (sequence as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: manifest)
    }

    /// The job described in `work/job.json`.
    package static func load(work: String) throws -> FarmJob {
        let path = (work as NSString).appendingPathComponent("job.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShotError(
                .options, file: path,
                "no farm job here; give the work folder that `rackfocus farm submit` or `farm export` wrote")
        }
        do { return try JSONDecoder().decode(FarmJob.self, from: data) } catch {
            throw ShotError(.options, file: path, "is not a farm job description (\(error)); export the job again")
        }
    }

    /// The job for a `render` command line (`arguments`: everything after `render`), as parsed
    /// into `plan`, `input` and `output`.
    package static func make(
        renderArguments arguments: [String], plan: String, input: String, output: String, codec: String?,
        chunk: Int, work: String?, executable: String
    ) throws -> FarmJob {
        guard chunk >= 1 else { throw ShotError(.options, "--chunk: \(chunk) must be at least 1 frame") }
        let info = try FFmpeg.probeClip(input)
        guard let frames = info.frameCount, frames > 0 else {
            throw ShotError(
                .options, file: input,
                "does not say how many frames it has, so it cannot be split into chunks; re-wrap it (ffmpeg -i IN -c copy OUT.mov) or render it as an image sequence"
            )
        }
        let out = absolute(output)
        let name = ((out as NSString).lastPathComponent as NSString).deletingPathExtension
            .replacingOccurrences(of: "%", with: "")
        let workFolder = absolute(
            work
                ?? ((out as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
                    ".rackfocus-farm/\(name)"))
        let sequence =
            FFmpeg.isSequence(out) ? out : (workFolder as NSString).appendingPathComponent("frames/frame_%06d.exr")
        return FarmJob(
            name: name, executable: absolute(executable),
            renderArguments: absolutePaths(withoutOutput(arguments), plan: plan),
            output: out, work: workFolder, sequence: sequence, frameCount: frames, chunkSize: chunk,
            input: absolute(input), rate: [info.frameRate?.numerator ?? 24, info.frameRate?.denominator ?? 1],
            codec: codec)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// `render`'s arguments without `-o X`, `--output X` or `--output=X`.
    static func withoutOutput(_ args: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < args.count {
            if args[i] == "-o" || args[i] == "--output" { i += 2; continue }
            if args[i].hasPrefix("--output=") { i += 1; continue }
            out.append(args[i])
            i += 1
        }
        return out
    }

    /// Paths made absolute, so a node whose working folder differs finds them: the plan (as
    /// `render`'s parser found it) and the values of the options that name files.
    static func absolutePaths(_ args: [String], plan: String) -> [String] {
        let pathOptions: Set<String> = ["--input", "--depth", "--depth-model"]
        var out: [String] = []
        var i = 0, planSeen = false
        while i < args.count {
            let a = args[i]
            if pathOptions.contains(a), i + 1 < args.count {
                out += [a, absolute(args[i + 1])]
                i += 2
                continue
            }
            if let eq = a.firstIndex(of: "="), pathOptions.contains(String(a[..<eq])) {
                out.append(String(a[..<eq]) + "=" + absolute(String(a[a.index(after: eq)...])))
                i += 1
                continue
            }
            if !planSeen && a == plan {
                planSeen = true
                out.append(absolute(a))
            } else {
                out.append(a)
            }
            i += 1
        }
        return out
    }
}

/// `rackfocus farm assemble`: checks that every frame of a farm job is there, then encodes the
/// output clip from them (or, for a sequence output, confirms it).
package struct FarmAssemble {
    package var job: FarmJob

    package init(job: FarmJob) { self.job = job }

    /// The frames missing from the work sequence, as ranges.
    package func missing() -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        for n in 0..<job.frameCount where !FileManager.default.fileExists(atPath: String(format: job.sequence, n)) {
            if let last = ranges.last, last.upperBound == n - 1 {
                ranges[ranges.count - 1] = last.lowerBound...n
            } else {
                ranges.append(n...n)
            }
        }
        return ranges
    }

    /// Assembles `output` (nil: the job's).
    package func run(output: String? = nil, feedback: Feedback = .silent) throws {
        let out = output.map(FarmJob.absolute) ?? job.output
        let gaps = missing()
        if !gaps.isEmpty {
            let list = gaps.prefix(5).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            let chunks = Set(gaps.flatMap { [$0.lowerBound / job.chunkSize, $0.upperBound / job.chunkSize] }).sorted()
            throw ShotError(
                .depthCount, file: job.sequence,
                "frames \(list.joined(separator: ", "))\(gaps.count > 5 ? ", …" : "") are missing (chunk \(chunks.map(String.init).joined(separator: ", "))); rerun those chunks (they resume), then assemble again"
            )
        }
        if out == job.sequence { return }
        try OutputPath.requireDistinct(out, from: [job.input, job.sequence])
        let info = try FFmpeg.probeClip(job.input)
        let reader = try FrameReader(path: job.sequence)
        defer { reader.close() }
        let writer = try FrameWriter(
            path: out, width: info.width, height: info.height, frameRate: job.frameRate,
            codec: try job.codec.map { name in
                guard let c = VideoCodec(rawValue: name) else {
                    throw ShotError(.options, file: job.manifest, "unknown codec \"\(name)\"")
                }
                return c
            }, frameCount: job.frameCount,
            audioFrom: FFmpeg.isSequence(job.input) ? nil : job.input, colorTags: info.colorTags)
        var frame: PlanarImage?
        var n = 0
        do {
            while try reader.next(into: &frame), let f = frame {
                try writer.write(f)
                n += 1
                feedback.progress("assemble", n, job.frameCount)
            }
            feedback.progress("assemble", -1, nil)
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
    }
}
