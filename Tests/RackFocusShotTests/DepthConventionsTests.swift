import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import Testing

@testable import RackFocusShot

/// Collects what a run reports, for tests.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var notes: [String] = []
    private(set) var warnings: [String] = []

    var feedback: Feedback {
        Feedback(
            note: { m in self.lock.withLock { self.notes.append(m) } },
            warn: { m in self.lock.withLock { self.warnings.append(m) } })
    }
}

func scratch() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rackfocus-shot-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A plan whose two subjects are placed in the image only (left and right thirds).
func twoSubjectPlan(_ dir: URL, subjects: String = "near: { point: [0.2, 0.5] }, far: { point: [0.8, 0.5] }") throws
    -> String
{
    let plan = dir.appendingPathComponent("shot.yaml").path
    try Data(
        """
        fps: 24
        duration: 1s
        camera: { sensor: fullframe, focalLength: 50mm, stop: 2, resolution: 60x30 }
        subjects: { \(subjects) }
        focus: [ { at: 0s, on: near }, { rack: far, start: 6f, land: 18f } ]
        """.utf8
    ).write(to: URL(fileURLWithPath: plan))
    return plan
}

/// A 60×30 map: the left third at `near` metres, the middle a ramp, the right third at `far`,
/// each value written through `encode`.
func writeMap(
    _ dir: URL, _ name: String, near: Double, far: Double, middle: [Double], pixels: [(x: Int, y: Int, d: Double)] = [],
    encode: (Double) -> Double
) throws -> String {
    var map = PlanarImage(width: 60, height: 30, channels: 1)
    for y in 0..<30 {
        for x in 0..<60 {
            let d = x < 20 ? near : x >= 40 ? far : middle[(x - 20) * middle.count / 20]
            map[0, x, y] = Float(encode(d))
        }
    }
    for p in pixels { map[0, p.x, p.y] = Float(encode(p.d)) }
    let path = dir.appendingPathComponent(name).path
    try PFM.encode(map).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("Depth conventions")
struct DepthConventionsTests {
    /// `--near/--far` are the distances of the map's extreme values: a disparity map made from
    /// exactly 0.898-25 m reads subjects at 1.32 m and 9.84 m where they are (the old 1st/99th
    /// percentile rule read 0.92 m and 7.70 m when the extremes covered few pixels).
    @Test func inverseMapsSpanTheirExactExtremes() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The extremes are single pixels, far fewer than 1% of the map.
        let depth = try writeMap(
            dir, "disparity.pfm", near: 1.32, far: 9.84, middle: [3], pixels: [(25, 3, 0.898), (35, 26, 25)],
            encode: { 7.5 / $0 + 0.2 })
        let plan = try twoSubjectPlan(dir)
        let settings = DepthSettings(path: depth, kind: .inverse, near: .meters(0.898), far: .meters(25), still: true)
        let r = try PlanWithDepth.resolve(ShotPlan.load(contentsOf: plan), file: plan, depth: settings)
        let near = try #require(r.distances.distance("near", frame: 0)).meters,
            far = try #require(r.distances.distance("far", frame: 0)).meters
        #expect(abs(near - 1.32) / 1.32 < 0.02, "near read \(near) m")
        #expect(abs(far - 9.84) / 9.84 < 0.02, "far read \(far) m")
    }

    @Test func aMetricMapWithinZeroToOneIsWarnedAbout() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A normalized map (0 = near, 1 = far) given as metric.
        let depth = try writeMap(dir, "normalized.pfm", near: 1, far: 10, middle: [5], encode: { ($0 - 1) / 9 })
        let seen = Collected()
        _ = try DepthSource(DepthSettings(path: depth), feedback: seen.feedback).mapping(plan: nil)
        #expect(seen.warnings.count == 1)
        #expect(seen.warnings.first?.contains("every value lies between 0 and 1") == true)
        #expect(seen.warnings.first?.contains("--depth-kind normalized") == true)
        // Real metres say nothing.
        let metres = try writeMap(dir, "metres.pfm", near: 1, far: 10, middle: [5], encode: { $0 })
        let quiet = Collected()
        _ = try DepthSource(DepthSettings(path: metres), feedback: quiet.feedback).mapping(plan: nil)
        #expect(quiet.warnings.isEmpty)
    }

    /// A disparity map calibrated as metric fits a negative slope: the warning names the kind.
    @Test func aDisparityMapGivenAsMetricIsWarnedAbout() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let depth = try writeMap(dir, "disparity.pfm", near: 1, far: 5, middle: [2], encode: { 10 / $0 })
        let plan = try twoSubjectPlan(
            dir, subjects: "near: { point: [0.2, 0.5], distance: 1m }, far: { point: [0.8, 0.5], distance: 5m }")
        let seen = Collected()
        let mapping = try DepthSource(DepthSettings(path: depth), feedback: seen.feedback).mapping(
            plan: ShotPlan.load(contentsOf: plan))
        #expect(mapping.scale < 0)
        #expect(
            seen.warnings.contains {
                $0.contains("bigger values come out nearer") && $0.contains("--depth-kind inverse")
            }, "\(seen.warnings)")
        // Given as inverse, the same map calibrates exactly and says nothing.
        let right = Collected()
        let inverse = try DepthSource(DepthSettings(path: depth, kind: .inverse), feedback: right.feedback).mapping(
            plan: ShotPlan.load(contentsOf: plan))
        #expect(abs(inverse.metres(10) - 1) < 1e-4 && abs(inverse.metres(2) - 5) < 1e-3)
        #expect(right.warnings.isEmpty, "\(right.warnings)")
    }

    /// Three subjects that a straight line cannot fit: the worst is named with its misfit.
    @Test func subjectsTheCalibrationMissesAreNamed() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Metres on the left and right, but the middle reads 2 m where the tape said 6 m.
        let depth = try writeMap(dir, "metres.pfm", near: 1, far: 5, middle: [2], encode: { $0 })
        let plan = try twoSubjectPlan(
            dir,
            subjects:
                "near: { point: [0.1, 0.5], distance: 1m }, mid: { point: [0.5, 0.5], distance: 6m }, far: { point: [0.9, 0.5], distance: 5m }"
        )
        let seen = Collected()
        _ = try DepthSource(DepthSettings(path: depth), feedback: seen.feedback).mapping(
            plan: ShotPlan.load(contentsOf: plan))
        #expect(seen.warnings.contains { $0.contains("the calibration misses mid by") }, "\(seen.warnings)")
    }

    @Test func anotherAspectRatioIsAnErrorNamingBothSizesUnlessFitted() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let depth = try writeMap(dir, "d.pfm", near: 1, far: 5, middle: [2], encode: { $0 })
        let source = try DepthSource(DepthSettings(path: depth))
        let e = #expect(throws: ShotError.self) { try source.checkSize(width: 64, height: 64) }
        #expect(e?.code == .depthSize)
        #expect(e?.description.contains("60x30") == true && e?.description.contains("64x64") == true)
        // Same shape: scaled.
        try source.checkSize(width: 120, height: 60)
        // Cropped to the frame's shape about the centre: the middle 30×30 of the map.
        let cropped = try DepthSource(DepthSettings(path: depth, fit: .crop))
        let maps = try cropped.frames(mapping: .metric(), size: (30, 30))
        let d = try maps.require()
        #expect(d.width == 30 && d.height == 30)
        // Columns 15-44 of the map: near (15-19), the ramp (20-39), far (40-44).
        #expect(d[0, 0, 0] == 1 && d[0, 4, 0] == 1)
        #expect(d[0, 5, 0] == 2 && d[0, 24, 0] == 2)
        #expect(d[0, 25, 0] == 5 && d[0, 29, 0] == 5)
    }
}

@Suite("Words in reports")
struct WordsTests {
    @Test func countsTakeTheirNounsNumber() {
        #expect(counted(1, "rack") == "1 rack")
        #expect(counted(0, "rack") == "0 racks")
        #expect(counted(6, "line") == "6 lines")
        #expect(counted(2, "subject", "subjects") == "2 subjects")
    }
}
