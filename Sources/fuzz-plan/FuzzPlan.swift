import Foundation
import RackFocusPlan

/// The plan loader under a fuzzer: any bytes go through the loader and, when they load, through
/// everything `plan`, `prompt` and `program` compute from a plan. Nothing may trap, hang or read out
/// of bounds (scripts/fuzz-plan.sh builds this with `-sanitize=fuzzer,address -DFUZZING`; built
/// plainly, it replays the files it is given, e.g. a crash the fuzzer saved).
func exercise(_ data: Data) {
    guard let text = String(data: data, encoding: .utf8),
        let plan = try? ShotPlan.parse(text, file: "fuzz.yaml"), plan.depthOnlyTargets.isEmpty
    else { return }
    let report = PlanReport(plan: plan)
    _ = try? JSONEncoder().encode(report)
    for style in RackPrompt.Style.allCases { _ = RackPrompt.text(for: plan, style: style) }
    if plan.duration <= 60 { _ = MotorProgram(plan: plan, rate: 25) }
}

#if FUZZING
    /// libFuzzer's driver, run from this program's own entry point (SwiftPM owns `main`).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif

@main
struct FuzzPlan {
    static func main() {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(
                LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
                    exercise(bytes.map { Data(bytes: $0, count: count) } ?? Data())
                    return 0
                })
        #else
            let files = CommandLine.arguments.dropFirst()
            for path in files {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("fuzz-plan: cannot read \(path)\n".utf8))
                    exit(1)
                }
                exercise(data)
            }
            print("fuzz-plan: \(files.count) input(s) replayed without a fault")
        #endif
    }
}
