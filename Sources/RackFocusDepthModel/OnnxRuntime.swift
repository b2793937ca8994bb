import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// ONNX Runtime's C API, loaded at run time with `dlopen`: no header, no link-time dependency.
///
/// The library exports one symbol, `OrtGetApiBase`, whose `GetApi(version)` returns the API table:
/// a C struct of function pointers that only ever grows at its end, so an entry's index never
/// changes. RackFocus asks for `apiVersion` (13, ONNX Runtime 1.13) and uses the entries below,
/// each declared with its index in that table (`OrtApi` in `onnxruntime_c_api.h`) and its C
/// signature. Every entry but the releases returns an `OrtStatus*`, null on success.
///
/// Where the library is looked for, in order: `RACKFOCUS_ONNXRUNTIME` (the library file, or a
/// folder holding `libonnxruntime.so`), `${XDG_DATA_HOME:-~/.local/share}/rackfocus/onnxruntime`
/// (where `scripts/install-onnxruntime.sh` puts it), then the system's library path.
package final class OnnxRuntime: @unchecked Sendable {
    package static let apiVersion: UInt32 = 13

    /// Handles ONNX Runtime hands out (`OrtEnv*`, `OrtSession*`, `OrtValue*`, ...).
    package typealias Handle = OpaquePointer
    typealias Status = OpaquePointer?

    // Index in OrtApi, then the C signature.
    /// 2: `const char* GetErrorMessage(const OrtStatus*)`
    let getErrorMessage: @convention(c) (Handle?) -> UnsafePointer<CChar>?
    /// 3: `CreateEnv(OrtLoggingLevel, const char* logid, OrtEnv** out)`
    let createEnv: @convention(c) (Int32, UnsafePointer<CChar>?, UnsafeMutablePointer<Handle?>?) -> Status
    /// 7: `CreateSession(const OrtEnv*, const char* model_path, const OrtSessionOptions*, OrtSession** out)`
    let createSession:
        @convention(c) (Handle?, UnsafePointer<CChar>?, Handle?, UnsafeMutablePointer<Handle?>?) -> Status
    /// 9: `Run(OrtSession*, const OrtRunOptions*, const char* const* input_names, const OrtValue* const* inputs,
    /// size_t input_len, const char* const* output_names, size_t output_len, OrtValue** outputs)`
    let run:
        @convention(c) (
            Handle?, Handle?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Handle?>?, Int,
            UnsafePointer<UnsafePointer<CChar>?>?, Int, UnsafeMutablePointer<Handle?>?
        ) -> Status
    /// 10: `CreateSessionOptions(OrtSessionOptions** out)`
    let createSessionOptions: @convention(c) (UnsafeMutablePointer<Handle?>?) -> Status
    /// 24: `SetIntraOpNumThreads(OrtSessionOptions*, int)`
    let setIntraOpNumThreads: @convention(c) (Handle?, Int32) -> Status
    /// 25: `SetInterOpNumThreads(OrtSessionOptions*, int)`
    let setInterOpNumThreads: @convention(c) (Handle?, Int32) -> Status
    /// 30 / 31: `SessionGetInputCount` / `SessionGetOutputCount(const OrtSession*, size_t* out)`
    let sessionGetInputCount: @convention(c) (Handle?, UnsafeMutablePointer<Int>?) -> Status
    let sessionGetOutputCount: @convention(c) (Handle?, UnsafeMutablePointer<Int>?) -> Status
    /// 33 / 34: `SessionGetInputTypeInfo` / `SessionGetOutputTypeInfo(const OrtSession*, size_t, OrtTypeInfo** out)`
    let sessionGetInputTypeInfo: @convention(c) (Handle?, Int, UnsafeMutablePointer<Handle?>?) -> Status
    let sessionGetOutputTypeInfo: @convention(c) (Handle?, Int, UnsafeMutablePointer<Handle?>?) -> Status
    /// 36 / 37: `SessionGetInputName` / `SessionGetOutputName(const OrtSession*, size_t, OrtAllocator*, char** out)`
    let sessionGetInputName:
        @convention(c) (Handle?, Int, Handle?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Status
    let sessionGetOutputName:
        @convention(c) (Handle?, Int, Handle?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Status
    /// 49: `CreateTensorWithDataAsOrtValue(const OrtMemoryInfo*, void* data, size_t bytes, const int64_t* shape,
    /// size_t shape_len, ONNXTensorElementDataType, OrtValue** out)`
    let createTensorWithData:
        @convention(c) (
            Handle?, UnsafeMutableRawPointer?, Int, UnsafePointer<Int64>?, Int, Int32, UnsafeMutablePointer<Handle?>?
        ) -> Status
    /// 51: `GetTensorMutableData(OrtValue*, void** out)`
    let getTensorMutableData: @convention(c) (Handle?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Status
    /// 55: `CastTypeInfoToTensorInfo(const OrtTypeInfo*, const OrtTensorTypeAndShapeInfo** out)` (not to be released)
    let castTypeInfoToTensorInfo: @convention(c) (Handle?, UnsafeMutablePointer<Handle?>?) -> Status
    /// 56: `GetOnnxTypeFromTypeInfo(const OrtTypeInfo*, enum ONNXType* out)` (1 = tensor)
    let getOnnxTypeFromTypeInfo: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?) -> Status
    /// 60: `GetTensorElementType(const OrtTensorTypeAndShapeInfo*, ONNXTensorElementDataType* out)` (1 = float)
    let getTensorElementType: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?) -> Status
    /// 61: `GetDimensionsCount(const OrtTensorTypeAndShapeInfo*, size_t* out)`
    let getDimensionsCount: @convention(c) (Handle?, UnsafeMutablePointer<Int>?) -> Status
    /// 62: `GetDimensions(const OrtTensorTypeAndShapeInfo*, int64_t* values, size_t count)` (−1: dynamic)
    let getDimensions: @convention(c) (Handle?, UnsafeMutablePointer<Int64>?, Int) -> Status
    /// 65: `GetTensorTypeAndShape(const OrtValue*, OrtTensorTypeAndShapeInfo** out)`
    let getTensorTypeAndShape: @convention(c) (Handle?, UnsafeMutablePointer<Handle?>?) -> Status
    /// 69: `CreateCpuMemoryInfo(OrtAllocatorType, OrtMemType, OrtMemoryInfo** out)`
    let createCpuMemoryInfo: @convention(c) (Int32, Int32, UnsafeMutablePointer<Handle?>?) -> Status
    /// 76: `AllocatorFree(OrtAllocator*, void*)`
    let allocatorFree: @convention(c) (Handle?, UnsafeMutableRawPointer?) -> Status
    /// 78: `GetAllocatorWithDefaultOptions(OrtAllocator** out)` (not to be released)
    let getAllocatorWithDefaultOptions: @convention(c) (UnsafeMutablePointer<Handle?>?) -> Status
    /// 92-100: `ReleaseEnv`, `ReleaseStatus`, `ReleaseMemoryInfo`, `ReleaseSession`, `ReleaseValue`,
    /// (97 `ReleaseRunOptions`,) `ReleaseTypeInfo`, `ReleaseTensorTypeAndShapeInfo`, `ReleaseSessionOptions`.
    let releaseEnv, releaseStatus, releaseMemoryInfo, releaseSession, releaseValue, releaseTypeInfo,
        releaseTensorTypeAndShapeInfo, releaseSessionOptions: @convention(c) (Handle?) -> Void

    /// The library's file and its version string.
    package let path: String
    package let version: String
    /// One environment for the process (ONNX Runtime allows one).
    let env: Handle

    private static let shared = Mutex<OnnxRuntime?>(nil)

    /// The runtime, loaded once per process.
    package static func load() throws(DepthModelError) -> OnnxRuntime {
        do {
            return try shared.withLock { (slot: inout OnnxRuntime?) throws(DepthModelError) -> OnnxRuntime in
                if let slot { return slot }
                let runtime = try OnnxRuntime()
                slot = runtime
                return runtime
            }
        }
    }

    /// The places looked in, in order, for messages.
    package static var searchPaths: [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["RACKFOCUS_ONNXRUNTIME"], !env.isEmpty {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: env, isDirectory: &isDir), isDir.boolValue {
                paths.append((env as NSString).appendingPathComponent("libonnxruntime.so"))
            } else {
                paths.append(env)
            }
            return paths
        }
        let data =
            ProcessInfo.processInfo.environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        paths.append((data as NSString).appendingPathComponent("rackfocus/onnxruntime/libonnxruntime.so"))
        paths.append("libonnxruntime.so")
        paths.append("libonnxruntime.so.1")
        return paths
    }

    private init() throws(DepthModelError) {
        var handle: UnsafeMutableRawPointer?
        var tried: [String] = [], found = ""
        for candidate in Self.searchPaths {
            tried.append(candidate)
            if let h = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
                handle = h
                found = candidate
                break
            }
        }
        let path = found
        self.path = found
        guard let handle else {
            let env = ProcessInfo.processInfo.environment["RACKFOCUS_ONNXRUNTIME"]
            throw .runtimeMissing(
                env.map { "RACKFOCUS_ONNXRUNTIME=\($0) does not name ONNX Runtime's library (\(Self.lastDLError()))" }
                    ?? "ONNX Runtime is not installed (looked in \(tried.joined(separator: ", ")))")
        }
        guard let symbol = dlsym(handle, "OrtGetApiBase") else {
            throw .runtimeMissing("\(path) is not ONNX Runtime's library (it has no OrtGetApiBase)")
        }
        typealias GetApiBase = @convention(c) () -> UnsafePointer<UnsafeRawPointer?>?
        // OrtApiBase: { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
        guard let base = unsafeBitCast(symbol, to: GetApiBase.self)(), let getApiPointer = base[0],
            let versionPointer = base[1]
        else { throw .runtimeMissing("\(path): OrtGetApiBase returned nothing") }
        typealias GetApi = @convention(c) (UInt32) -> UnsafePointer<UnsafeRawPointer?>?
        typealias GetVersion = @convention(c) () -> UnsafePointer<CChar>?
        let version = unsafeBitCast(versionPointer, to: GetVersion.self)().map { String(cString: $0) } ?? "?"
        self.version = version
        guard let table = unsafeBitCast(getApiPointer, to: GetApi.self)(Self.apiVersion) else {
            throw .runtimeMissing(
                "\(path) is ONNX Runtime \(version), older than 1.\(Self.apiVersion) (API \(Self.apiVersion))")
        }
        func entry<F>(_ index: Int) -> F { unsafeBitCast(table[index]!, to: F.self) }
        getErrorMessage = entry(2)
        createEnv = entry(3)
        createSession = entry(7)
        run = entry(9)
        createSessionOptions = entry(10)
        setIntraOpNumThreads = entry(24)
        setInterOpNumThreads = entry(25)
        sessionGetInputCount = entry(30)
        sessionGetOutputCount = entry(31)
        sessionGetInputTypeInfo = entry(33)
        sessionGetOutputTypeInfo = entry(34)
        sessionGetInputName = entry(36)
        sessionGetOutputName = entry(37)
        createTensorWithData = entry(49)
        getTensorMutableData = entry(51)
        castTypeInfoToTensorInfo = entry(55)
        getOnnxTypeFromTypeInfo = entry(56)
        getTensorElementType = entry(60)
        getDimensionsCount = entry(61)
        getDimensions = entry(62)
        getTensorTypeAndShape = entry(65)
        createCpuMemoryInfo = entry(69)
        allocatorFree = entry(76)
        getAllocatorWithDefaultOptions = entry(78)
        releaseEnv = entry(92)
        releaseStatus = entry(93)
        releaseMemoryInfo = entry(94)
        releaseSession = entry(95)
        releaseValue = entry(96)
        releaseTypeInfo = entry(98)
        releaseTensorTypeAndShapeInfo = entry(99)
        releaseSessionOptions = entry(100)
        // Logging level 3 = errors only: problems come back as statuses and are reported by us.
        var env: Handle?
        let status = createEnv(3, "rackfocus", &env)
        if let message = Self.message(of: status, getErrorMessage, releaseStatus) {
            throw .runtimeMissing("\(path): ONNX Runtime could not start: \(message)")
        }
        guard let env else { throw .runtimeMissing("\(path): ONNX Runtime could not start") }
        self.env = env
    }

    private static func lastDLError() -> String { dlerror().map { String(cString: $0) } ?? "cannot be loaded" }

    private static func message(
        of status: Status, _ getMessage: @convention(c) (Handle?) -> UnsafePointer<CChar>?,
        _ release: @convention(c) (Handle?) -> Void
    ) -> String? {
        guard let status else { return nil }
        defer { release(status) }
        return getMessage(status).map { String(cString: $0) } ?? "unknown error"
    }

    /// The message of an error status (released), or nil on success.
    func message(_ status: Status) -> String? { Self.message(of: status, getErrorMessage, releaseStatus) }

    /// Throws `make(message)` when `status` is an error, releasing it.
    func check(_ status: Status, _ make: (String) -> DepthModelError) throws(DepthModelError) {
        if let message = Self.message(of: status, getErrorMessage, releaseStatus) { throw make(message) }
    }
}

/// A lock around a value (Foundation's NSLock; the standard library's Mutex needs macOS 15 / Swift 6 Synchronization).
final class Mutex<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
