import Foundation
import RackFocusImage
import Testing

@testable import RackFocusCLI
@testable import RackFocusMedia
@testable import RackFocusRender
@testable import RackFocusShot

@Suite("rackfocus still", .serialized)
struct StillCommandTests {
    func writeInputs(_ dir: URL, colour: (Int, Int) = (32, 24), depth: (Int, Int) = (32, 24), depthValue: Float = 3)
        throws -> (String, String)
    {
        var img = PlanarImage(width: colour.0, height: colour.1, channels: 3, fill: 0.3)
        for y in 0..<colour.1 { for x in 0..<colour.0 where (x / 4 + y / 4) % 2 == 0 { img[0, x, y] = 0.9 } }
        var d = PlanarImage(width: depth.0, height: depth.1, channels: 1, fill: depthValue)
        for y in 0..<depth.1 { for x in 0..<(depth.0 / 2) { d[0, x, y] = 1 } }
        let ip = dir.appendingPathComponent("frame.pfm").path, dp = dir.appendingPathComponent("depth.pfm").path
        try StillImage.write(img, to: ip)
        try PFM.encode(d).write(to: URL(fileURLWithPath: dp))
        return (ip, dp)
    }

    func lens(_ i: String, _ d: String, _ o: String, focus: String = "1m") -> [String] {
        [
            "still", "--image", i, "--depth", d, "--focus", focus, "--focal", "50mm", "--stop", "1.4", "--sensor",
            "6.4x4.8", "-o", o,
        ]
    }

    @Test func rendersAndWritesThePNG() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, d) = try writeInputs(dir)
        let out = dir.appendingPathComponent("out.png").path
        try run(lens(i, d, out))
        let back = try StillImage.readColor(out)
        #expect(back.width == 32 && back.height == 24)
        // Left half (1 m) is in focus and unchanged; the right half (3 m) is blurred.
        #expect(abs(back[0, 2, 2] - 0.9) < 1e-3)
        let right = (20..<30).map { back[0, $0, 12] }
        #expect(right.max()! - right.min()! < 0.5)
    }

    @Test func focusAtAPointReadsTheDepthThere() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, d) = try writeInputs(dir)
        let a = dir.appendingPathComponent("a.pfm").path, b = dir.appendingPathComponent("b.pfm").path
        try run(lens(i, d, a))
        var args = lens(i, d, b)
        args.replaceSubrange(5...6, with: ["--focus-at", "0.2,0.5"])
        try run(args)
        #expect(try StillImage.readColor(a) == StillImage.readColor(b))
    }

    /// One size policy for every command: a map of the frame's shape is scaled to it; another
    /// shape needs --depth-fit (tested as an error below).
    @Test func aSmallerMapOfTheSameShapeIsScaledAndAnotherShapeNeedsAFit() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, full) = try writeInputs(dir)
        let a = dir.appendingPathComponent("a.pfm").path, b = dir.appendingPathComponent("b.pfm").path
        try run(lens(i, full, a))
        let half = dir.appendingPathComponent("half.pfm").path
        var d = PlanarImage(width: 16, height: 12, channels: 1, fill: 3)
        for y in 0..<12 { for x in 0..<8 { d[0, x, y] = 1 } }
        try PFM.encode(d).write(to: URL(fileURLWithPath: half))
        try run(lens(i, half, b))
        // Nearest-sample scaling by 2 reproduces the full map exactly, so the renders agree.
        #expect(try StillImage.readColor(a) == StillImage.readColor(b))
        // A square map on a 4:3 frame: stretched only when asked.
        let square = dir.appendingPathComponent("square.pfm").path
        var q = PlanarImage(width: 16, height: 16, channels: 1, fill: 3)
        for y in 0..<16 { for x in 0..<8 { q[0, x, y] = 1 } }
        try PFM.encode(q).write(to: URL(fileURLWithPath: square))
        let c = dir.appendingPathComponent("c.pfm").path
        let refused = #expect(throws: ShotError.self) { try run(lens(i, square, c)) }
        #expect(refused?.code == .depthSize)
        try run(lens(i, square, c) + ["--depth-fit", "stretch"])
        #expect(try StillImage.readColor(a) == StillImage.readColor(c))
    }

    @Test(arguments: ["size", "nan", "missing", "extension"])
    func badInputIsOneLineAndWritesNothing(problem: String) throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var (i, d) = try writeInputs(
            dir, depth: problem == "size" ? (16, 16) : (32, 24), depthValue: problem == "nan" ? .nan : 3)
        var out = dir.appendingPathComponent("out.exr").path
        if problem == "missing" { i = dir.appendingPathComponent("nope.exr").path }
        if problem == "extension" { out = dir.appendingPathComponent("out.jpg").path }
        let expected = [
            "size": "\(d): the depth map is 16x16 but the frame is 32x24, another shape",
            "nan": "\(d): depth at pixel (16, 0) is NaN",
            "missing": "\(i): no such file",
            "extension": "-o: cannot write",
        ][problem]!
        do {
            try run(lens(i, d, out))
            Issue.record("\(problem) was accepted")
        } catch let error as any CustomStringConvertible {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter {
            $0.hasPrefix("out") || $0.hasPrefix(".out")
        }
        #expect(left.isEmpty)
    }
}
