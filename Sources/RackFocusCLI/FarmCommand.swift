import ArgumentParser
import Foundation
import RackFocusMedia
import RackFocusShot

/// `rackfocus farm`: a render split into chunks on a render farm.
struct FarmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "farm",
        abstract: "Render a shot on a render farm: Slurm job arrays, or job files for OpenJD, Deadline and OpenCue.",
        discussion: """
            The render's own options follow the farm's: every chunk runs `rackfocus render … --frames FIRST-LAST \
            --resume`, and an assemble step checks every frame and writes the output (docs/farm.md).
              rackfocus farm submit shot.yaml --input plate.mov --depth depth_%04d.exr -o out.mov --chunk 24 --wait
            """,
        subcommands: [FarmSubmitCommand.self, FarmExportCommand.self, FarmAssembleCommand.self])
}

/// The farm's options shared by `submit` and `export`, and the render command line they split.
struct FarmJobOptions: ParsableArguments {
    @Option(help: "Frames per chunk (each chunk is one task on the farm).") var chunk: Int
    @Option(help: "Work folder: the job description, logs, and frames of a clip output (default: beside the output).")
    var work: String?
    @Option(help: "The rackfocus executable the nodes run (default: this one; the same version everywhere).")
    var rackfocus: String?
    @Argument(
        parsing: .allUnrecognized,
        help: "The render: SHOT --input CLIP (--depth D | --depth-model M) -o OUT and any render option.")
    var renderArguments: [String] = []

    func validate() throws {
        guard chunk >= 1 else { throw ValidationError("--chunk: \(chunk) must be at least 1 frame") }
        if renderArguments.contains(where: { $0 == "--frames" || $0.hasPrefix("--frames=") || $0 == "--resume" }) {
            throw ValidationError("--frames and --resume are the farm's to set, per chunk; leave them out")
        }
    }

    /// The job, with the render command line checked by `render`'s own parser.
    func job() throws -> FarmJob {
        // `render`'s own parser checks the command line (it validates as it parses).
        let render: RenderCommand
        do { render = try RenderCommand.parse(renderArguments) } catch {
            throw CLIError("the render to split: \(RenderCommand.message(for: error))")
        }
        return try FarmJob.make(
            renderArguments: renderArguments, plan: render.planFile, input: render.input, output: render.output,
            codec: render.codec?.rawValue, chunk: chunk, work: work,
            executable: rackfocus ?? Bundle.main.executablePath ?? CommandLine.arguments[0])
    }
}

struct FarmSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit a render to Slurm as a job array plus an assemble job.")

    @Option(help: "The scheduler (slurm).") var engine: String = "slurm"
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "At most this many chunks at once.") var maxParallel: Int?
    @Flag(help: "Wait for the job: progress, and a non-zero exit naming a failed chunk.") var wait = false
    @Flag(help: "Print the scripts; submit nothing.") var dryRun = false
    @OptionGroup var farm: FarmJobOptions

    func validate() throws {
        guard engine == "slurm" else {
            throw ValidationError(
                "--engine: farm submit drives slurm; for openjd, deadline and opencue write job files with farm export")
        }
        if let k = maxParallel, k < 1 { throw ValidationError("--max-parallel: \(k) must be at least 1") }
    }

    func run() throws {
        let slurm = SlurmSubmission(job: try farm.job(), partition: partition, maxParallel: maxParallel)
        if dryRun {
            print("# \(slurm.job.work)/render.sbatch\n\(slurm.arrayScript)")
            print("# \(slurm.job.work)/assemble.sbatch (--dependency=afterok:ARRAY --kill-on-invalid-dep=yes)")
            print(slurm.assembleScript, terminator: "")
            return
        }
        let (array, assemble) = try slurm.submit()
        print(
            "submitted \(slurm.job.chunks.count) chunks as Slurm job \(array) and the assemble step as job \(assemble); logs in \(slurm.job.logFolder)"
        )
        guard wait else { return }
        try slurm.wait(array: array, assemble: assemble, feedback: Progress.terminal)
        print("rendered \(slurm.job.frameCount) frames → \(slurm.job.output)")
    }
}

struct FarmExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write job files for OpenJD (Deadline Cloud), Deadline 10 or OpenCue.")

    @Option(help: "openjd, deadline or opencue.") var engine: String
    @OptionGroup var farm: FarmJobOptions

    func validate() throws {
        guard ["openjd", "deadline", "opencue"].contains(engine) else {
            throw ValidationError(
                "--engine: \"\(engine)\" is not openjd, deadline or opencue (farm submit drives slurm)")
        }
    }

    func run() throws {
        let job = try farm.job()
        try job.save()
        var files: [(String, String)] = []
        switch engine {
        case "openjd": files = [("job.template.yaml", try FarmExport.openJD(job))]
        case "deadline": files = FarmExport.deadline(job)
        default: files = [("job.opencue.xml", FarmExport.openCue(job))]
        }
        for (name, text) in files {
            let path = (job.work as NSString).appendingPathComponent(name)
            try AtomicFile.write(text, to: path)
            print(path)
        }
    }
}

struct FarmAssembleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assemble", abstract: "Check every frame of a farm job and write its output.")

    @Argument(help: "The job's work folder (holds job.json).") var work: String
    @Option(name: .shortAndLong, help: "The output (default: the job's).") var output: String?

    func run() throws {
        let job = try FarmJob.load(work: work)
        try FarmAssemble(job: job).run(output: output, feedback: Progress.terminal)
        FileHandle.standardError.write(Data("assembled \(job.frameCount) frames → \(output ?? job.output)\n".utf8))
    }
}
