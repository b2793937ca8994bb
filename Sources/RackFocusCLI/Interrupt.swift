import Dispatch
import Foundation
import RackFocusMedia
import RackFocusShot

/// Ctrl-C while an output is being written: abandon the partial file, say so, exit 130.
/// Returns what restores the default handling.
func abandonOnCtrlC(_ writer: FrameWriter) -> () -> Void {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    let path = writer.path
    source.setEventHandler {
        writer.cancel()
        FileHandle.standardError.write(Data("\ninterrupted: \(path) was not written\n".utf8))
        Foundation.exit(130)
    }
    source.resume()
    return {
        source.cancel(); signal(SIGINT, SIG_DFL)
    }
}
