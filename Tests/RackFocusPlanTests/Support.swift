import Foundation

@testable import RackFocusPlan

/// The repository's examples/ folder, found from this file's location.
let examplesFolder: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

var exampleFiles: [URL] {
    ((try? FileManager.default.contentsOfDirectory(at: examplesFolder, includingPropertiesForKeys: nil)) ?? [])
        .filter { ["yaml", "yml", "json"].contains($0.pathExtension) }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// A minimal valid plan with `focus` replaced, for validation tests.
func plan(focus: String, extra: String = "", subjects: String? = nil, camera: String? = nil) -> String {
    """
    fps: 24
    \(extra)
    camera: \(camera ?? "{ sensor: super35, focalLength: 50mm, stop: 2, minFocus: 0.5m }")
    subjects:
    \(subjects ?? "  a: { distance: 1.5m }\n  b: { distance: 4m }")
    focus:
    \(focus)
    """
}

/// The issue lines of a plan that fails to load (empty when it loads).
func problems(_ text: String) -> [String] {
    do { _ = try ShotPlan.parse(text); return [] } catch { return error.issues.map(\.description) }
}
