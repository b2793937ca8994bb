/// What can go wrong with a depth model: each names the file and the fix.
public enum DepthModelError: Error, CustomStringConvertible, Equatable {
    /// ONNX Runtime's library is not where RackFocus looks, or is not that library.
    case runtimeMissing(String)
    /// The model file is missing or ONNX Runtime cannot load it.
    case load(file: String, String)
    /// The model's inputs or outputs break the contract (docs/depth.md).
    case contract(file: String, found: String, expected: String)
    /// Inference failed on a frame.
    case run(file: String, frame: Int?, String)

    public var description: String {
        switch self {
        case .runtimeMissing(let why):
            return
                "\(why); install it with scripts/install-onnxruntime.sh, or set RACKFOCUS_ONNXRUNTIME to its libonnxruntime.so"
        case .load(let file, let why):
            return "\(file): \(why)"
        case .contract(let file, let found, let expected):
            return "\(file): \(found); a depth model must take \(expected) (docs/depth.md, the model contract)"
        case .run(let file, let frame, let why):
            return "\(file)\(frame.map { ", frame \($0)" } ?? ""): inference failed: \(why)"
        }
    }
}
