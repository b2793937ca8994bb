import Foundation
import RackFocusMedia

/// Writes a text output file all-or-nothing (see `AtomicFile`).
enum OutputFile {
    static func write(_ text: String, to path: String) throws(CLIError) {
        try media { () throws(MediaError) in try AtomicFile.write(Data(text.utf8), to: path) }
    }
}
