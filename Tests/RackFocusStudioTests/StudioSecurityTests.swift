import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import Hummingbird
@testable import RackFocusMedia
@testable import RackFocusPlan
@testable import RackFocusShot
@testable import RackFocusStudio

#if canImport(Glibc)
    import Glibc
#endif

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

    @Test func stoppingDuringARenderLeavesNoPartialFile() throws {
        let session = try studioSession()
        #expect(session.abandonRender() == nil)
        _ = try session.startRender(name: "stopped.mkv")
        // Abandoning returns once the render's thread has ended; nothing of it is left in the folder.
        _ = try #require(session.abandonRender())
        let left = try FileManager.default.contentsOfDirectory(atPath: session.options.outputFolder)
        #expect(!left.contains { $0.contains("stopped") }, "\(left)")
        #expect(session.renderStatus.state == "failed")
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
        for host in [
            "0.0.0.0", "::", "192.168.1.5", "example.com", "127example.com", "127.evil.com", "127.0.0.1.evil.com",
        ] {
            #expect(!StudioServer.isLoopback(host), "\(host)")
        }
    }
}

/// Other web pages cannot drive the studio: cross-origin requests and DNS-rebinding hosts are refused.
@Suite struct StudioOriginTests {
    @Test func crossOriginRequestsAreRefused() async throws {
        let session = try studioSession()
        let before = session.planText
        try await withStudio(session) { client in
            // HummingbirdTesting's router client sends requests to "localhost".
            var evil = HTTPFields()
            evil[.origin] = "http://evil.example"
            let mark = try await client.execute(
                uri: "/api/marks", method: .post, headers: evil, body: jsonBody(["frame": 0, "x": 0.5, "y": 0.5]))
            #expect(mark.status == .forbidden)
            #expect(try await client.execute(uri: "/api/render", method: .post, headers: evil).status == .forbidden)
            #expect(try await client.execute(uri: "/api/plan", method: .get, headers: evil).status == .forbidden)
            var own = HTTPFields()
            own[.origin] = "http://localhost"
            let lens = try await client.execute(
                uri: "/api/lens", method: .put, headers: own, body: jsonBody(["stop": "2.8"]))
            #expect(lens.status == .ok)
        }
        #expect(session.planText != before)
        #expect(session.plan.curve.moves.isEmpty)
        #expect(session.renderStatus.state == "idle")
    }

    @Test func hostsAndOriginsAreJudgedByName() {
        // Loopback names pass, with or without a port; a rebinding attacker's name does not.
        for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "127.0.0.1", "LOCALHOST:1"] {
            #expect(OriginGuard.refusal(authority: host, origin: nil, loopback: true) == nil, "\(host)")
        }
        for host in ["attacker.example:8080", "127.evil.com:80", "127.0.0.1.evil.com", "[::2]:8080"] {
            #expect(OriginGuard.refusal(authority: host, origin: nil, loopback: true) != nil, "\(host)")
            // Listening on a wider address (--host), any name the user reached it by is fine.
            #expect(OriginGuard.refusal(authority: host, origin: nil, loopback: false) == nil, "\(host)")
        }
        #expect(
            OriginGuard.refusal(authority: "127.0.0.1:8080", origin: "http://127.0.0.1:8080", loopback: true) == nil)
        for origin in ["http://127.0.0.1:9090", "http://evil.example", "null", "http://127.0.0.1:8080.evil.com"] {
            #expect(
                OriginGuard.refusal(authority: "127.0.0.1:8080", origin: origin, loopback: true) != nil, "\(origin)")
        }
    }
}

/// A port in use is said before the clip is decoded, with the fix.
@Suite struct StudioPortTests {
    @Test func aPortInUseIsNamed() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(bound == 0 && listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: sin.sin_port))
        let problem = try #require(StudioServer.portProblem(host: "127.0.0.1", port: port))
        #expect(problem.contains("in use") && problem.contains("--port 0"))
        #expect(StudioServer.portProblem(host: "127.0.0.1", port: 0) == nil)
    }
}
