import Foundation
import Testing

@testable import RackFocusShot

/// The farm's job files are what engines run: each is compared with a reviewed copy in
/// Tests/Fixtures/farm (RACKFOCUS_UPDATE_GOLDEN=1 rewrites them; review the diff).
@Suite("Render farm jobs")
struct FarmTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/farm")

    /// A 96-frame shot in chunks of 24, its output a clip, paths with a space and a quote.
    static let job = FarmJob(
        name: "racked", executable: "/opt/rackfocus/bin/rackfocus",
        renderArguments: [
            "/shows/a b/shot.yaml", "--input", "/shows/a b/plate.mov", "--depth", "/shows/a b/depth_%04d.exr",
            "--near", "1m", "--far", "12m", "--depth-kind", "inverse", "--quality", "final",
        ],
        output: "/shows/a b/Anna's rack.mov", work: "/shows/a b/.rackfocus-farm/racked",
        sequence: "/shows/a b/.rackfocus-farm/racked/frames/frame_%06d.exr", frameCount: 96, chunkSize: 24,
        input: "/shows/a b/plate.mov", rate: [24000, 1001], codec: "prores")

    func golden(_ name: String, _ text: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["RACKFOCUS_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from its reviewed copy")
    }

    @Test func chunksCoverEveryFrameOnce() {
        #expect(Self.job.chunks == [0...23, 24...47, 48...71, 72...95])
        var odd = Self.job
        odd.frameCount = 100
        #expect(odd.chunks.last == 96...99 && odd.chunks.count == 5)
        odd.chunkSize = 1000
        #expect(odd.chunks == [0...99])
        #expect(Self.job.frameRate.numerator == 24000 && Self.job.frameRate.denominator == 1001)
    }

    @Test func theRenderLineLosesItsOutputAndGetsAbsolutePaths() {
        #expect(
            FarmJob.withoutOutput(["s.yaml", "-o", "x.mov", "--input", "a", "--output=y.mov", "--output", "z"])
                == ["s.yaml", "--input", "a"])
        let cwd = FileManager.default.currentDirectoryPath
        let args = FarmJob.absolutePaths(
            ["s.yaml", "--input", "in.mov", "--depth=d.exr", "--near", "1m", "--quality", "final"], plan: "s.yaml")
        #expect(
            args == [
                "\(cwd)/s.yaml", "--input", "\(cwd)/in.mov", "--depth=\(cwd)/d.exr", "--near", "1m", "--quality",
                "final",
            ])
        // The plan after options, flags among them.
        #expect(
            FarmJob.absolutePaths(["--input", "/in.mov", "--depth-still", "s.yaml"], plan: "s.yaml")
                == ["--input", "/in.mov", "--depth-still", "\(cwd)/s.yaml"])
    }

    @Test func shellWordsSurviveSpacesAndQuotes() {
        #expect(shellWord("/plain/path_%04d.exr") == "/plain/path_%04d.exr")
        #expect(shellWord("a b") == "'a b'")
        #expect(shellWord("Anna's") == "'Anna'\\''s'")
        #expect(shellWord("") == "''")
    }

    @Test func slurmScriptsMatchTheirReviewedCopies() throws {
        let slurm = SlurmSubmission(job: Self.job, partition: "render", maxParallel: 2)
        try golden("render.sbatch", slurm.arrayScript)
        try golden("assemble.sbatch", slurm.assembleScript)
    }

    @Test func exportedJobFilesMatchTheirReviewedCopies() throws {
        try golden("job.template.yaml", try FarmExport.openJD(Self.job))
        for (name, text) in FarmExport.deadline(Self.job) { try golden(name, text) }
        try golden("job.opencue.xml", FarmExport.openCue(Self.job, user: "pat"))
        var braces = Self.job
        braces.output = "/shows/{{x}}.mov"
        #expect(throws: ShotError.self) { _ = try FarmExport.openJD(braces) }
    }

    @Test func assembleNamesTheMissingFramesAndTheirChunks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-farm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var job = Self.job
        job.work = dir.path
        job.sequence = dir.appendingPathComponent("frames/f_%04d.exr").path
        job.frameCount = 10
        job.chunkSize = 4
        try job.save()
        for n in [0, 1, 2, 3, 4, 7, 8, 9] {
            FileManager.default.createFile(atPath: String(format: job.sequence, n), contents: Data())
        }
        #expect(try FarmJob.load(work: dir.path) == job)
        #expect(FarmAssemble(job: job).missing() == [5...6])
        #expect {
            try FarmAssemble(job: job).run()
        } throws: { error in
            "\(error)".contains("frames 5-6 are missing (chunk 1)")
        }
        #expect(throws: ShotError.self) { _ = try FarmJob.load(work: dir.appendingPathComponent("none").path) }
    }
}
