import Dispatch
import Foundation
import RackFocusMedia
import RackFocusShot

/// Ctrl-C (SIGINT), SIGTERM (a scheduler's kill, `timeout`) or SIGHUP (a closed terminal) while an
/// output is being written: abandon the partial file (a sequence's partial frames too), say so,
/// exit 128 + the signal's number. Returns what restores the default handling.
func abandonOnCtrlC(_ writer: FrameWriter) -> () -> Void {
    let path = writer.path
    let signals = [SIGINT, SIGTERM, SIGHUP]
    let sources = signals.map { sig -> any DispatchSourceSignal in
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler {
            writer.cancel()
            let what = sig == SIGINT ? "interrupted" : sig == SIGTERM ? "terminated" : "hung up"
            FileHandle.standardError.write(Data("\n\(what): \(path) was not written\n".utf8))
            Foundation.exit(128 + sig)
        }
        source.resume()
        return source
    }
    return {
        for (source, sig) in zip(sources, signals) {
            source.cancel()
            signal(sig, SIG_DFL)
        }
    }
}
