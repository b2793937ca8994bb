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

/// Every route of the studio's HTTP API, in process (HummingbirdTesting's router client), on the
/// demo scene: ball at (0.27, 0.64) 1.5 m, figure at (0.68, 0.45) 6 m, wall at 30 m.
@Suite struct StudioAPITests {
    @Test func infoDescribesClipLensAndPlan() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let r = try await client.execute(uri: "/api/info", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/json")
            let info = try r.json()
            #expect(info["width"] as? Int == 128)
            #expect(info["height"] as? Int == 72)
            #expect(info["frameCount"] as? Int == 24)
            #expect(info["fps"] as? Double == 24)
            let lens = try #require(info["lens"] as? [String: Any])
            #expect(lens["focalLengthMM"] as? Double == 85)
            let plan = try #require(info["plan"] as? [String: Any])
            #expect((plan["marks"] as? [Any])?.count == 1)
            // A new plan focuses on the centre of the frame, at the distance its depth gives.
            let centre = Double(session.depth(frame: 0, x: 0.5, y: 0.5))
            let focus = try #require(info["focusMeters"] as? [Double])
            #expect(focus.count == 24 && focus.allSatisfy { abs($0 - centre) < 0.01 * centre })
        }
    }

    @Test func framesRenderAtTheAskedFocusAndQuality() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let final = try await client.execute(uri: "/api/frame/3.jpg?focus=1.5m&quality=final", method: .get)
            #expect(final.status == .ok)
            #expect(final.headers[.contentType] == "image/jpeg")
            let bytes = Array(buffer: final.body)
            #expect(bytes.prefix(2) == [0xFF, 0xD8] && bytes.suffix(2) == [0xFF, 0xD9])
            #expect(jpegSize(bytes)! == (128, 72))
            #expect(final.headers[HTTPField.Name("X-Focus-Meters")!] == "1.5")
            #expect(final.headers[HTTPField.Name("X-Cache")!] == "miss")
            let again = try await client.execute(uri: "/api/frame/3.jpg?focus=1.5m&quality=final", method: .get)
            #expect(again.headers[HTTPField.Name("X-Cache")!] == "hit")
            #expect(Array(buffer: again.body) == bytes)
            let far = try await client.execute(uri: "/api/frame/3.jpg?focus=6m&quality=final", method: .get)
            #expect(Array(buffer: far.body) != bytes)
            let preview = try await client.execute(uri: "/api/frame/3.jpg?quality=preview", method: .get)
            #expect(jpegSize(Array(buffer: preview.body))! == (64, 36))
            // Without focus: the plan's.
            let plain = try await client.execute(uri: "/api/frame/0.jpg", method: .get)
            #expect(plain.headers[HTTPField.Name("X-Focus-Meters")!] == String(session.focus(frame: 0).meters))
        }
    }

    @Test func cachedFramesOutliveEditsThatDoNotChangeThem() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let uri = "/api/frame/5.jpg?focus=2m&quality=preview"
            let first = try await client.execute(uri: uri, method: .get)
            #expect(first.headers[HTTPField.Name("X-Cache")!] == "miss")
            // A mark changes the plan's focus, not what frame 5 looks like at 2 m with this lens.
            let mark = try await client.execute(
                uri: "/api/marks", method: .post, body: jsonBody(["frame": 0, "x": 0.27, "y": 0.64]))
            #expect(mark.status == .ok)
            let again = try await client.execute(uri: uri, method: .get)
            #expect(again.headers[HTTPField.Name("X-Cache")!] == "hit")
            #expect(Array(buffer: again.body) == Array(buffer: first.body))
            // Another stop changes it.
            let lens = try await client.execute(uri: "/api/lens", method: .put, body: jsonBody(["stop": "4"]))
            #expect(lens.status == .ok)
            let stopped = try await client.execute(uri: uri, method: .get)
            #expect(stopped.headers[HTTPField.Name("X-Cache")!] == "miss")
            #expect(Array(buffer: stopped.body) != Array(buffer: first.body))
        }
    }

    @Test func theFrameInFocusIsSharpWhereItsSubjectIs() throws {
        // The ball's neighbourhood holds more detail focused on it than focused on the wall.
        let session = try studioSession()
        func ballDetail(_ focus: Double) throws -> Double {
            let jpeg = try session.frameJPEG(5, focus: .meters(focus), preview: false).jpeg
            let path = (session.options.outputFolder as NSString).appendingPathComponent("f\(focus).jpg")
            try Data(jpeg).write(to: URL(fileURLWithPath: path))
            let image = try StillImage.readColor(path)
            var energy = 0.0
            for y in 40..<52 {
                for x in 26..<44 {
                    let d = image[1, x + 1, y] - image[1, x, y]
                    energy += Double(d * d)
                }
            }
            return energy
        }
        #expect(try ballDetail(1.5) > 2 * ballDetail(30))
    }

    @Test func badFrameRequestsAreRefusedWithAMessage() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            for (uri, status) in [
                ("/api/frame/24.jpg", HTTPResponse.Status.notFound), ("/api/frame/-1.jpg", .notFound),
                ("/api/frame/abc.jpg", .notFound), ("/api/frame/1.jpg?focus=near", .badRequest),
                ("/api/frame/1.jpg?focus=10mm", .badRequest), ("/api/frame/1.jpg?quality=best", .badRequest),
            ] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == status, "\(uri)")
                #expect(try r.json()["error"] as? String != nil, "\(uri)")
            }
        }
    }

    @Test func depthUnderAPointWithItsDepthOfField() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let ball = try await client.execute(uri: "/api/depth/0?x=0.27&y=0.64", method: .get).json()
            #expect(abs((ball["meters"] as! Double) - 1.5) < 0.05)
            #expect((ball["nearMeters"] as! Double) < 1.5 && (ball["farMeters"] as! Double) > 1.5)
            let figure = try await client.execute(uri: "/api/depth/0?x=0.68&y=0.45", method: .get).json()
            #expect(abs((figure["meters"] as! Double) - 6) < 0.2)
            for uri in ["/api/depth/0?x=0.5", "/api/depth/0?x=2&y=0.5", "/api/depth/0?x=nan&y=0.5"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .badRequest, "\(uri)")
            }
            #expect(try await client.execute(uri: "/api/depth/99?x=0.5&y=0.5", method: .get).status == .notFound)
            let map = try await client.execute(uri: "/api/depthmap/0.jpg", method: .get)
            #expect(map.status == .ok && jpegSize(Array(buffer: map.body))! == (64, 36))
        }
    }

    @Test func clickingTheBallThenTheFigureMakesARackThatReads() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let first = try await client.execute(
                uri: "/api/marks", method: .post, body: jsonBody(["frame": 0, "x": 0.27, "y": 0.64, "subject": "ball"]))
            #expect(first.status == .ok)
            let second = try await client.execute(
                uri: "/api/marks", method: .post, body: jsonBody(["frame": 16, "x": 0.68, "y": 0.45]))
            #expect(second.status == .ok)
            let answer = try second.json()
            let report = try #require(answer["plan"] as? [String: Any])
            let racks = try #require(report["racks"] as? [[String: Any]])
            #expect(racks.count == 1)
            #expect(racks[0]["from"] as? String == "ball")
            #expect(racks[0]["to"] as? String == "subject3")
            #expect(abs((racks[0]["landSeconds"] as! Double) - 16.0 / 24) < 1e-6)
            #expect(racks[0]["verdict"] as? String == "reads")
            let focus = try #require(answer["focusMeters"] as? [Double])
            #expect(abs(focus[0] - 1.5) < 0.05 && abs(focus[23] - 6) < 0.2)
        }
        // The plan the page built loads on its own and keeps both subjects' places.
        let saved = try ShotPlan.load(contentsOf: try session.savePlan())
        #expect(saved.subject(named: "ball")?.point == ImagePoint(x: 0.27, y: 0.64))
        #expect(saved.curve.moves.count == 1)
    }

    @Test func racksAreRetimedAndLensChangesAreJudged() async throws {
        let session = try studioSession(
            plan: """
                fps: 24
                camera: { sensor: fullframe, focalLength: 85mm, stop: 1.8, resolution: 128x72 }
                subjects: { ball: 1.5m, figure: 6m }
                focus:
                  - { at: 0s, on: ball }   # opening
                  - { rack: figure, start: 2f, land: 8f, curve: landing }
                """)
        try await withStudio(session) { client in
            let moved = try await client.execute(
                uri: "/api/racks/1", method: .put, body: jsonBody(["start": 0.25, "end": 0.75, "curve": "linear"]))
            #expect(moved.status == .ok)
            let rack = try #require((try moved.json()["plan"] as? [String: Any])?["racks"] as? [[String: Any]]).first!
            #expect(abs((rack["startSeconds"] as! Double) - 0.25) < 1e-9)
            #expect(abs((rack["landSeconds"] as! Double) - 0.75) < 1e-9)
            #expect(rack["curve"] as? String == "linear")
            // focus[0] is a mark, not a rack: refused with the loader's words, plan unchanged.
            let notRack = try await client.execute(
                uri: "/api/racks/0", method: .put, body: jsonBody(["start": 0.1, "end": 0.2]))
            #expect(notRack.status == .unprocessableContent)
            let backwards = try await client.execute(
                uri: "/api/racks/1", method: .put, body: jsonBody(["start": 0.5, "end": 0.2]))
            #expect(backwards.status == .badRequest)

            let stopped = try await client.execute(
                uri: "/api/lens", method: .put, body: jsonBody(["stop": "16", "focalLength": "24mm"]))
            #expect(stopped.status == .ok)
            let report = try #require(try stopped.json()["plan"] as? [String: Any])
            #expect((report["camera"] as? [String: Any])?["focalLengthMM"] as? Double == 24)
            let verdict = (report["racks"] as? [[String: Any]])?.first?["verdict"] as? String
            #expect(verdict != "reads", "a 24 mm at f/16 should not read between 1.5 m and 6 m")
            let badSensor = try await client.execute(
                uri: "/api/lens", method: .put, body: jsonBody(["sensor": "imax70"]))
            #expect(badSensor.status == .unprocessableContent)
            #expect(badSensor.text.contains("unknown sensor"))
            let injected = try await client.execute(
                uri: "/api/lens", method: .put, body: jsonBody(["stop": "2\nfocus: []"]))
            #expect(injected.status == .badRequest)
        }
        #expect(session.plan.curve.moves.count == 1)
    }

    @Test func plansAreReadValidatedAndReplaced() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let yaml = try await client.execute(uri: "/api/plan", method: .get)
            #expect(yaml.status == .ok)
            #expect(yaml.text.contains("focalLength: 85mm"))
            let good = """
                fps: 24
                camera: { sensor: super35, focalLength: 50mm, stop: 2.8, resolution: 128x72 }
                subjects: { a: 1m, b: 4m }
                focus:
                  - { at: 0s, on: a }
                  - { rack: b, start: 0.2s, duration: 0.5s }
                """
            let put = try await client.execute(uri: "/api/plan", method: .put, body: ByteBuffer(string: good))
            #expect(put.status == .ok)
            #expect(try await client.execute(uri: "/api/plan", method: .get).text == good)
            // Errors come back as 422 with the loader's file:line:column issues; nothing changes.
            let bad = good.replacingOccurrences(of: "duration: 0.5s", with: "duration: 0.5")
            let refused = try await client.execute(uri: "/api/plan", method: .put, body: ByteBuffer(string: bad))
            #expect(refused.status == .unprocessableContent)
            let issue = try #require((try refused.json()["issues"] as? [[String: Any]])?.first)
            #expect(issue["line"] as? Int == 6)
            #expect((issue["message"] as? String)?.contains("no unit") == true)
            for broken in ["{ not yaml: [", "- just\n- a list", "", "\u{0}\u{1}"] {
                let r = try await client.execute(uri: "/api/plan", method: .put, body: ByteBuffer(string: broken))
                #expect([.unprocessableContent, .badRequest].contains(r.status), "\(broken.debugDescription)")
            }
            #expect(try await client.execute(uri: "/api/plan", method: .get).text == good)
            let json =
                #"{"fps": 24, "camera": {"sensor": "fullframe", "focalLength": "85mm", "stop": 2, "resolution": "128x72"}, "subjects": {"a": "2m"}, "focus": [{"at": "0s", "on": "a"}]}"#
            #expect(
                try await client.execute(uri: "/api/plan", method: .put, body: ByteBuffer(string: json)).status == .ok)
        }
    }

    @Test func badMarksGetAMessageAndChangeNothing() async throws {
        let session = try studioSession()
        let before = session.planText
        try await withStudio(session) { client in
            let cases: [(String, HTTPResponse.Status)] = [
                (#"{"frame": 0, "x": 0.5"#, .badRequest),
                (#"{"x": 0.5, "y": 0.5}"#, .badRequest),
                (#"{"frame": "one", "x": 0.5, "y": 0.5}"#, .badRequest),
                (#"{"frame": 0, "x": 1.5, "y": 0.5}"#, .badRequest),
                (#"{"frame": 99, "x": 0.5, "y": 0.5}"#, .notFound),
                (#"{"frame": 0, "x": 0.5, "y": 0.5, "subject": "a: b"}"#, .badRequest),
                (#"{"frame": 0, "x": 0.5, "y": 0.5, "subject": "../../etc"}"#, .badRequest),
                (#"{"frame": 10, "x": 0.5, "y": 0.5, "curve": "wobble"}"#, .unprocessableContent),
            ]
            for (body, status) in cases {
                let r = try await client.execute(uri: "/api/marks", method: .post, body: ByteBuffer(string: body))
                #expect(r.status == status, "\(body)")
                #expect(try r.json()["error"] as? String != nil, "\(body)")
            }
        }
        #expect(session.planText == before)
    }

    @Test func thePageAndItsFilesAreServed() async throws {
        let session = try studioSession()
        try await withStudio(session) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<script src="/studio.js"></script>"#))
            #expect(!page.text.contains("http://") && !page.text.contains("https://"), "nothing from elsewhere")
            let script = try await client.execute(uri: "/studio.js", method: .get)
            #expect(script.status == .ok && script.text.contains("/api/marks"))
            #expect(try await client.execute(uri: "/studio.css", method: .get).status == .ok)
        }
    }
}
