import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Hummingbird
@testable import RackFocusMedia
@testable import RackFocusPlan
@testable import RackFocusShot
@testable import RackFocusStudio

/// No request reaches a file outside the session's clip, depth and output folder; bad input gets
/// a 4xx with a message; bodies are capped; renders go only to plain names in the output folder.
@Suite struct StudioSecurityTests {
    @Test func pathTricksReachNoFile() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            for uri in [
                "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd",
                "/studio.js/../../../../etc/passwd", "/api/frame/..%2f..%2f..%2fetc%2fpasswd.jpg",
                "/api/frame/%2e%2e.jpg", "//etc/passwd", "/etc/passwd", "/api/plan/../../etc/passwd",
                "/api/depthmap/..%2fdepth.pfm.jpg", "/plate.mkv", "/depth.pfm",
            ] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect((400..<500).contains(Int(r.status.code)), "\(uri) → \(r.status)")
                #expect(!r.text.contains("root:"), "\(uri)")
            }
        }
    }

    @Test func rendersGoOnlyToPlainNamesInTheOutputFolder() async throws {
        let session = try studioSession()
        let folder = session.options.outputFolder
        // A link in the output folder that points outside it is refused, not followed.
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString).mp4")
        try FileManager.default.createSymbolicLink(
            atPath: (folder as NSString).appendingPathComponent("link.mp4"), withDestinationPath: outside.path)
        try await withStudio(session) { client in
            for (name, status) in [
                ("../escape.mp4", HTTPResponse.Status.badRequest), ("/tmp/abs.mp4", .badRequest),
                ("%2e%2e/escape.mp4", .badRequest), ("sub/dir.mp4", .badRequest), (".hidden.mp4", .badRequest),
                ("plate.mkv", .badRequest), ("notes.txt", .badRequest), ("link.mp4", .forbidden),
                ("frame_%04d.mp4", .badRequest), ("a\\b.mp4", .badRequest),
            ] {
                let r = try await client.execute(uri: "/api/render", method: .post, body: jsonBody(["output": name]))
                #expect(r.status == status, "\(name) → \(r.status)")
                #expect(try r.json()["error"] as? String != nil, "\(name)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: outside.path))
        #expect(session.renderStatus.state == "idle")
    }

    @Test func aRenderRunsWithProgressAndWritesTheClip() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let started = try await client.execute(
                uri: "/api/render", method: .post, body: jsonBody(["output": "out.mkv"]))
            #expect(started.status == .accepted)
            #expect(try started.json()["state"] as? String == "running")
            var status: [String: Any] = [:]
            for _ in 0..<600 {
                status = try await client.execute(uri: "/api/render", method: .get).json()
                if status["state"] as? String != "running" { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(status["state"] as? String == "done", "\(status)")
            #expect(status["done"] as? Int == 24)
        }
        let out = (session.options.outputFolder as NSString).appendingPathComponent("out.mkv")
        #expect(try FFmpeg.probeClip(out).frameCount == 24)
    }

    @Test func bodiesAreCappedAndJunkIsRefused() async throws {
        let session = try studioSession()
        let before = session.planText
        try await withStudio(session) { client in
            let huge = ByteBuffer(string: String(repeating: "# padding\n", count: 120_000))
            let r = try await client.execute(uri: "/api/plan", method: .put, body: huge)
            #expect(r.status == .contentTooLarge)
            #expect(try r.json()["error"] as? String != nil)
            for (uri, method) in [
                ("/api/marks", HTTPRequest.Method.post), ("/api/lens", .put), ("/api/racks/1", .put),
                ("/api/render", .post),
            ] {
                for junk in ["{", "[1,2]", "null", "\u{FF}\u{FE}", "\"text\""] {
                    let r = try await client.execute(uri: uri, method: method, body: ByteBuffer(string: junk))
                    #expect((400..<500).contains(Int(r.status.code)), "\(uri) \(junk.debugDescription) → \(r.status)")
                }
            }
            let overflow = #"{"frame": 1e400, "x": 0.5, "y": 0.5}"#
            #expect(
                try await client.execute(uri: "/api/marks", method: .post, body: ByteBuffer(string: overflow)).status
                    == .badRequest)
            #expect(try await client.execute(uri: "/api/lens", method: .put, body: jsonBody([:])).status == .badRequest)
            let bytes = ByteBuffer(bytes: [0xFF, 0xFE, 0x00, 0xC3])
            #expect(try await client.execute(uri: "/api/plan", method: .put, body: bytes).status == .badRequest)
        }
        #expect(session.planText == before)
    }

    @Test func loopbackIsTheDefaultAndOnlyLoopbackIsCalledSo() {
        for host in ["127.0.0.1", "localhost", "::1", "127.1.2.3"] { #expect(StudioServer.isLoopback(host)) }
        for host in ["0.0.0.0", "::", "192.168.1.5", "example.com", "127example.com"] {
            #expect(!StudioServer.isLoopback(host), "\(host)")
        }
    }
}
