import Dispatch
import RackFocusRender
func t(_ label: String, _ body: () throws -> Void) rethrows {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    print(label, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6, "ms")
}
let s = BenchmarkScene.make(width: 1920, height: 1080, maxCoC: 40)
var scene: DefocusScene!
try t("scene+hidden") { scene = try DefocusScene(image: s.image, depth: s.depth, camera: BenchmarkScene.camera, focus: BenchmarkScene.focus) }
try t("scene only") { _ = try DefocusScene(image: s.image, depth: s.depth, camera: BenchmarkScene.camera, focus: BenchmarkScene.focus, hiddenLayer: false) }
print("hidden splats", scene.hiddenCoC.count, "maxR", scene.maxRadius)
var k: ApertureKernel!
t("kernel") { k = ApertureKernel(shape: .circle, maxRadius: scene.maxRadius) }
let r = LayeredRenderer(threads: 1)

t("layers") { print(r._layerStatistics(scene, kernel: k)) }
t("render 1t") { _ = r.render(scene: scene, kernel: k) }
