import Foundation
import RackFocusOptics

/// A frame ready to blur: linear colour, each pixel's signed circle of confusion, and the hidden
/// layer — what a real lens sees around the edge of a nearer object, which the sharp frame lacks.
///
/// Signed CoC diameters are in pixels of this frame (framed as at infinity focus; see
/// `Camera.frameBlurModel`): negative in front of the focus plane, positive behind; they increase
/// with distance, so sorting by CoC sorts by depth.
///
/// The hidden layer (see docs/render-model.md): pixels on the near side of a depth edge, within
/// reach of the largest blur, get a second splat behind them whose colour and CoC are filled in by
/// pull-push from the pixels that are not near-side (the background around the edge).
public struct DefocusScene: Sendable {
    public let width: Int
    public let height: Int
    /// Linear RGB, 3 planes.
    public let color: [Float]
    /// Signed CoC diameter per pixel (px).
    public let coc: [Float]
    /// Pixel index of each hidden splat.
    public let hiddenIndex: [Int32]
    /// Hidden splat colours, interleaved RGB.
    public let hiddenColor: [Float]
    /// Hidden splat signed CoC diameters.
    public let hiddenCoC: [Float]
    /// Largest splat radius (px).
    public let maxRadius: Float

    /// A depth step larger than this (in CoC diameter, px) between neighbours is a depth edge.
    public static let edgeThreshold: Float = 1

    public init(image: PlanarImage, depth: PlanarImage, camera: Camera, focus: Distance, hiddenLayer: Bool = true) throws(RenderError) {
        guard image.width == depth.width, image.height == depth.height else {
            throw .sizeMismatch(image: (image.width, image.height), depth: (depth.width, depth.height))
        }
        precondition(image.channels == 3 && depth.channels == 1, "colour needs 3 planes and depth 1")
        let w = image.width, h = image.height, n = w * h
        var cam = camera
        cam.resolution = Resolution(width: w, height: h)
        let model = cam.frameBlurModel(focus: focus)
        let offset = Float(model.offsetPixels), slope = Float(model.pixelsPerDioptre)
        var coc = [Float](repeating: 0, count: n)
        var maxR: Float = 0
        for i in 0..<n {
            let d = depth.data[i]
            guard d.isFinite, d > 0 else { throw .badDepth(x: i % w, y: i / w, value: d) }
            let c = offset + slope / d
            coc[i] = c
            maxR = max(maxR, abs(c) / 2)
        }
        self.width = w
        self.height = h
        self.color = image.data
        self.coc = coc

        var hIndex: [Int32] = [], hColor: [Float] = [], hCoC: [Float] = []
        if hiddenLayer {
            (hIndex, hColor, hCoC) = Self.hiddenLayer(color: image.data, coc: coc, width: w, height: h, reach: maxR)
            for c in hCoC { maxR = max(maxR, abs(c) / 2) }
        }
        self.hiddenIndex = hIndex
        self.hiddenColor = hColor
        self.hiddenCoC = hCoC
        self.maxRadius = maxR
    }

    static func hiddenLayer(color: [Float], coc: [Float], width w: Int, height h: Int, reach: Float)
        -> ([Int32], [Float], [Float]) {
        let n = w * h, tau = edgeThreshold
        // Near side of a depth edge: a neighbour is farther by more than tau.
        var edge = [Bool](repeating: false, count: n)
        var anyEdge = false
        for y in 0..<h {
            for x in 0..<w {
                let c = coc[y * w + x]
                var far = c
                for dy in -1...1 {
                    let yy = y + dy
                    if yy < 0 || yy >= h { continue }
                    for dx in -1...1 {
                        let xx = x + dx
                        if xx < 0 || xx >= w { continue }
                        far = max(far, coc[yy * w + xx])
                    }
                }
                if far - c > tau { edge[y * w + x] = true; anyEdge = true }
            }
        }
        guard anyEdge else { return ([], [], []) }
        // Grow the edge into the near side as far as the largest blur can reveal.
        let radius = Int(reach.rounded(.up)) + 1
        let farthest = MaxFilter.apply(coc, width: w, height: h, radius: radius)
        let grown = MaxFilter.dilate(edge, width: w, height: h, radius: radius)
        var hole = [Bool](repeating: false, count: n)
        for i in 0..<n where grown[i] && farthest[i] - coc[i] > tau { hole[i] = true }
        // Fill colour and CoC behind the holes from everything else.
        var planes = [Float](repeating: 0, count: 4 * n)
        for i in 0..<n {
            planes[i] = color[i]; planes[n + i] = color[n + i]; planes[2 * n + i] = color[2 * n + i]
            planes[3 * n + i] = coc[i]
        }
        let filled = PullPush.fill(planes: planes, channels: 4, width: w, height: h, valid: hole.map { !$0 })
        var index: [Int32] = [], rgb: [Float] = [], hc: [Float] = []
        for i in 0..<n where hole[i] {
            index.append(Int32(i))
            rgb.append(filled[i]); rgb.append(filled[n + i]); rgb.append(filled[2 * n + i])
            hc.append(max(filled[3 * n + i], coc[i] + tau))
        }
        return (index, rgb, hc)
    }
}
