import ArgumentParser
import Dispatch
import Foundation
import RackFocusCLI
import RackFocusShot
import RackFocusStudio

/// `rackfocus studio` (the `rackfocus-studio` executable, which `rackfocus studio` runs): the
/// browser studio on a local port. A program of its own so that `rackfocus` does not link the
/// HTTP server: the demo and every other command build without it.
package struct StudioCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "rackfocus studio",
        abstract: "Direct the rack in a browser: click a subject, drag the rack, see it rendered.",
        discussion: """
            Serves a page on 127.0.0.1 (only this machine can reach it unless --host widens it). The clip and \
            its depth are decoded once into memory; the plan is edited in memory, saved (Save plan) as \
            CLIP.studio.yaml in --out, and renders are written there too. The API is in docs/studio.md. Example:
              rackfocus studio demo/plate.mp4 --depth demo/depth.exr
            """)

    @Argument(help: "The sharp clip (video, image sequence or one image).") var clip: String
    @OptionGroup var depthOptions: DepthOptions
    @Option(help: "A plan to start from (YAML or JSON); it is read, never written.") var plan: String?
    @Option(help: "Folder for the saved plan, renders and estimated depth (default: the clip's folder).") var out:
        String?
    @Option(help: "Address to listen on; anything but loopback lets other machines reach the studio.") var host =
        "127.0.0.1"
    @Option(help: "Port (0: any free port).") var port = 8080
    @Option(help: "Focal length of a new plan (without --plan; default 50mm).") var focal: String?
    @Option(help: "Stop of a new plan (without --plan; default 2).") var stop: String?
    @Option(help: "Sensor of a new plan (without --plan; default fullframe).") var sensor: String?
    @Option(help: "Memory for full-size frames and depth, in GiB (half-size previews are always kept).") var cacheGb:
        Double = 4
    @OptionGroup var renderOptions: RenderOptions

    package init() {}

    package func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port: \(port) must be 0-65535") }
        guard cacheGb.isFinite, cacheGb >= 0, cacheGb <= 1024 else {
            throw ValidationError("--cache-gb: \(cacheGb) must be 0-1024")
        }
    }

    package func run() throws {
        let given = try depthOptions.required(by: "studio")
        let folder =
            out
            ?? ((clip as NSString).deletingLastPathComponent.isEmpty
                ? "." : (clip as NSString).deletingLastPathComponent)
        var options = StudioOptions(clip: clip, depth: given, planFile: plan, outputFolder: folder)
        if let focal { options.focal = focal }
        if let stop { options.stop = stop }
        if let sensor { options.sensor = sensor }
        options.threads = renderOptions.threadCount
        options.quality = renderOptions.quality
        options.highlights = renderOptions.highlights
        options.cacheBytes = Int(cacheGb * Double(1 << 30))
        if plan != nil, focal != nil || stop != nil || sensor != nil {
            warn("--focal, --stop and --sensor set a new plan's lens; --plan's camera is used as written")
        }
        if !StudioServer.isLoopback(host) {
            warn(
                "--host \(host): the studio has no login; anyone who can reach this address can see the clip and write renders into \(folder)"
            )
        }
        if let problem = StudioServer.portProblem(host: host, port: port) { throw CLIError(problem) }
        let session: StudioSession
        do { session = try StudioSession(options, feedback: Progress.terminal) } catch let e as StudioError {
            throw CLIError(e.message)
        }
        let host = self.host
        let app = StudioServer.application(session, host: host, port: port) { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardOutput.write(
                Data("RackFocus Studio: http://\(shown):\(port)/  (Ctrl-C stops it)\n".utf8))
        }
        let done = DispatchSemaphore(value: 0)
        let failure = Box()
        Task {
            do { try await app.runService() } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        if let output = session.abandonRender() {
            warn("stopped during a render: \(output) was not written")
        }
        if let error = failure.error {
            let text = "\(error)"
            if text.contains("Address already in use") {
                throw CLIError(StudioServer.portInUse(host: host, port: port))
            }
            throw CLIError("studio: could not serve on \(host):\(port): \(text)")
        }
    }

    final class Box: @unchecked Sendable { var error: (any Error)? }
}
