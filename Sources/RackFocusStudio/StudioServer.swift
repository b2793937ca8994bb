import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RackFocusOptics
import RackFocusPlan
import RackFocusShot

#if canImport(Glibc)
    import Glibc
#endif

/// The studio's HTTP server: the page, its script and style, and the JSON API (docs/studio.md).
/// No route reads a file named by a request: the page is compiled in, frames and depth come from
/// the session's memory, and renders are written only to plain file names in the output folder.
package enum StudioServer {
    /// Request bodies larger than this are refused (413): plans are text, marks a few numbers.
    package static let maxBody = 1 << 20

    /// - Parameter loopback: the server listens on loopback only, so requests must name it as
    ///   their `Host` (`OriginGuard`).
    package static func router(_ session: StudioSession, loopback: Bool = true) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: OriginGuard(loopback: loopback))
        router.get("/") { _, _ in asset(StudioPage.html, "text/html; charset=utf-8") }
        router.get("/studio.js") { _, _ in asset(StudioPage.script, "text/javascript; charset=utf-8") }
        router.get("/studio.css") { _, _ in asset(StudioPage.style, "text/css; charset=utf-8") }

        router.get("/api/info") { _, _ in json(Info(session)) }
        router.get("/api/frame/{frame}.jpg") { request, context in
            let n = try frameNumber(context)
            let q = request.uri.queryParameters
            let quality = q["quality"].map(String.init) ?? "final"
            guard quality == "preview" || quality == "final" else {
                throw StudioError(400, "quality: \"\(quality)\" must be preview or final")
            }
            let focus = try distance(q["focus"].map(String.init))
            let result = try await offload { () throws(StudioError) in
                try session.frameJPEG(n, focus: focus, preview: quality == "preview")
            }
            var headers = HTTPFields()
            headers[.contentType] = "image/jpeg"
            headers[.cacheControl] = "no-store"
            headers[HTTPField.Name("X-Focus-Meters")!] = String(result.focus.meters)
            headers[HTTPField.Name("X-Cache")!] = result.cached ? "hit" : "miss"
            let t = result.timing
            headers[HTTPField.Name("Server-Timing")!] = String(
                format: "read;dur=%.1f, render;dur=%.1f, jpeg;dur=%.1f", t.read, t.render, t.encode)
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: result.jpeg)))
        }
        router.get("/api/depthmap/{frame}.jpg") { request, context in
            let n = try frameNumber(context)
            let focus = try distance(request.uri.queryParameters["focus"].map(String.init))
            let jpeg = try await offload { () throws(StudioError) in try session.depthFalseColour(n, focus: focus) }
            var headers = HTTPFields()
            headers[.contentType] = "image/jpeg"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: jpeg)))
        }
        router.get("/api/depth/{frame}") { request, context in
            let n = try frameNumber(context)
            try session.checkFrame(n)
            let q = request.uri.queryParameters
            guard let x = q["x"].flatMap({ Double(String($0)) }), let y = q["y"].flatMap({ Double(String($0)) })
            else { throw StudioError(400, "x and y: give both, 0-1 from the top-left (?x=0.4&y=0.5)") }
            try StudioSession.checkPoint(x, y)
            let m = await offload { session.depth(frame: n, x: x, y: y) }
            let camera = session.plan.camera
            let dof = m.isFinite && m > 0 ? camera.depthOfField(focus: .meters(Double(m))) : nil
            return json(
                DepthAnswer(
                    meters: m.isFinite ? Double(m) : nil, nearMeters: dof.flatMap { finite($0.near.meters) },
                    farMeters: dof.flatMap { finite($0.far.meters) }))
        }
        router.get("/api/plan") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            headers[.contentDisposition] =
                "inline; filename=\"\((session.savedPlanPath as NSString).lastPathComponent)\""
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: session.planText)))
        }
        router.put("/api/plan") { request, _ in
            let text = try await body(request)
            let plan = try await offload { () throws(StudioError) in try session.replacePlan(text) }
            return json(PlanAnswer(session, plan))
        }
        router.post("/api/plan/save") { _, _ in
            let path = try session.savePlan()
            return json(["saved": path])
        }
        router.post("/api/marks") { request, _ in
            let mark: MarkRequest = try decode(try await body(request))
            let plan = try await offload { () throws(StudioError) in
                try session.addMark(
                    frame: mark.frame, x: mark.x, y: mark.y, subject: mark.subject, duration: mark.duration,
                    curve: mark.curve)
            }
            return json(PlanAnswer(session, plan))
        }
        router.put("/api/racks/{entry}") { request, context in
            guard let entry = context.parameters.get("entry").flatMap({ Int($0) }) else {
                throw StudioError(404, "racks: give the rack's focus entry number, e.g. /api/racks/1")
            }
            let change: RackRequest = try decode(try await body(request))
            let plan = try await offload { () throws(StudioError) in
                try session.retime(entry: entry, start: change.start, end: change.end, curve: change.curve)
            }
            return json(PlanAnswer(session, plan))
        }
        router.put("/api/lens") { request, _ in
            let lens: LensRequest = try decode(try await body(request))
            let values = [("focalLength", lens.focalLength), ("stop", lens.stop), ("sensor", lens.sensor)]
                .compactMap { k, v in v.map { (key: k, value: $0) } }
            guard !values.isEmpty else { throw StudioError(400, "lens: give focalLength, stop or sensor") }
            let plan = try await offload { () throws(StudioError) in try session.setLens(values) }
            return json(PlanAnswer(session, plan))
        }
        router.post("/api/render") { request, _ in
            let text = try await body(request)
            let ask: RenderRequest =
                text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? RenderRequest() : try decode(text)
            return json(try session.startRender(name: ask.output), status: .accepted)
        }
        router.get("/api/render") { _, _ in json(session.renderStatus) }
        return router
    }

    /// The application bound to `host:port` (loopback unless widened).
    /// The application bound to `host:port` (loopback unless widened); `onRunning` gets the port
    /// it listens on (the one chosen when `port` is 0).
    package static func application(
        _ session: StudioSession, host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var logger = Logger(label: "rackfocus-studio")
        logger.logLevel = .warning
        return Application(
            router: router(session, loopback: isLoopback(host)),
            configuration: .init(address: .hostname(host, port: port), serverName: "rackfocus-studio"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    // MARK: - Bodies

    struct Info: Encodable {
        var clip: String
        var depth: String
        var width: Int
        var height: Int
        var fps: Double
        var fpsText: String
        var frameCount: Int
        var lens: Lens
        var plan: PlanReport
        var focusMeters: [Double]
        var savedPlan: String
        var renderName: String
        struct Lens: Encodable {
            var focalLengthMM: Double
            var stop: String
            var sensor: String
            var sensorWidthMM: Double
        }
        init(_ s: StudioSession) {
            let plan = s.plan
            clip = s.options.clip
            depth = s.options.depth.model?.path ?? s.options.depth.path
            width = s.width
            height = s.height
            fps = s.rate.fps
            fpsText = s.rate.description
            frameCount = s.frameCount
            lens = Lens(
                focalLengthMM: plan.camera.focalLengthMM, stop: plan.camera.stop.description,
                sensor: plan.camera.sensor.name, sensorWidthMM: plan.camera.sensor.widthMM)
            self.plan = PlanReport(plan: plan)
            focusMeters = s.focusMeters
            savedPlan = s.savedPlanPath
            renderName = s.defaultRenderName
        }
    }

    struct PlanAnswer: Encodable {
        var yaml: String
        var plan: PlanReport
        var focusMeters: [Double]
        init(_ s: StudioSession, _ plan: ShotPlan) {
            yaml = s.planText
            self.plan = PlanReport(plan: plan)
            focusMeters = s.focusMeters
        }
    }

    struct DepthAnswer: Encodable {
        var meters: Double?
        var nearMeters: Double?
        var farMeters: Double?
    }

    struct MarkRequest: Decodable {
        var frame: Int
        var x: Double
        var y: Double
        var subject: String?
        var duration: Double?
        var curve: String?
    }

    struct RackRequest: Decodable {
        var start: Double
        var end: Double
        var curve: String?
    }

    struct LensRequest: Decodable {
        var focalLength: String?
        var stop: String?
        var sensor: String?
    }

    struct RenderRequest: Decodable {
        var output: String?
        init() {}
    }

    // MARK: - Helpers

    /// Why `host:port` cannot be listened on (in use, not an address of this machine), checked
    /// before the clip is decoded; nil when it can, or when `host` is a name this check does not
    /// resolve (the server then says).
    package static func portProblem(host: String, port: Int) -> String? {
        guard port != 0 else { return nil }
        let address = host == "localhost" ? "127.0.0.1" : host
        var sin = sockaddr_in()
        guard inet_pton(AF_INET, address, &sin.sin_addr) == 1 else { return nil }
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result != 0 else { return nil }
        let e = errno
        if e == EADDRINUSE {
            return portInUse(host: host, port: port)
        }
        return "--host \(host): cannot listen there (\(String(cString: strerror(e))))"
    }

    /// What a studio asked to listen on a port in use is told.
    package static func portInUse(host: String, port: Int) -> String {
        "--port \(port): \(host):\(port) is in use (another studio?); pass another --port, or --port 0 for any free one"
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
    package static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { p in p.count <= 3 && !p.isEmpty && p.allSatisfy(\.isASCII) && UInt8(p) != nil }
    }

    /// The `focus` query parameter, when given.
    static func distance(_ text: String?) throws(StudioError) -> Distance? {
        guard let text else { return nil }
        do { return try Distance(parsing: text) } catch {
            throw StudioError(400, "focus: \"\(text)\" is not a distance; write e.g. 2.5m or 8ft")
        }
    }

    static func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }

    static func frameNumber(_ context: BasicRequestContext) throws -> Int {
        guard let text = context.parameters.get("frame"), let n = Int(text) else {
            throw StudioError(404, "frame: give a frame number, e.g. /api/frame/12.jpg")
        }
        return n
    }

    static func asset(_ text: String, _ type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The request's body as UTF-8 text, at most `maxBody` bytes.
    static func body(_ request: Request) async throws -> String {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBody) } catch {
            throw StudioError(413, "the request body is larger than \(maxBody / 1024) KiB")
        }
        guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes),
            let text = String(validating: bytes, as: UTF8.self), !text.contains("\0")
        else {
            throw StudioError(400, "the request body is not UTF-8 text")
        }
        return text
    }

    static func decode<T: Decodable>(_ text: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch let DecodingError.keyNotFound(
            key, _)
        {
            throw StudioError(400, "the JSON body lacks \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw StudioError(400, "the JSON body's \"\(path)\" has the wrong type: \(context.debugDescription)")
        } catch {
            throw StudioError(400, "the body is not valid JSON: \(error)")
        }
    }

    /// Runs blocking work (renders, depth reads) off Swift's cooperative threads.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws(StudioError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do throws(StudioError) { continuation.resume(returning: try work()) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}

/// Turns a `StudioError` (and any other error) into a JSON answer with its status; nothing a
/// request sends ends the server.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do { return try await next(request, context) } catch let e as StudioError {
            let issues = e.issues.map { i in
                IssueJSON(
                    path: i.path, line: i.line, column: i.column, message: i.message, fix: i.fix, text: i.description)
            }
            return StudioServer.json(
                ErrorJSON(error: e.message, issues: issues.isEmpty ? nil : issues),
                status: HTTPResponse.Status(code: e.status))
        } catch let e as HTTPError {
            return StudioServer.json(
                ErrorJSON(error: e.body ?? e.status.reasonPhrase, issues: nil), status: e.status)
        } catch {
            return StudioServer.json(ErrorJSON(error: "\(error)", issues: nil), status: .internalServerError)
        }
    }

    struct ErrorJSON: Encodable {
        var error: String
        var issues: [IssueJSON]?
    }

    struct IssueJSON: Encodable {
        var path: String
        var line: Int?
        var column: Int?
        var message: String
        var fix: String
        var text: String
    }
}
