import Foundation
import RackFocusOptics

/// The discrete, anti-aliased footprint of one pixel's blur: the aperture shape scaled to the
/// pixel's circle of confusion, as one horizontal span per image row.
///
/// Row `dy` of a splat of radius r covers the interval [lo, hi] (pixels, relative to the splat's
/// centre): the width is the shape's mean width over four sub-rows of that row, centred on their
/// mean centre, so rows at the rim get partial coverage (vertical anti-aliasing). A pixel at
/// column offset dx receives the length of overlap between [dx − ½, dx + ½] and [lo, hi]
/// (horizontal anti-aliasing). Weights are divided by the footprint's total area, so every splat
/// deposits exactly its pixel's energy.
///
/// Spans are tabulated for radii 0.5, 0.5 + 1/8, ... and interpolated linearly in between, so the
/// footprint — and a rendered rack — changes continuously with focus. Radii below 0.5 px (in focus)
/// use 0.5: the splat stays inside its own pixel. Both renderers use this one definition.
public struct ApertureKernel: Sendable {
    public static let radiusStep: Float = 0.125
    public static let minimumRadius: Float = 0.5

    public let shape: ApertureShape
    public let squeeze: Double
    /// Largest radius tabulated (px).
    public let maxRadius: Float
    /// For table radius k: number of rows above/below the centre.
    @usableFromInline package let reach: [Int32]
    /// For table radius k: index of its first row in `lo`/`hi`.
    @usableFromInline package let firstRow: [Int32]
    @usableFromInline package let lo: [Float]
    @usableFromInline package let hi: [Float]
    @usableFromInline package let area: [Float]

    /// Builds the span table for radii up to `maxRadius` pixels.
    public init(shape: ApertureShape, squeeze: Double = 1, maxRadius: Float) {
        self.shape = shape
        self.squeeze = squeeze
        let top = max(maxRadius, Self.minimumRadius) + 2 * Self.radiusStep
        self.maxRadius = top
        let (unitLeft, unitRight) = Self.unitShape(shape, squeeze: squeeze)
        let n = unitLeft.count
        let count = Int(((top - Self.minimumRadius) / Self.radiusStep).rounded(.up)) + 2
        var reach = [Int32](), firstRow = [Int32](), lo = [Float](), hi = [Float](), area = [Float]()
        reach.reserveCapacity(count)
        for k in 0..<count {
            let r = Self.minimumRadius + Float(k) * Self.radiusStep
            let m = Int((r + 0.375).rounded(.down))
            reach.append(Int32(m))
            firstRow.append(Int32(lo.count))
            var total: Float = 0
            for dy in -m...m {
                var widthSum: Float = 0, centreSum: Float = 0
                for sub in [-0.375, -0.125, 0.125, 0.375] as [Float] {
                    let y = (Float(dy) + sub) / r
                    guard abs(y) <= 1 else { continue }
                    let f = (y + 1) / 2 * Float(n - 1)
                    let i = min(Int(f), n - 2), t = f - Float(i)
                    let l = (unitLeft[i] * (1 - t) + unitLeft[i + 1] * t) * r
                    let h = (unitRight[i] * (1 - t) + unitRight[i + 1] * t) * r
                    widthSum += max(0, h - l)
                    centreSum += max(0, h - l) * (l + h) / 2
                }
                let width = widthSum / 4
                let centre = widthSum > 0 ? centreSum / widthSum : 0
                lo.append(centre - width / 2)
                hi.append(centre + width / 2)
                total += width
            }
            area.append(total)
        }
        self.reach = reach
        self.firstRow = firstRow
        self.lo = lo
        self.hi = hi
        self.area = area
    }

    /// Where a radius falls in the table: entry k and the fraction t toward k + 1.
    @inlinable @inline(__always)
    public func position(radius: Float) -> (k: Int, t: Float) {
        let u = (min(max(radius, Self.minimumRadius), maxRadius) - Self.minimumRadius) / Self.radiusStep
        let k = min(Int(u), reach.count - 2)
        return (k, u - Float(k))
    }

    /// Rows the footprint of this radius reaches above and below its centre.
    @inlinable @inline(__always)
    public func reach(k: Int) -> Int { Int(reach[k + 1]) }

    /// Total area of the interpolated footprint (px²).
    @inlinable @inline(__always)
    public func area(k: Int, t: Float) -> Float { area[k] * (1 - t) + area[k + 1] * t }

    /// The span of row `dy` of the interpolated footprint.
    @inlinable @inline(__always)
    public func span(k: Int, t: Float, dy: Int) -> (lo: Float, hi: Float) {
        let mb = Int(reach[k + 1])
        let ib = Int(firstRow[k + 1]) + dy + mb
        let lb = lo[ib], hb = hi[ib]
        let ma = Int(reach[k])
        var la = (lb + hb) / 2, ha = la
        if dy >= -ma && dy <= ma {
            let ia = Int(firstRow[k]) + dy + ma
            la = lo[ia]
            ha = hi[ia]
        }
        return (la * (1 - t) + lb * t, ha * (1 - t) + hb * t)
    }

    /// Weight a splat of radius r deposits at offset (dx, dy) from its centre (sums to 1 over all offsets).
    public func weight(radius: Float, dx: Int, dy: Int) -> Float {
        let (k, t) = position(radius: radius)
        guard abs(dy) <= reach(k: k) else { return 0 }
        let (l, h) = span(k: k, t: t, dy: dy)
        let overlap = min(Float(dx) + 0.5, h) - max(Float(dx) - 0.5, l)
        return overlap > 0 ? overlap / area(k: k, t: t) : 0
    }

    /// Left and right extents of the unit shape (circumradius 1) at 1025 heights from −1 to 1.
    ///
    /// Circle: ±√(1 − y²). N blades: the regular N-gon inscribed in the unit circle, rotated as
    /// Blender/Cycles rotate it, its boundary radius blended toward the circle by `curvature`.
    /// Squeeze narrows x.
    package static func unitShape(_ shape: ApertureShape, squeeze: Double) -> ([Float], [Float]) {
        let n = 1025
        var left = [Float](repeating: 0, count: n), right = [Float](repeating: 0, count: n)
        let sx = Float(1 / squeeze)
        if shape.blades < 3 || shape.curvature >= 1 {
            for i in 0..<n {
                let y = -1 + 2 * Float(i) / Float(n - 1)
                let w = (max(0, 1 - y * y)).squareRoot()
                left[i] = -w * sx
                right[i] = w * sx
            }
            return (left, right)
        }
        // Trace the boundary and record, per height bin, the extreme x it reaches.
        left = [Float](repeating: .infinity, count: n)
        right = [Float](repeating: -.infinity, count: n)
        // Blender/Cycles's convention, so a plate and a CG render agree: at rotation 0 the polygon
        // has a flat side facing right (vertices at ±180°/N from the +x axis) and a positive
        // rotation turns it counter-clockwise on screen. Here rows run down the screen, so the
        // first vertex sits at −(rotation + 180°/N). Checked against a Cycles render
        // (ApertureKernelTests.bladesTurnAsInBlender).
        let blades = Double(shape.blades), rot = -(shape.rotationDegrees * .pi / 180 + .pi / blades)
        let sector = 2 * Double.pi / blades
        func boundary(_ phi: Double) -> (Double, Double) {
            var a = (phi - rot).truncatingRemainder(dividingBy: sector)
            if a < 0 { a += sector }
            let poly = cos(.pi / blades) / cos(a - .pi / blades)
            let r = (1 - shape.curvature) * poly + shape.curvature
            return (r * cos(phi), r * sin(phi))
        }
        let steps = 8192
        var prev = boundary(0)
        for s in 1...steps {
            let p = boundary(2 * .pi * Double(s) / Double(steps))
            let (y0, y1) = (min(prev.1, p.1), max(prev.1, p.1))
            let i0 = max(0, Int(((y0 + 1) / 2 * Double(n - 1)).rounded(.up)))
            let i1 = min(n - 1, Int(((y1 + 1) / 2 * Double(n - 1)).rounded(.down)))
            if i0 <= i1 {
                for i in i0...i1 {
                    let y = -1 + 2 * Double(i) / Double(n - 1)
                    let t = p.1 == prev.1 ? 0 : (y - prev.1) / (p.1 - prev.1)
                    let x = Float(prev.0 + (p.0 - prev.0) * t)
                    left[i] = min(left[i], x)
                    right[i] = max(right[i], x)
                }
            }
            prev = p
        }
        for i in 0..<n where left[i] > right[i] { left[i] = 0; right[i] = 0 }
        return (left.map { $0 * sx }, right.map { $0 * sx })
    }
}
