import Foundation
import RackFocusImage

/// What a depth model's output means.
public enum DepthModelKind: String, Sendable, CaseIterable {
    /// Relative inverse depth (disparity): bigger is nearer, unknown scale and shift (Depth Anything,
    /// MiDaS). Calibrated per shot to metres.
    case relative
    /// Metres.
    case metric
}

/// A monocular depth network in ONNX form, run through ONNX Runtime on the CPU.
///
/// The contract (docs/depth.md): one input, float32 [1, 3, H, W]: RGB, sRGB-encoded 0–1, minus the
/// ImageNet mean (0.485, 0.456, 0.406), divided by its std (0.229, 0.224, 0.225); H and W fixed in
/// the model, or dynamic (then 518 on the short side and the frame's aspect on the long side, both
/// multiples of 14). The first output, float32 [1, H', W'] or [1, 1, H', W'], is the depth at any
/// size: relative inverse depth (bigger = nearer), or metres for a `metric` model.
public final class DepthModel: @unchecked Sendable {
    public static let mean: SIMD3<Float> = [0.485, 0.456, 0.406]
    public static let std: SIMD3<Float> = [0.229, 0.224, 0.225]
    /// Short side of the input for models whose size is dynamic.
    public static let dynamicShortSide = 518
    public static let sizeMultiple = 14

    public let path: String
    public let kind: DepthModelKind
    /// The input's shape as the model declares it (−1: dynamic).
    public let inputShape: [Int64]
    /// The first output's declared shape (−1: dynamic).
    public let outputShape: [Int64]
    /// The runtime's version, for messages and cache keys.
    public var runtimeVersion: String { runtime.version }

    let runtime: OnnxRuntime
    private let session: OnnxRuntime.Handle
    private let memoryInfo: OnnxRuntime.Handle
    private let inputName: [CChar]
    private let outputName: [CChar]
    private let lock = NSLock()

    /// Loads the model and checks it against the contract.
    public init(path: String, kind: DepthModelKind = .relative, threads: Int) throws(DepthModelError) {
        self.path = path
        self.kind = kind
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw .load(file: path, "no such model file; give the path of an .onnx depth model (docs/depth.md)")
        }
        let rt = try OnnxRuntime.load()
        runtime = rt
        var options: OnnxRuntime.Handle?
        try rt.check(rt.createSessionOptions(&options)) { .load(file: path, $0) }
        defer { rt.releaseSessionOptions(options) }
        try rt.check(rt.setIntraOpNumThreads(options, Int32(max(1, threads)))) { .load(file: path, $0) }
        try rt.check(rt.setInterOpNumThreads(options, 1)) { .load(file: path, $0) }
        var session: OnnxRuntime.Handle?
        try rt.check(rt.createSession(rt.env, path, options, &session)) {
            .load(file: path, "ONNX Runtime cannot load it as a model: \($0)")
        }
        guard let session else { throw .load(file: path, "ONNX Runtime returned no session") }
        var memory: OnnxRuntime.Handle?
        // OrtDeviceAllocator (0), OrtMemTypeDefault (0): plain CPU memory we own.
        if let message = rt.message(rt.createCpuMemoryInfo(0, 0, &memory)) {
            rt.releaseSession(session)
            throw .load(file: path, message)
        }
        self.session = session
        self.memoryInfo = memory!
        do {
            var inputs = 0, outputs = 0
            try rt.check(rt.sessionGetInputCount(session, &inputs)) { .load(file: path, $0) }
            try rt.check(rt.sessionGetOutputCount(session, &outputs)) { .load(file: path, $0) }
            let expectedInput = "one input, float32 [1, 3, H, W] (RGB)"
            guard inputs == 1 else {
                throw DepthModelError.contract(file: path, found: "it has \(inputs) inputs", expected: expectedInput)
            }
            guard outputs >= 1 else {
                throw DepthModelError.contract(file: path, found: "it has no output", expected: expectedInput)
            }
            let input = try Self.tensorInfo(rt, session, index: 0, output: false, file: path)
            let output = try Self.tensorInfo(rt, session, index: 0, output: true, file: path)
            let okInput =
                input.type == 1 && input.shape.count == 4 && (input.shape[0] == 1 || input.shape[0] < 0)
                && input.shape[1] == 3 && input.shape[2] != 0 && input.shape[3] != 0
            guard okInput else {
                throw DepthModelError.contract(
                    file: path, found: "its input \"\(input.name)\" is \(Self.describe(input.type, input.shape))",
                    expected: expectedInput)
            }
            let s = output.shape
            let okOutput =
                output.type == 1
                && ((s.count == 3 && s[0] <= 1) || (s.count == 4 && s[0] <= 1 && s[1] <= 1))
                && s.allSatisfy { $0 != 0 }
            guard okOutput else {
                throw DepthModelError.contract(
                    file: path,
                    found: "its output \"\(output.name)\" is \(Self.describe(output.type, output.shape))",
                    expected: "\(expectedInput) and give float32 [1, H, W] or [1, 1, H, W] (depth)")
            }
            inputShape = input.shape
            outputShape = output.shape
            inputName = Array(input.name.utf8CString)
            outputName = Array(output.name.utf8CString)
        } catch let error as DepthModelError {
            rt.releaseMemoryInfo(memoryInfo)
            rt.releaseSession(session)
            throw error
        } catch {
            rt.releaseMemoryInfo(memoryInfo)
            rt.releaseSession(session)
            throw .load(file: path, "\(error)")
        }
    }

    deinit {
        runtime.releaseMemoryInfo(memoryInfo)
        runtime.releaseSession(session)
    }

    /// The network's input size for a frame of `width × height`: the model's own when fixed; when
    /// dynamic, 518 on the short side and the frame's aspect ratio on the long, multiples of 14.
    public func inputSize(forFrameWidth width: Int, height: Int) -> (width: Int, height: Int) {
        let short = Double(Self.dynamicShortSide), m = Double(Self.sizeMultiple)
        let aspect = Double(width) / Double(max(height, 1))
        let dynamicW = width >= height ? Int((short * aspect / m).rounded()) * Self.sizeMultiple : Self.dynamicShortSide
        let dynamicH =
            width >= height ? Self.dynamicShortSide : Int((short / aspect / m).rounded()) * Self.sizeMultiple
        let h = inputShape[2] > 0 ? Int(inputShape[2]) : max(dynamicH, Self.sizeMultiple)
        let w = inputShape[3] > 0 ? Int(inputShape[3]) : max(dynamicW, Self.sizeMultiple)
        return (w, h)
    }

    /// The network's input for a linear-light RGB frame: resized to `size` in linear light (halved
    /// by 2×2 boxes while it is at least twice the size, then bilinear: no aliasing, no ringing),
    /// sRGB-encoded, clamped to 0–1 and normalised by the ImageNet mean and std; planar R, G, B.
    public static func input(for frame: PlanarImage, size: (width: Int, height: Int)) -> [Float] {
        var small = frame
        while small.width >= 2 * size.width && small.height >= 2 * size.height { small = Resample.halve(small) }
        if small.width != size.width || small.height != size.height {
            let m = small.pixelCount
            var data: [Float] = []
            data.reserveCapacity(3 * size.width * size.height)
            for c in 0..<3 {
                data += DepthRefinement.bilinear(
                    Array(small.data[(c * m)..<((c + 1) * m)]), width: small.width, height: small.height,
                    to: size.width, size.height)
            }
            small = PlanarImage(width: size.width, height: size.height, channels: 3, data: data)
        }
        let n = size.width * size.height
        var out = [Float](repeating: 0, count: 3 * n)
        for c in 0..<3 {
            let m = mean[c], inv = 1 / std[c]
            for i in 0..<n {
                let v = ColorTransfer.linearToSRGB(min(max(small.data[c * n + i], 0), 1))
                out[c * n + i] = (v - m) * inv
            }
        }
        return out
    }

    /// The raw output for one frame (linear-light RGB, any size): the model's depth at the size it
    /// gives, as one plane.
    public func infer(_ frame: PlanarImage, frameNumber: Int? = nil) throws(DepthModelError) -> PlanarImage {
        let size = inputSize(forFrameWidth: frame.width, height: frame.height)
        var data = Self.input(for: frame, size: size)
        return try run(&data, width: size.width, height: size.height, frame: frameNumber)
    }

    /// Runs the network on a prepared input ([1, 3, height, width], planar).
    public func run(_ data: inout [Float], width: Int, height: Int, frame: Int? = nil) throws(DepthModelError)
        -> PlanarImage
    {
        lock.lock()
        defer { lock.unlock() }
        let rt = runtime, file = path
        let shape: [Int64] = [1, 3, Int64(height), Int64(width)]
        var value: OnnxRuntime.Handle?
        let created = data.withUnsafeMutableBytes { bytes in
            shape.withUnsafeBufferPointer { s in
                rt.createTensorWithData(memoryInfo, bytes.baseAddress, bytes.count, s.baseAddress, 4, 1, &value)
            }
        }
        try rt.check(created) { .run(file: file, frame: frame, $0) }
        defer { rt.releaseValue(value) }
        var output: OnnxRuntime.Handle?
        let status = inputName.withUnsafeBufferPointer { inName in
            outputName.withUnsafeBufferPointer { outName in
                var inNames: [UnsafePointer<CChar>?] = [inName.baseAddress]
                var outNames: [UnsafePointer<CChar>?] = [outName.baseAddress]
                var inputs: [OnnxRuntime.Handle?] = [value]
                return rt.run(session, nil, &inNames, &inputs, 1, &outNames, 1, &output)
            }
        }
        try rt.check(status) { .run(file: file, frame: frame, $0) }
        defer { rt.releaseValue(output) }
        var info: OnnxRuntime.Handle?
        try rt.check(rt.getTensorTypeAndShape(output, &info)) { .run(file: file, frame: frame, $0) }
        defer { rt.releaseTensorTypeAndShapeInfo(info) }
        var type: Int32 = 0, rank = 0
        try rt.check(rt.getTensorElementType(info, &type)) { .run(file: file, frame: frame, $0) }
        try rt.check(rt.getDimensionsCount(info, &rank)) { .run(file: file, frame: frame, $0) }
        var dims = [Int64](repeating: 0, count: max(rank, 1))
        try rt.check(rt.getDimensions(info, &dims, rank)) { .run(file: file, frame: frame, $0) }
        dims = Array(dims.prefix(rank))
        let leading = dims.dropLast(2)
        guard type == 1, rank == 3 || rank == 4, leading.allSatisfy({ $0 == 1 }), dims[rank - 1] > 0,
            dims[rank - 2] > 0
        else {
            throw .contract(
                file: file, found: "its output for a \(width)×\(height) input is \(Self.describe(type, dims))",
                expected: "float32 [1, 3, H, W] and give float32 [1, H, W] or [1, 1, H, W]")
        }
        let oh = Int(dims[rank - 2]), ow = Int(dims[rank - 1])
        var raw: UnsafeMutableRawPointer?
        try rt.check(rt.getTensorMutableData(output, &raw)) { .run(file: file, frame: frame, $0) }
        guard let raw else { throw .run(file: file, frame: frame, "the output holds no data") }
        let values = raw.bindMemory(to: Float.self, capacity: ow * oh)
        return PlanarImage(
            width: ow, height: oh, channels: 1, data: Array(UnsafeBufferPointer(start: values, count: ow * oh)))
    }

    /// Name, element type and shape of input or output `index`.
    private static func tensorInfo(
        _ rt: OnnxRuntime, _ session: OnnxRuntime.Handle, index: Int, output: Bool, file: String
    ) throws(DepthModelError) -> (name: String, type: Int32, shape: [Int64]) {
        var allocator: OnnxRuntime.Handle?
        try rt.check(rt.getAllocatorWithDefaultOptions(&allocator)) { .load(file: file, $0) }
        var namePointer: UnsafeMutablePointer<CChar>?
        try rt.check(
            output
                ? rt.sessionGetOutputName(session, index, allocator, &namePointer)
                : rt.sessionGetInputName(session, index, allocator, &namePointer)
        ) { .load(file: file, $0) }
        let name = namePointer.map { String(cString: $0) } ?? "?"
        _ = rt.message(rt.allocatorFree(allocator, namePointer))
        var typeInfo: OnnxRuntime.Handle?
        try rt.check(
            output
                ? rt.sessionGetOutputTypeInfo(session, index, &typeInfo)
                : rt.sessionGetInputTypeInfo(session, index, &typeInfo)
        ) { .load(file: file, $0) }
        defer { rt.releaseTypeInfo(typeInfo) }
        var onnxType: Int32 = 0
        try rt.check(rt.getOnnxTypeFromTypeInfo(typeInfo, &onnxType)) { .load(file: file, $0) }
        guard onnxType == 1 else { return (name, -1, []) }
        var tensor: OnnxRuntime.Handle?
        try rt.check(rt.castTypeInfoToTensorInfo(typeInfo, &tensor)) { .load(file: file, $0) }
        var type: Int32 = 0, rank = 0
        try rt.check(rt.getTensorElementType(tensor, &type)) { .load(file: file, $0) }
        try rt.check(rt.getDimensionsCount(tensor, &rank)) { .load(file: file, $0) }
        var dims = [Int64](repeating: 0, count: max(rank, 1))
        try rt.check(rt.getDimensions(tensor, &dims, rank)) { .load(file: file, $0) }
        return (name, type, Array(dims.prefix(rank)))
    }

    /// "float32 [1, 3, ?, ?]": an element type and a shape (? = dynamic).
    static func describe(_ type: Int32, _ shape: [Int64]) -> String {
        let names: [Int32: String] = [
            -1: "not a tensor", 1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
            8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 16: "bfloat16",
        ]
        let t = names[type] ?? "element type \(type)"
        guard type != -1 else { return t }
        return "\(t) [\(shape.map { $0 < 0 ? "?" : String($0) }.joined(separator: ", "))]"
    }
}
