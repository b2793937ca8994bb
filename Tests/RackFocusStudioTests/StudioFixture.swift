import Foundation
import HTTPTypes
import HummingbirdTesting
import RackFocusImage
import Testing

@testable import Hummingbird
@testable import RackFocusMedia
@testable import RackFocusOptics
@testable import RackFocusPlan
@testable import RackFocusShot
@testable import RackFocusStudio

/// A 24-frame, 128×72 clip of the demo scene (ball at 1.5 m, figure at 6 m, wall at 30 m; FFV1,
/// lossless) with its depth as one PFM map, in a fresh folder per call.
func studioFootage() throws -> (folder: String, clip: String, depth: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("studio-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let scene = DemoScene.make(width: 128, height: 72)
    let clip = dir.appendingPathComponent("plate.mkv").path
    let writer = try FrameWriter(path: clip, width: 128, height: 72, frameRate: FrameRate(numerator: 24))
    for _ in 0..<24 { try writer.write(scene.image) }
    try writer.finish()
    let depth = dir.appendingPathComponent("depth.pfm").path
    try PFM.encode(scene.depth).write(to: URL(fileURLWithPath: depth))
    return (dir.path, clip, depth)
}

/// A session on fresh footage, with a plan made for it (or `plan`, written beside the clip).
func studioSession(plan: String? = nil, still: Bool = true) throws -> StudioSession {
    let f = try studioFootage()
    var planFile: String?
    if let plan {
        planFile = (f.folder as NSString).appendingPathComponent("shot.yaml")
        try plan.write(toFile: planFile!, atomically: true, encoding: .utf8)
    }
    var depth = DepthSettings(path: f.depth)
    depth.still = still
    var options = StudioOptions(clip: f.clip, depth: depth, planFile: planFile, outputFolder: f.folder)
    options.focal = "85mm"
    options.stop = "1.8"
    options.threads = 2
    return try StudioSession(options)
}

/// Runs `body` against the session's router, in process.
func withStudio(
    _ session: StudioSession, _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let app = Application(router: StudioServer.router(session))
    try await app.test(.router, body)
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

func jsonBody(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

/// The width and height a baseline JPEG's frame header states.
func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    var i = 2
    while i + 9 < bytes.count {
        guard bytes[i] == 0xFF else { return nil }
        let marker = bytes[i + 1]
        let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        if marker == 0xC0 {
            return (Int(bytes[i + 7]) << 8 | Int(bytes[i + 8]), Int(bytes[i + 5]) << 8 | Int(bytes[i + 6]))
        }
        i += 2 + length
    }
    return nil
}
