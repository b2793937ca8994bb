import Dispatch
import Foundation
import RackFocusMedia

/// A clip that decodes fewer frames than its container states is truncated or damaged: an error.
func requireComplete(_ input: String, decoded n: Int, expected: Int?) throws(CLIError) {
    if let expected, n < expected {
        throw CLIError("\(input): the clip ended at frame \(n) but should have \(expected) frames; the file is truncated or damaged (ffmpeg decoded no more)")
    }
}

/// Ctrl-C while an output is being written: abandon the partial file, say so, exit 130.
struct CtrlC {
    let source: any DispatchSourceSignal

    static func abandon(_ writer: FrameWriter) -> CtrlC {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let path = writer.path
        source.setEventHandler {
            writer.cancel()
            FileHandle.standardError.write(Data("\ninterrupted: \(path) was not written\n".utf8))
            Foundation.exit(130)
        }
        source.resume()
        return CtrlC(source: source)
    }

    func release() { source.cancel(); signal(SIGINT, SIG_DFL) }
}
