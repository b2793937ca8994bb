import Foundation
import RackFocusMedia

/// A farm job on Slurm: an array job (one task per chunk) and an assemble job that runs only
/// when every task succeeded (`afterok`, `--kill-on-invalid-dep=yes`: a failed chunk cancels it).
package struct SlurmSubmission {
    package var job: FarmJob
    package var partition: String?
    /// At most this many chunks at once (`--array=0-N%K`).
    package var maxParallel: Int?

    package init(job: FarmJob, partition: String? = nil, maxParallel: Int? = nil) {
        self.job = job
        self.partition = partition
        self.maxParallel = maxParallel
    }

    /// The array script: task id → chunk → frame range → `rackfocus render`.
    package var arrayScript: String {
        let chunks = job.chunks
        var lines = [
            "#!/bin/bash",
            "#SBATCH --job-name=\(shellWord("rackfocus-\(job.name)"))",
            "#SBATCH --array=0-\(chunks.count - 1)\(maxParallel.map { "%\($0)" } ?? "")",
            "#SBATCH --output=\(shellWord((job.logFolder as NSString).appendingPathComponent("chunk_%a.log")))",
            "#SBATCH --chdir=\(shellWord(job.work))",
        ]
        if let partition { lines.append("#SBATCH --partition=\(shellWord(partition))") }
        lines += [
            "# rackfocus farm: one task per chunk of \(job.chunkSize) frames of \(job.frameCount).",
            "set -euo pipefail",
            "first=$(( SLURM_ARRAY_TASK_ID * \(job.chunkSize) ))",
            "last=$(( first + \(job.chunkSize - 1) ))",
            "if [ \"$last\" -gt \(job.frameCount - 1) ]; then last=\(job.frameCount - 1); fi",
            "exec "
                + job.renderCommand(frames: "@FRAMES@").map(shellWord).joined(separator: " ")
                .replacingOccurrences(of: "@FRAMES@", with: "\"$first-$last\""),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The assemble script, submitted depending on the array job.
    package var assembleScript: String {
        var lines = [
            "#!/bin/bash",
            "#SBATCH --job-name=\(shellWord("rackfocus-\(job.name)-assemble"))",
            "#SBATCH --output=\(shellWord((job.logFolder as NSString).appendingPathComponent("assemble.log")))",
            "#SBATCH --chdir=\(shellWord(job.work))",
        ]
        if let partition { lines.append("#SBATCH --partition=\(shellWord(partition))") }
        lines += [
            "# rackfocus farm: checks every frame is there, then writes the output.",
            "set -euo pipefail",
            "exec " + job.assembleCommand.map(shellWord).joined(separator: " "),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes both scripts into the work folder and submits them; returns the job ids.
    package func submit() throws -> (array: String, assemble: String) {
        try job.save()
        let arrayPath = (job.work as NSString).appendingPathComponent("render.sbatch")
        let assemblePath = (job.work as NSString).appendingPathComponent("assemble.sbatch")
        try AtomicFile.write(arrayScript, to: arrayPath)
        try AtomicFile.write(assembleScript, to: assemblePath)
        let array = try Self.sbatch([arrayPath])
        let assemble = try Self.sbatch(["--dependency=afterok:\(array)", "--kill-on-invalid-dep=yes", assemblePath])
        return (array, assemble)
    }

    /// Runs `sbatch --parsable ARGS`; returns the job id.
    static func sbatch(_ args: [String]) throws -> String {
        let (status, out, err) = try Self.run("sbatch", ["--parsable"] + args)
        guard status == 0, let id = out.split(separator: ";").first.map(String.init), !id.isEmpty else {
            throw ShotError(
                .options,
                "sbatch failed (\(err.trimmingCharacters(in: .whitespacesAndNewlines))); check that Slurm is reachable (sinfo) and SLURM_CONF"
            )
        }
        return id.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a Slurm client command; its status, standard output and error.
    static func run(_ tool: String, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw ShotError(
                .options, "cannot run \(tool) (\(error)); install Slurm's clients (apt-get install slurm-client)")
        }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// The state of each task of the array job and of the assemble job (`scontrol show job`).
    static func states(of id: String) throws -> [(task: Int?, state: String, exit: String)] {
        let (status, out, _) = try run("scontrol", ["show", "job", id, "--oneliner"])
        guard status == 0 else { return [] }
        return out.split(separator: "\n").map { line in
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                let parts = word.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return (
                fields["ArrayTaskId"].flatMap { Int($0) }, fields["JobState"] ?? "UNKNOWN", fields["ExitCode"] ?? ""
            )
        }
    }

    static let failedStates: Set<String> = [
        "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED",
    ]

    /// Waits for both jobs, reporting frames written; throws naming the first failed chunk (its
    /// frames and log), or the assemble step's failure.
    package func wait(array: String, assemble: String, feedback: Feedback, poll: Double = 1) throws {
        let chunks = job.chunks
        while true {
            let tasks = try Self.states(of: array)
            let written = FFmpeg.sequenceFiles(job.sequence).count
            feedback.progress("farm", min(written, job.frameCount), job.frameCount)
            if let bad = tasks.first(where: { Self.failedStates.contains($0.state) && $0.task != nil }),
                let k = bad.task, k < chunks.count
            {
                feedback.progress("farm", -1, nil)
                let log = job.log(chunk: k)
                let last =
                    (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").last.map(String.init)
                    ?? "(no log)"
                throw ShotError(
                    .options, file: log,
                    "chunk \(k) (frames \(chunks[k].lowerBound)-\(chunks[k].upperBound)) \(bad.state.lowercased()) with exit code \(bad.exit): \(last)"
                )
            }
            let done = !tasks.isEmpty && tasks.allSatisfy { $0.state == "COMPLETED" }
            if done || tasks.isEmpty {
                let assembled = try Self.states(of: assemble).first
                switch assembled?.state {
                case "COMPLETED":
                    feedback.progress("farm", -1, nil)
                    return
                case let s? where Self.failedStates.contains(s):
                    feedback.progress("farm", -1, nil)
                    let log = (job.logFolder as NSString).appendingPathComponent("assemble.log")
                    let last =
                        (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").last.map(
                            String.init)
                        ?? "(no log)"
                    throw ShotError(.options, file: log, "the assemble step \(s.lowercased()): \(last)")
                case nil where tasks.isEmpty:
                    throw ShotError(
                        .options,
                        "Slurm no longer knows jobs \(array) and \(assemble); check \(job.logFolder), then run rackfocus farm assemble \(job.work)"
                    )
                default: break
                }
            }
            Thread.sleep(forTimeInterval: poll)
        }
    }
}

/// A word for /bin/sh: as it is when it is plain, else in single quotes.
package func shellWord(_ s: String) -> String {
    let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,%+@")
    if !s.isEmpty && s.unicodeScalars.allSatisfy({ plain.contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
