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
///
/// With a cat's eye (`CatEye`), each splat's footprint is also clipped by the lens barrel, which
/// depends on where the splat sits in the frame (`Lens`): row by row, the span is intersected with
/// the spans of two discs, and the weights are divided by the clipped footprint's own area.
public struct ApertureKernel: Sendable {
    public static let radiusStep: Float = 0.125
    public static let minimumRadius: Float = 0.5

    public let shape: ApertureShape
    public let squeeze: Double
    /// The span tables and every question asked of them, as plain pointers into storage this
    /// kernel owns: hot loops read it without touching reference counts. Valid while the kernel is.
    public let table: Table
    /// Owns the memory `table` points into.
    private let storage: Storage

    /// Optical vignetting, or nil.
    public var catEye: CatEye? { table.catEye }
    /// Largest radius tabulated (px).
    public var maxRadius: Float { table.maxRadius }

    /// Builds the span table for radii up to `maxRadius` pixels.
    public init(shape: ApertureShape, squeeze: Double = 1, catEye: CatEye? = nil, maxRadius: Float) {
        self.shape = shape
        self.squeeze = squeeze
        let top = max(maxRadius, Self.minimumRadius) + 2 * Self.radiusStep
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
        storage = Storage(reach: reach, firstRow: firstRow, lo: lo, hi: hi, area: area)
        table = Table(storage: storage, maxRadius: top, xScale: Float(1 / squeeze), catEye: catEye)
    }

    /// Weight a splat of radius r deposits at offset (dx, dy) from its centre (sums to 1 over all offsets).
    public func weight(radius: Float, dx: Int, dy: Int) -> Float { table.weight(radius: radius, dx: dx, dy: dy) }

    /// Weight a splat of radius r at (x, y) in the frame deposits at offset (dx, dy) from its
    /// centre, its cat's eye included (sums to 1 over all offsets).
    public func weight(radius: Float, x: Int, y: Int, dx: Int, dy: Int) -> Float {
        table.weight(radius: radius, x: x, y: y, dx: dx, dy: dy)
    }

    /// The memory behind `Table`, allocated once and never changed.
    final class Storage: @unchecked Sendable {
        let reach: UnsafeMutableBufferPointer<Int32>, firstRow: UnsafeMutableBufferPointer<Int32>
        let lo: UnsafeMutableBufferPointer<Float>, hi: UnsafeMutableBufferPointer<Float>
        let area: UnsafeMutableBufferPointer<Float>

        init(reach: [Int32], firstRow: [Int32], lo: [Float], hi: [Float], area: [Float]) {
            func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
                let p = UnsafeMutableBufferPointer<T>.allocate(capacity: a.count)
                _ = p.initialize(from: a)
                return p
            }
            self.reach = copy(reach); self.firstRow = copy(firstRow)
            self.lo = copy(lo); self.hi = copy(hi); self.area = copy(area)
        }

        deinit { reach.deallocate(); firstRow.deallocate(); lo.deallocate(); hi.deallocate(); area.deallocate() }
    }

    /// The footprint tables (see `ApertureKernel`): for table radius k, the rows above and below
    /// the centre (`reach`), the index of its first row in `lo`/`hi`, and its area. A plain value
    /// of pointers, so the renderers' inner loops copy and read it without reference counting.
    public struct Table: @unchecked Sendable {
        @usableFromInline let reachTable: UnsafePointer<Int32>, firstRow: UnsafePointer<Int32>
        @usableFromInline let lo: UnsafePointer<Float>, hi: UnsafePointer<Float>, areaTable: UnsafePointer<Float>
        /// Table entries.
        @usableFromInline let count: Int
        /// Largest radius tabulated (px).
        public let maxRadius: Float
        /// 1 / squeeze: the x scale of every shape.
        @usableFromInline let xScale: Float
        /// Optical vignetting, or nil.
        public let catEye: CatEye?

        init(storage: Storage, maxRadius: Float, xScale: Float, catEye: CatEye?) {
            reachTable = UnsafePointer(storage.reach.baseAddress!)
            firstRow = UnsafePointer(storage.firstRow.baseAddress!)
            lo = UnsafePointer(storage.lo.baseAddress!)
            hi = UnsafePointer(storage.hi.baseAddress!)
            areaTable = UnsafePointer(storage.area.baseAddress!)
            count = storage.reach.count
            self.maxRadius = maxRadius
            self.xScale = xScale
            self.catEye = catEye
        }

        /// Where a radius falls in the table: entry k and the fraction t toward k + 1.
        @inlinable @inline(__always)
        public func position(radius: Float) -> (k: Int, t: Float) {
            let u =
                (min(max(radius, ApertureKernel.minimumRadius), maxRadius) - ApertureKernel.minimumRadius)
                / ApertureKernel.radiusStep
            let k = min(Int(u), count &- 2)
            return (k, u - Float(k))
        }

        /// Rows the footprint of this radius reaches above and below its centre.
        @inlinable @inline(__always)
        public func reach(k: Int) -> Int { Int(reachTable[k &+ 1]) }

        /// Total area of the interpolated footprint (px²).
        @inlinable @inline(__always)
        public func area(k: Int, t: Float) -> Float { areaTable[k] * (1 - t) + areaTable[k &+ 1] * t }

        /// The span of row `dy` of the interpolated footprint.
        @inlinable @inline(__always)
        public func span(k: Int, t: Float, dy: Int) -> (lo: Float, hi: Float) {
            rows(k: k, t: t).span(dy: dy)
        }

        /// Weight a splat of radius r deposits at offset (dx, dy) from its centre (sums to 1 over all offsets).
        public func weight(radius: Float, dx: Int, dy: Int) -> Float {
            footprint(radius: radius).weight(dx: dx, dy: dy)
        }

        /// The radius a table position stands for.
        @inlinable @inline(__always)
        public func radius(k: Int, t: Float) -> Float {
            ApertureKernel.minimumRadius + (Float(k) + t) * ApertureKernel.radiusStep
        }

        /// The cat's-eye clip of a splat at (x, y) in the pixels of a level 2^level times coarser
        /// than the frame, with table position (k, t); nil without a cat's eye.
        @inlinable @inline(__always)
        public func lens(x: Int, y: Int, level: Int = 0, k: Int, t: Float) -> Lens? {
            guard let catEye else { return nil }
            return catEye.lens(x: x, y: y, level: level, radius: radius(k: k, t: t))
        }

        /// Row `dy` of the footprint clipped by `lens` (empty when hi ≤ lo).
        @inlinable @inline(__always)
        public func span(k: Int, t: Float, dy: Int, lens: Lens) -> (lo: Float, hi: Float) {
            clip(span(k: k, t: t, dy: dy), dy: dy, lens: lens)
        }

        /// Row `dy`'s span `s` clipped by `lens` (empty when hi ≤ lo).
        @inlinable @inline(__always)
        public func clip(_ s: (lo: Float, hi: Float), dy: Int, lens: Lens) -> (lo: Float, hi: Float) {
            let y = Float(dy)
            let a = lens.radiusSquared - (y - lens.oy) * (y - lens.oy)
            let b = lens.radiusSquared - (y + lens.oy) * (y + lens.oy)
            guard a > 0 && b > 0 else { return (0, 0) }
            let ha = a.squareRoot() * xScale, hb = b.squareRoot() * xScale, ox = lens.ox * xScale
            return (max(s.lo, max(ox - ha, -ox - hb)), min(s.hi, min(ox + ha, -ox + hb)))
        }

        /// Total area of the footprint clipped by `lens` (px²): the sum of its rows' widths.
        public func area(k: Int, t: Float, lens: Lens) -> Float {
            let m = reach(k: k)
            var total: Float = 0
            for dy in -m...m {
                let s = span(k: k, t: t, dy: dy, lens: lens)
                total += max(0, s.hi - s.lo)
            }
            return total
        }

        /// Total area of the footprint of a splat at (x, y) of `level` (px² of that level).
        @inlinable @inline(__always)
        public func area(k: Int, t: Float, x: Int, y: Int, level: Int = 0) -> Float {
            if let lens = lens(x: x, y: y, level: level, k: k, t: t) { return area(k: k, t: t, lens: lens) }
            return area(k: k, t: t)
        }

        /// Weight a splat of radius r at (x, y) in the frame deposits at offset (dx, dy) from its
        /// centre, its cat's eye included (sums to 1 over all offsets).
        public func weight(radius: Float, x: Int, y: Int, dx: Int, dy: Int) -> Float {
            footprint(radius: radius, x: x, y: y).weight(dx: dx, dy: dy)
        }

        /// The footprint of a splat of radius r at (x, y) in the frame (cat's eye included; at
        /// no position, none): its table position, clip and area found once, for reading many of
        /// its offsets.
        public func footprint(radius: Float, x: Int? = nil, y: Int? = nil) -> Footprint {
            let (k, t) = position(radius: radius)
            var clip: Lens?
            if let x, let y { clip = lens(x: x, y: y, k: k, t: t) }
            return Footprint(
                table: self, k: k, t: t, lens: clip, reach: reach(k: k),
                area: clip.map { area(k: k, t: t, lens: $0) } ?? area(k: k, t: t))
        }
    }

    /// One splat's footprint (`Table.footprint`).
    public struct Footprint {
        let table: Table, k: Int, t: Float, lens: Lens?
        /// Rows reached above and below the centre.
        public let reach: Int
        /// Total area (px²).
        let area: Float

        /// Weight deposited at offset (dx, dy) from the centre (sums to 1 over all offsets).
        public func weight(dx: Int, dy: Int) -> Float {
            guard abs(dy) <= reach else { return 0 }
            let (l, h) =
                lens.map { table.span(k: k, t: t, dy: dy, lens: $0) } ?? table.span(k: k, t: t, dy: dy)
            let overlap = min(Float(dx) + 0.5, h) - max(Float(dx) - 0.5, l)
            return overlap > 0 ? overlap / area : 0
        }
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

/// Optical vignetting, the "cat's eye": toward the frame's edges the lens barrel cuts into the
/// aperture, so out-of-focus discs narrow along the line to the frame's centre.
///
/// A splat of (circum)radius r whose centre lies a fraction ρ of the half-diagonal from the
/// frame's centre, in unit direction u, is clipped to the intersection of two discs of radius
/// R = r + ½ (the footprint's radius plus the half pixel its anti-aliased rim reaches) centred at
/// ±amount·ρ·R·u, evaluated at each row's centre. Its width along u is then 2R(1 − amount·ρ): at
/// the centre nothing changes, at a corner the disc keeps 1 − amount of its width. ρ is capped at
/// 1 (splats beyond the frame's edge keep the corner's clip). Energy is kept: weights are divided
/// by the clipped area. Anamorphic squeeze narrows the discs' x as it narrows the aperture's.
public struct CatEye: Sendable, Hashable {
    /// 0 (none) to `maximum`: how much of a corner disc's width the barrel cuts away.
    public let amount: Float
    @usableFromInline let centreX: Float, centreY: Float, inverseHalfDiagonal: Float
    public static let maximum: Float = 0.9

    /// For frames of `width` × `height` pixels; nil when `amount` is 0.
    public init?(amount: Double, width: Int, height: Int) {
        guard amount > 0 else { return nil }
        self.amount = Float(min(amount, Double(Self.maximum)))
        centreX = Float(width - 1) / 2
        centreY = Float(height - 1) / 2
        inverseHalfDiagonal = 2 / Float(hypot(Double(width), Double(height)))
    }

    /// The clip of a splat of radius r (pixels of `level`) at (x, y) of that level.
    @inlinable @inline(__always)
    public func lens(x: Int, y: Int, level: Int, radius r: Float) -> Lens {
        let scale = Float(1 << level)
        var px = ((Float(x) + 0.5) * scale - 0.5 - centreX) * inverseHalfDiagonal
        var py = ((Float(y) + 0.5) * scale - 0.5 - centreY) * inverseHalfDiagonal
        let rho2 = px * px + py * py
        if rho2 > 1 {
            let inv = 1 / rho2.squareRoot()
            px *= inv
            py *= inv
        }
        let big = r + 0.5
        let o = amount * big
        return Lens(ox: o * px, oy: o * py, radiusSquared: big * big)
    }
}

/// One splat's cat's-eye clip: two discs of radius √radiusSquared centred at ±(ox, oy) from the
/// splat's centre (pixels, before squeeze).
public struct Lens: Sendable {
    public var ox: Float, oy: Float, radiusSquared: Float
    @inlinable public init(ox: Float, oy: Float, radiusSquared: Float) {
        self.ox = ox
        self.oy = oy
        self.radiusSquared = radiusSquared
    }
}
