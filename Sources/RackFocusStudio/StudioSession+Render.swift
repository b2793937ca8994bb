import Foundation
import RackFocusPlan
import RackFocusRender
import RackFocusShot

extension StudioSession {

    /// A clip render's state, as `GET /api/render` reports it.
    package struct RenderStatus: Sendable, Codable {
        package var state = "idle"
        package var done = 0
        package var total: Int?
        package var output: String?
        package var fps: Double?
        package var error: String?
    }

    package var renderStatus: RenderStatus { lock.withLock { job } }

    /// Abandons a render in progress (the studio is stopping): the partial file is removed, and
    /// the render's thread has ended (or `timeout` seconds passed) when this returns. Returns the
    /// output it was writing, or nil when none was running.
    package func abandonRender(timeout: Double = 30) -> String? {
        let output = lock.withLock { () -> String? in
            guard job.state == "running" else { return nil }
            abandoned = true
            writer?.cancel()
            job.state = "failed"
            job.error = "abandoned: the studio stopped"
            return job.output
        }
        let end = Date().addingTimeInterval(timeout)
        while lock.withLock({ threadRunning }), Date() < end { usleep(10_000) }
        return output
    }

    /// Starts rendering the clip with the current plan into `name` (a file name inside the output
    /// folder; nil: `defaultRenderName`). One render at a time.
    package func startRender(name: String?) throws(StudioError) -> RenderStatus {
        let output = try Self.outputPath(name ?? defaultRenderName, in: options.outputFolder)
        do {
            try OutputPath.requireDistinct(
                output,
                from: [options.clip, options.depth.path, options.depth.model?.path, options.planFile, savedPlanPath])
        } catch { throw StudioError(400, "output: \(error.message)") }
        let snapshot = lock.withLock { () -> (ShotPlan, Bool) in
            if job.state == "running" { return (studioPlan.plan, false) }
            job = RenderStatus(state: "running", done: 0, total: footage.frameCount, output: output)
            return (studioPlan.plan, true)
        }
        guard snapshot.1 else { throw StudioError(409, "a render is already running; wait for it to finish") }
        let render = ClipRender(
            planFile: savedPlanPath, plan: snapshot.0, input: options.clip, depth: options.depth, output: output,
            quality: options.quality, threads: options.threads, highlights: options.highlights)
        let feedback = Feedback(
            note: { _ in }, warn: { _ in },
            progress: { [weak self] label, done, _ in
                guard label == "render", done >= 0 else { return }
                self?.lock.withLock { self?.job.done = done }
            })
        lock.withLock { threadRunning = true }
        let thread = Thread { [self] in
            defer { lock.withLock { threadRunning = false } }
            do {
                let summary = try render.run(feedback: feedback) { writer in
                    self.lock.withLock {
                        if self.abandoned { writer.cancel() } else { self.writer = writer }
                    }
                    return { self.lock.withLock { self.writer = nil } }
                }
                lock.withLock {
                    guard !abandoned else { return }
                    job.state = "done"
                    job.done = summary?.frames.count ?? job.done
                    job.fps = summary?.framesPerSecond
                }
            } catch {
                lock.withLock {
                    guard !abandoned else { return }
                    job.state = "failed"
                    job.error = "\(error)"
                }
            }
        }
        thread.start()
        return lock.withLock { job }
    }

    /// `name` inside `folder`: a plain file name (no folders, no leading dot) of a video container,
    /// not a symbolic link, resolved inside the folder.
    package static func outputPath(_ name: String, in folder: String) throws(StudioError) -> String {
        let allowed = ["mp4", "mov", "mkv"]
        guard !name.isEmpty, name.count <= 200, !name.hasPrefix("."), !name.contains("/"), !name.contains("\\"),
            !name.contains("\0"), !name.contains("%"),
            allowed.contains((name as NSString).pathExtension.lowercased())
        else {
            throw StudioError(
                400,
                "output: \"\(name)\" is not a file name in the studio's output folder; give a plain name ending in .mp4, .mov or .mkv"
            )
        }
        let base = (folder as NSString).resolvingSymlinksInPath
        let path = (base as NSString).appendingPathComponent(name)
        if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
            type == .typeSymbolicLink
        {
            throw StudioError(
                403, "output: \(name) is a symbolic link; the studio writes only plain files in \(folder)")
        }
        guard (path as NSString).deletingLastPathComponent == base else {
            throw StudioError(400, "output: \"\(name)\" leaves the output folder")
        }
        return path
    }
}
