import ArgumentParser
import Foundation

/// `rackfocus studio ...`: runs `rackfocus-studio`, built beside `rackfocus` (the studio is a
/// program of its own so that `rackfocus` does not link its HTTP server), with the same arguments.
struct StudioLauncher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Direct the rack in a browser: click a subject, drag the rack, see it rendered.",
        discussion: """
            Runs rackfocus-studio, built beside rackfocus (`swift build -c release` builds both; \
            scripts/install.sh installs both). `rackfocus studio --help` lists its options. Example:
              rackfocus studio demo/plate.mp4 --depth demo/depth.exr
            """)

    @Argument(parsing: .captureForPassthrough, help: "The studio's arguments (rackfocus studio --help lists them).")
    var arguments: [String] = []

    func run() throws {
        let program = try Self.studioProgram()
        var argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(program, argv)
        throw CLIError("studio: cannot run \(program) (\(String(cString: strerror(errno))))")
    }

    /// `rackfocus-studio` beside this executable.
    static func studioProgram() throws -> String {
        let own = (Bundle.main.executablePath ?? CommandLine.arguments[0]) as NSString
        let folder =
            own.resolvingSymlinksInPath.isEmpty
            ? "." : (own.resolvingSymlinksInPath as NSString).deletingLastPathComponent
        let program = (folder as NSString).appendingPathComponent("rackfocus-studio")
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw CLIError(
                "studio: \(program) is not built; build it with `swift build -c release -Xswiftc -enable-testing` (the README's second command does) or install it with scripts/install.sh"
            )
        }
        return program
    }
}
