import Foundation
import Testing

@testable import RackFocusImage
@testable import RackFocusMedia
@testable import RackFocusOptics

/// Two renders to one image sequence interleaved their frames, both exiting 0: the second writer
/// is now refused while the first holds the output, and the claim ends with the first.
@Suite("One writer per output")
struct OutputLockTests {
    @Test(arguments: ["out_%04d.pfm", "out.mkv"])
    func aSecondWriterToTheSameOutputIsRefused(name: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        let rate = FrameRate(numerator: 24)
        let first = try FrameWriter(path: path, width: 16, height: 8, frameRate: rate)
        #expect {
            _ = try FrameWriter(path: path, width: 16, height: 8, frameRate: rate)
        } throws: { error in
            "\(error)".contains("another command is writing \(path)")
        }
        try first.write(PlanarImage(width: 16, height: 8, channels: 3, fill: 0.5))
        try first.finish()
        // Released: the next writer may start, and no lock file is left behind.
        let again = try FrameWriter(path: path, width: 16, height: 8, frameRate: rate)
        again.cancel()
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".lock") }
        #expect(left.isEmpty, "\(left)")
    }

    /// A farm's chunks of one sequence write side by side; chunks whose frames overlap do not,
    /// whichever frame each starts at.
    @Test func chunksOfOneSequenceMayRunTogetherUnlessTheirFramesOverlap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out_%04d.pfm").path
        let rate = FrameRate(numerator: 24)
        func writer(_ first: Int, _ count: Int?) throws -> FrameWriter {
            try FrameWriter(path: path, width: 16, height: 8, frameRate: rate, firstNumber: first, frameCount: count)
        }
        let a = try writer(0, 100)
        let b = try writer(100, 50)
        for (first, count, held) in [(100, 10, "100-149"), (50, 60, "0-99"), (149, nil, "100-149"), (0, 1, "0-99")] {
            #expect {
                _ = try writer(first, count)
            } throws: { error in
                "\(error)".contains("another command is writing \(path) (frames \(held)) now")
            }
        }
        let c = try writer(150, nil)  // open-ended, after both
        #expect {
            _ = try writer(1000, 1)
        } throws: { error in
            "\(error)".contains("(frames 150-on)")
        }
        a.cancel()
        let d = try writer(20, 30)  // a's frames are free again
        for w in [b, c, d] { w.cancel() }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".lock") }
        #expect(left.isEmpty, "\(left)")
    }
}

/// ffmpeg's own words ("Error marking filters as finished", "av_interleaved_write_frame():
/// Input/output error") reached users; they are translated into what happened and what to do.
@Suite("ffmpeg failures in the user's words")
struct FFmpegCauseTests {
    @Test(arguments: [
        ("[matroska @ 0x1] Read error\nError marking filters as finished\n", "truncated file"),
        ("av_interleaved_write_frame(): Input/output error\nConversion failed!\n", "could not be written"),
        ("out.mp4: No space left on device\n", "the disk is full"),
        ("clip.mp4: moov atom not found\n", "the file is truncated"),
        ("something new\nlast words\n", "last words"),
    ])
    func causes(stderr: String, meaning: String) {
        #expect(FFmpeg.cause(in: Data(stderr.utf8))?.contains(meaning) == true)
    }
}
