import Foundation
import RackFocusDepthModel
import RackFocusImage
import RackFocusMedia

/// Depth from the colour frames alone, through a depth network, kept in a cache beside the
/// output so a second run does not estimate again.
///
/// The cache is a folder `.rackfocus-depth/<key>/` next to the output, one float EXR per frame
/// (`depth_000000.exr`, ...: the refined network output at the frame's size, inverse depth for a
/// relative model, metres for a metric one). The key hashes the model file's bytes, its kind,
/// the input's path, size and modification time, and the cache's format version; a frame file is
/// written under a temporary name and renamed, so an interrupted run leaves only whole frames.
package enum DepthEstimation {
    static let formatVersion = "rackfocus-depth-cache 1"
    package static let folderName = ".rackfocus-depth"

    /// The cache folder for `input` estimated by `model`, beside `output`.
    package static func cacheFolder(model: DepthModelSettings, input: String, beside output: String) throws -> String {
        var hash = FNV1a()
        hash.add(formatVersion)
        hash.add(model.kind.rawValue)
        hash.add(model.refine ? "refined" : "raw")
        try hash.addFile(model.path)
        hash.add(URL(fileURLWithPath: input).standardizedFileURL.path)
        let first = FFmpeg.isSequence(input) ? FFmpeg.sequenceFiles(input).first ?? input : input
        if let attributes = try? FileManager.default.attributesOfItem(atPath: first) {
            hash.add("\((attributes[.size] as? NSNumber)?.int64Value ?? -1)")
            hash.add("\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)")
        }
        let parent = URL(fileURLWithPath: output).deletingLastPathComponent().path
        return (parent as NSString).appendingPathComponent("\(folderName)/\(hash.hex)")
    }

    /// Estimates every frame of `input` not yet in `folder` (progress as "depth", with an ETA);
    /// returns the cache's sequence pattern and the frame count.
    package static func fill(
        model settings: DepthModelSettings, input: String, folder: String, threads: Int, feedback: Feedback
    ) throws -> (pattern: String, frames: Int) {
        let info = try FFmpeg.probeClip(input)
        let pattern = (folder as NSString).appendingPathComponent("depth_%06d.exr")
        let total = info.frameCount
        var missing = 0
        if let total {
            for n in 0..<total where !FileManager.default.fileExists(atPath: String(format: pattern, n)) {
                missing += 1
            }
            if missing == 0 { return (pattern, total) }
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let model = try DepthModel(path: settings.path, kind: settings.kind, threads: threads)
        let estimator = DepthEstimator(model: model, refine: settings.refine, threads: threads)
        let size = model.inputSize(forFrameWidth: info.width, height: info.height)
        if missing > 0 {
            feedback.note(
                "estimating depth for \(missing) frame(s) of \(input) with \((settings.path as NSString).lastPathComponent) (network input \(size.width)×\(size.height)); cached in \(folder)"
            )
        }
        if let fixed = fixedSizeAspectMismatch(model: model, width: info.width, height: info.height) {
            feedback.warn(
                "\(settings.path) takes \(fixed) frames but \(input) is \(info.width)×\(info.height): the frame is stretched to fit; export the model at this aspect ratio for better depth"
            )
        }
        let reader = try FrameReader(path: input)
        defer { reader.close() }
        var frame: PlanarImage?
        var n = 0, done = 0
        while try reader.next(into: &frame) {
            let file = String(format: pattern, n)
            if !FileManager.default.fileExists(atPath: file), let frame {
                let depth = try estimator.estimate(frame, frameNumber: n)
                try EXRWriter.write(
                    [
                        EXRPart(
                            channels: [(settings.kind == .metric ? "Z" : "Y", depth.data)], half: false,
                            compression: .zip)
                    ],
                    width: depth.width, height: depth.height, to: file)
                done += 1
                feedback.progress("depth", done, total.map { _ in missing })
            }
            n += 1
        }
        if done > 0 { feedback.progress("depth", -1, nil) }
        guard n > 0 else { throw ShotError(.depthCount, file: input, "holds no frame to estimate depth from") }
        return (pattern, n)
    }

    /// Settings that read `settings.model`'s estimates for `input` (estimated now where the cache
    /// lacks them) as depth: inverse depth for a relative model, calibrated as such maps are;
    /// metres for a metric one. Settings without a model are returned as they are.
    package static func resolve(
        _ settings: DepthSettings, input: String, output: String, threads: Int, feedback: Feedback
    ) throws -> DepthSettings {
        guard let model = settings.model else { return settings }
        let folder = try cacheFolder(model: model, input: input, beside: output)
        let (pattern, frames) = try fill(
            model: model, input: input, folder: folder, threads: threads, feedback: feedback)
        var resolved = settings
        resolved.path = pattern
        resolved.kind = model.kind == .metric ? .metric : .inverse
        resolved.scale = nil
        resolved.channel = nil
        resolved.model = nil
        resolved.estimatedBy = model.path
        resolved.refine = false  // refined when estimated
        if frames == 1 { resolved.still = true }
        return resolved
    }

    /// "518×518" when the model's input size is fixed and its aspect ratio differs from the
    /// frame's by more than 5%.
    static func fixedSizeAspectMismatch(model: DepthModel, width: Int, height: Int) -> String? {
        guard model.inputShape[2] > 0, model.inputShape[3] > 0 else { return nil }
        let a = Double(model.inputShape[3]) / Double(model.inputShape[2]), b = Double(width) / Double(height)
        return abs(a / b - 1) > 0.05 ? "\(model.inputShape[3])×\(model.inputShape[2])" : nil
    }
}

/// 64-bit FNV-1a: a cache key, not a security hash.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        value = h
    }

    mutating func add(_ text: String) {
        var t = text + "\u{0}"
        t.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    /// Adds a file's bytes, read in 4 MB pieces.
    mutating func addFile(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ShotError(.options, file: path, "cannot read the model file; check the path")
        }
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { add($0) }
        }
    }

    var hex: String { String(format: "%016llx", value) }
}
