import Foundation

/// Rules every output path follows.
package enum OutputPath {
    /// The file a path names once `.`/`..` and symbolic links are resolved.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// An output must never be one of the inputs: writing it would destroy the input.
    package static func requireDistinct(_ output: String?, from inputs: [String?]) throws(ShotError) {
        guard let output else { return }
        let out = canonical(output)
        for case let input? in inputs where canonical(input) == out {
            throw ShotError(
                .outputIsInput, file: output,
                "is also an input (\(input)); writing it would destroy the input: choose another output name")
        }
    }
}
