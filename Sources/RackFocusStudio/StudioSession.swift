import Dispatch
import Foundation
import RackFocusImage
import RackFocusMedia
import RackFocusOptics
import RackFocusPlan
import RackFocusRender
import RackFocusShot

/// What `rackfocus studio` was started with.
package struct StudioOptions: Sendable {
    package var clip: String
    package var depth: DepthSettings
    /// The plan to start from; nil: a plan made for the clip (focus at 3 m with the lens below).
    package var planFile: String?
    /// Where the studio writes: its saved plan, renders and estimated depth. Requests name files
    /// only inside it.
    package var outputFolder: String
    /// The lens of a new plan (without `planFile`).
    package var sensor = "fullframe"
    package var focal = "50mm"
    package var stop = "2"
    package var highlights: Highlights = .automatic
    package var threads = defaultThreadCount
    /// The quality of clip renders started from the page.
    package var quality: RenderQuality = .final
    /// Bytes of memory for full-size frames and depth (half-size ones are always kept).
    package var cacheBytes = 4 << 30

    package init(clip: String, depth: DepthSettings, planFile: String?, outputFolder: String) {
        self.clip = clip
        self.depth = depth
        self.planFile = planFile
        self.outputFolder = outputFolder
    }
}

/// An error a request gets back: its HTTP status, a message, and a plan's issues when the loader
/// refused it.
package struct StudioError: Error, Sendable, CustomStringConvertible {
    package var status: Int
    package var message: String
    package var issues: [PlanIssue] = []
    package init(_ status: Int, _ message: String, issues: [PlanIssue] = []) {
        self.status = status
        self.message = message
        self.issues = issues
    }
    package var description: String { message }

    static func plan(_ e: PlanError) -> StudioError {
        StudioError(422, e.description, issues: e.issues)
    }
}

/// One studio session: the footage in memory, the plan being edited, rendered frames cached by
/// frame, focus, quality and lens, and the clip render started from the page. Safe to use from
/// concurrent requests: state behind one lock, renders one at a time.
package final class StudioSession: @unchecked Sendable {
    package let options: StudioOptions
    let footage: StudioFootage
    /// Where "save" writes the plan and where a render goes unless named.
    package let savedPlanPath: String
    package let defaultRenderName: String
    let lock = NSLock()
    private(set) var studioPlan: StudioPlan
    private var live = SubjectDistances(frames: [:])
    private var cache: [String: [UInt8]] = [:]
    private var cacheOrder: [String] = []
    private var cacheBytes = 0
    static let cacheLimit = 256 << 20
    let renderLock = NSLock()
    private let previewRenderer: LayeredRenderer
    private let finalRenderer: LayeredRenderer
    var job = RenderStatus()
    /// The clip render's writer while it runs (to abandon it when the studio stops).
    var writer: FrameWriter?
    /// Set when the studio stops during a render: its writer is abandoned as soon as it exists.
    var abandoned = false
    /// Whether a clip render's thread is still running.
    var threadRunning = false

    /// Opens the clip and depth (decoding every frame once) and the plan.
    package init(_ options: StudioOptions, feedback: Feedback = .silent) throws {
        var options = options
        // One depth image for a clip of many frames can only be a locked-off shot's.
        if !options.depth.still, options.depth.model == nil, StillImage.isSingleImage(options.depth.path),
            let n = try? FFmpeg.probeClip(options.clip).frameCount, n > 1
        {
            options.depth.still = true
            feedback.note(
                "\(options.depth.path) is one depth map for the \(n) frames of \(options.clip): it is used for every frame (as --depth-still)"
            )
        }
        self.options = options
        let folder = options.outputFolder
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw StudioError(400, "\(folder): the output folder does not exist; create it or pass --out DIR")
        }
        let stem = ((options.clip as NSString).lastPathComponent as NSString).deletingPathExtension
            .replacingOccurrences(of: "%", with: "")
        savedPlanPath = (folder as NSString).appendingPathComponent("\(stem).studio.yaml")
        defaultRenderName = "\(stem).studio.mp4"
        let startPlan: StudioPlan?
        if options.planFile == nil {
            // The lens of a new plan is checked before the clip is decoded.
            let probe = StudioPlan.starting(
                name: "lens check", rate: FrameRate(numerator: 24), frames: 24, width: 16, height: 16,
                sensor: options.sensor, focal: options.focal, stop: options.stop, centre: 3)
            do { _ = try StudioPlan(text: probe, file: "--focal/--stop/--sensor") } catch {
                throw StudioError.plan(error)
            }
        }
        if let file = options.planFile {
            do { startPlan = try StudioPlan(text: try ShotPlan.text(contentsOf: file), file: file) } catch {
                throw StudioError.plan(error)
            }
        } else {
            startPlan = nil
        }
        footage = try StudioFootage(
            clip: options.clip, depth: options.depth, plan: startPlan?.plan, highlights: options.highlights,
            budget: options.cacheBytes, scratch: (folder as NSString).appendingPathComponent(stem),
            threads: options.threads, feedback: feedback)
        if let startPlan {
            studioPlan = startPlan
        } else {
            let text = StudioPlan.starting(
                name: (options.clip as NSString).lastPathComponent, rate: footage.rate, frames: footage.frameCount,
                width: footage.width, height: footage.height, sensor: options.sensor, focal: options.focal,
                stop: options.stop,
                centre: Self.usable(DepthProbe.robustDepth(footage.depth(0, preview: false), x: 0.5, y: 0.5)))
            do { studioPlan = try StudioPlan(text: text, file: savedPlanPath) } catch { throw StudioError.plan(error) }
        }
        previewRenderer = LayeredRenderer(threads: options.threads)
        finalRenderer = LayeredRenderer(threads: options.threads)
        try refreshLive()
    }

    // MARK: - Plan

    package var plan: ShotPlan { lock.withLock { studioPlan.plan } }
    package var planText: String { lock.withLock { studioPlan.text } }

    /// Replaces the plan with `text` (YAML or JSON); the loader's errors come back as a 422.
    package func replacePlan(_ text: String) throws(StudioError) -> ShotPlan {
        try edit { (p: inout StudioPlan) throws(PlanError) in try p.replace(with: text) }
    }

    /// Adds (or moves) `subject` at (x, y) of frame n, at the distance the depth gives there, and a
    /// mark or a rack landing on it at that frame.
    package func addMark(
        frame n: Int, x: Double, y: Double, subject: String?, duration: Double?, curve: String?
    ) throws(StudioError) -> ShotPlan {
        try checkFrame(n)
        try Self.checkPoint(x, y)
        let d = depth(frame: n, x: x, y: y)
        guard d.isFinite, d > 0 else {
            throw StudioError(422, "frame \(n): no usable depth at (\(x), \(y)); click a point that has depth")
        }
        if let subject, !Self.isName(subject) {
            throw StudioError(
                400, "subject: \"\(subject)\" is not a name; use letters, digits, - and _ (up to 40 characters)")
        }
        let rate = footage.rate
        return try edit { (p: inout StudioPlan) throws(PlanError) in
            let name = subject ?? Self.freeName(p.plan)
            try p.addMark(
                subject: name, x: x, y: y, distance: Double(d), frame: n, rate: rate, duration: duration, curve: curve)
        }
    }

    /// Retimes the rack at focus[entry].
    package func retime(entry: Int, start: Double, end: Double, curve: String?) throws(StudioError) -> ShotPlan {
        guard start.isFinite, end.isFinite, start >= 0, end > start else {
            throw StudioError(400, "start and end: \(start)-\(end) must be seconds with end after start")
        }
        let rate = footage.rate
        return try edit { (p: inout StudioPlan) throws(PlanError) in
            try p.retime(entry: entry, start: start, end: end, rate: rate, curve: curve)
        }
    }

    /// Sets the lens: focal length, stop and sensor as a plan writes them ("85mm", "2.8", "super35").
    package func setLens(_ values: [(key: String, value: String)]) throws(StudioError) -> ShotPlan {
        for (_, v) in values where v.isEmpty || v.count > 40 || v.contains(where: { "\n{}[],:#\"'".contains($0) }) {
            throw StudioError(400, "lens: \"\(v)\" is not a value; write e.g. 85mm, 2.8 or super35")
        }
        return try edit { (p: inout StudioPlan) throws(PlanError) in try p.setLens(values) }
    }

    /// Writes the plan to `savedPlanPath` (atomically).
    package func savePlan() throws -> String {
        try AtomicFile.write(planText, to: savedPlanPath)
        return savedPlanPath
    }

    private func edit(_ change: (inout StudioPlan) throws(PlanError) -> Void) throws(StudioError) -> ShotPlan {
        lock.lock()
        var copy = studioPlan
        do { try change(&copy) } catch {
            lock.unlock()
            throw StudioError.plan(error)
        }
        studioPlan = copy
        lock.unlock()
        let plan = copy.plan
        do { try refreshLive() } catch { throw StudioError(422, "\(error)") }
        return plan
    }

    /// Distances of subjects the plan places in the image without a measured distance, from depth.
    private func refreshLive() throws {
        let plan = self.plan
        guard !plan.depthSubjects.isEmpty else {
            lock.withLock { live = SubjectDistances(frames: [:]) }
            return
        }
        // The depth as the footage read it (a model's estimates from their cache, not estimated again).
        let settings = footage.resolvedDepth
        let source = try DepthSource(settings)
        let distances = try SubjectDistances.read(
            plan: plan, depth: source, mapping: try source.mapping(plan: plan), frames: footage.frameCount,
            rate: footage.rate)
        lock.withLock { live = distances }
    }

    // MARK: - Frames and depth

    package var frameCount: Int { footage.frameCount }
    package var width: Int { footage.width }
    package var height: Int { footage.height }
    package var rate: FrameRate { footage.rate }

    /// The plan's focus at frame n.
    package func focus(frame n: Int) -> Distance {
        lock.withLock { live.focus(studioPlan.plan, frame: n, rate: footage.rate) }
    }

    /// The plan's focus at every frame, in metres.
    package var focusMeters: [Double] {
        lock.withLock {
            (0..<footage.frameCount).map { live.focus(studioPlan.plan, frame: $0, rate: footage.rate).meters }
        }
    }

    /// Metres at (x, y) (0-1 from the top-left) of frame n: the robust depth `--focus-at` uses.
    package func depth(frame n: Int, x: Double, y: Double) -> Float {
        DepthProbe.robustDepth(footage.depth(n, preview: false), x: x, y: y)
    }

    /// Frame n rendered at `focus` (nil: the plan's) as JPEG: half size for previews.
    /// `timing`: milliseconds spent reading the frame from memory, rendering, and encoding (zero
    /// for a cached frame).
    package func frameJPEG(_ n: Int, focus: Distance?, preview: Bool) throws(StudioError) -> (
        jpeg: [UInt8], focus: Distance, cached: Bool, timing: (read: Double, render: Double, encode: Double)
    ) {
        try checkFrame(n)
        let (camera, planFocus, framing) = lock.withLock {
            (
                studioPlan.plan.camera, live.focus(studioPlan.plan, frame: n, rate: footage.rate),
                live.focus(studioPlan.plan, frame: 0, rate: footage.rate)
            )
        }
        let f = focus ?? planFocus
        guard f.meters > camera.focalLengthMM / 1000 else {
            throw StudioError(400, "focus: \(f) is inside the focal length; a lens cannot focus there")
        }
        // Everything the frame depends on, so a plan edit never leaves a stale frame behind.
        let reference = camera.breathing != 0 ? framing : nil
        let key = "\(n)|\(f.meters)|\(preview)|\(camera)|\(reference?.meters ?? 0)"
        if let hit = lock.withLock({ cache[key] }) { return (hit, f, true, (0, 0, 0)) }
        let jpeg: [UInt8]
        var marks = [DispatchTime.now().uptimeNanoseconds]
        do {
            jpeg = try renderLock.withLock {
                marks = [DispatchTime.now().uptimeNanoseconds]
                let image = try footage.color(n, preview: preview)
                let depth = footage.depth(n, preview: preview)
                marks.append(DispatchTime.now().uptimeNanoseconds)
                let settings = LensBlurSettings(
                    camera: camera, focus: f, quality: .final, highlights: footage.highlights,
                    breathingReference: reference, threads: options.threads)
                let out = try LensBlur.render(
                    image: image, depth: depth, settings: settings, renderer: preview ? previewRenderer : finalRenderer)
                marks.append(DispatchTime.now().uptimeNanoseconds)
                let bytes = JPEGEncoder.encode(linear: out, quality: preview ? 80 : 92)
                marks.append(DispatchTime.now().uptimeNanoseconds)
                return bytes
            }
        } catch { throw StudioError(500, "frame \(n): \(error)") }
        lock.withLock {
            cache[key] = jpeg
            cacheOrder.append(key)
            cacheBytes += jpeg.count
            while cacheBytes > Self.cacheLimit, let old = cacheOrder.first {
                cacheOrder.removeFirst()
                cacheBytes -= cache.removeValue(forKey: old)?.count ?? 0
            }
        }
        let ms = { (i: Int) in Double(marks[i + 1] - marks[i]) / 1e6 }
        return (jpeg, f, false, (ms(0), ms(1), ms(2)))
    }

    /// Frame n's depth in false colour at half size: green inside the depth of field at `focus`
    /// (nil: the plan's), red in front of it and blue behind, stronger the further out of focus.
    package func depthFalseColour(_ n: Int, focus: Distance?) throws(StudioError) -> [UInt8] {
        try checkFrame(n)
        let camera = plan.camera
        let f = focus ?? self.focus(frame: n)
        let dof = camera.depthOfField(focus: f)
        let near = 1 / max(dof.near.meters, 1e-3), far = dof.far.isInfinite ? 0 : 1 / dof.far.meters
        let depth = footage.depth(n, preview: true)
        let count = depth.pixelCount
        var out = PlanarImage(width: depth.width, height: depth.height, channels: 3)
        for i in 0..<count {
            let d = Double(depth.data[i])
            let dioptres = d > 0 && d.isFinite ? 1 / d : 0
            if dioptres > near {
                out.data[i] = Float(min(1, 0.25 + (dioptres - near) / max(near, 0.05)))
            } else if dioptres < far {
                out.data[2 * count + i] = Float(min(1, 0.25 + (far - dioptres) / max(far, 0.05)))
            } else {
                out.data[count + i] = 0.5
            }
        }
        return JPEGEncoder.encode(linear: out, quality: 80)
    }

    func checkFrame(_ n: Int) throws(StudioError) {
        guard n >= 0, n < footage.frameCount else {
            throw StudioError(404, "frame \(n): the clip has frames 0-\(footage.frameCount - 1)")
        }
    }

    static func checkPoint(_ x: Double, _ y: Double) throws(StudioError) {
        guard x.isFinite, y.isFinite, (0...1).contains(x), (0...1).contains(y) else {
            throw StudioError(400, "x, y: (\(x), \(y)) must be 0-1 from the top-left of the frame")
        }
    }

    /// A depth that can be focused on, else 3 m.
    static func usable(_ d: Float) -> Double { d.isFinite && d > 0.05 && d < 1e5 ? Double(d) : 3 }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 40 && s.first!.isLetter
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func freeName(_ plan: ShotPlan) -> String {
        var k = plan.subjects.count + 1
        while plan.subject(named: "subject\(k)") != nil { k += 1 }
        return "subject\(k)"
    }
}
