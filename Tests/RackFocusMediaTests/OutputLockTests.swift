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

    /// A farm's chunks of one sequence start at different frames and write side by side.
    @Test func chunksOfOneSequenceFromDifferentFramesMayRunTogether() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out_%04d.pfm").path
        let rate = FrameRate(numerator: 24)
        let a = try FrameWriter(path: path, width: 16, height: 8, frameRate: rate, firstNumber: 0)
        let b = try FrameWriter(path: path, width: 16, height: 8, frameRate: rate, firstNumber: 100)
        #expect(throws: MediaError.self) {
            try FrameWriter(path: path, width: 16, height: 8, frameRate: rate, firstNumber: 100)
        }
        a.cancel()
        b.cancel()
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
