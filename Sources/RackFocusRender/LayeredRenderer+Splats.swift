import RackFocusImage

/// The renderer's splat-building storage: plain values and pointers, so the per-pixel work takes no
/// reference counting.
extension LayeredRenderer {
    /// Read-only inputs of a chunk of block rows: plain values and pointers only, so the
    /// builders read them without reference counting.
    struct ChunkSource {
        let width: Int, height: Int
        let coc: UnsafeBufferPointer<Float>, color: UnsafeBufferPointer<Float>
        let hiddenCoC: UnsafeBufferPointer<Float>, hiddenColor: UnsafeBufferPointer<Float>
        let hiddenWeight: UnsafeBufferPointer<Float>
        let coordinate: UnsafeBufferPointer<Float>, hiddenAt: UnsafeBufferPointer<Int32>
        let lowestLayer: Float, layerCount: Int
        /// Radius from which each coarse level (1, 2, ...) takes a splat (∞: never).
        let levelRadii: SIMD4<Float>
        let kernel: ApertureKernel.Table
        let isLight: UnsafeBufferPointer<Bool>
        /// Whether the splats beyond the left and right edges go as runs (`emitRun`).
        let edgeRuns: Bool

        /// The layers a splat at layer coordinate `l` goes to: k, and the share b of it in k + 1
        /// (soft assignment: b rises linearly across the middle `blend` of the gap between two
        /// layer centres, so a splat's weights change continuously with its CoC).
        @inline(__always)
        func layer(of l: Float) -> (k: Int, b: Float) {
            let u = l - lowestLayer
            let k = min(Int(u), layerCount &- 2)
            let b = min(max((u - Float(k) - (1 - LayeredRenderer.blend) / 2) / LayeredRenderer.blend, 0), 1)
            return (k, b)
        }
    }

    /// Merge slots of one block at one level: the layer, Σ share·(rgb, 1) and Σ share·radius of
    /// the splats merged into each. Owned storage, so adding takes no allocation or array checks.
    struct MergeSlots {
        let layer: UnsafeMutablePointer<Int32>
        let value: UnsafeMutablePointer<SIMD4<Float>>
        let radius: UnsafeMutablePointer<Float>
        var count = 0

        init(capacity: Int) {
            layer = .allocate(capacity: capacity)
            value = .allocate(capacity: capacity)
            radius = .allocate(capacity: capacity)
        }

        func deallocate() { layer.deallocate(); value.deallocate(); radius.deallocate() }

        @inline(__always)
        mutating func add(layer l: Int32, _ rgb: SIMD3<Float>, radius r: Float, share: Float) {
            var slot = 0
            while slot < count && layer[slot] != l { slot &+= 1 }
            if slot == count {
                layer[slot] = l; value[slot] = .zero; radius[slot] = 0; count &+= 1
            }
            value[slot] += SIMD4(rgb.x * share, rgb.y * share, rgb.z * share, share)
            radius[slot] += r * share
        }
    }

    /// One list's splats and the layer of each, in owned storage that grows by doubling and is
    /// kept from frame to frame (appending takes no reference counting or uniqueness checks).
    struct SplatList {
        private(set) var splats: UnsafeMutablePointer<Splat>
        private(set) var layers: UnsafeMutablePointer<Int32>
        var count = 0
        private var capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            splats = .allocate(capacity: capacity)
            layers = .allocate(capacity: capacity)
        }

        func deallocate() { splats.deallocate(); layers.deallocate() }

        @inline(__always)
        mutating func append(_ splat: Splat, layer: Int) {
            if count == capacity { grow() }
            (splats + count).initialize(to: splat)
            (layers + count).initialize(to: Int32(truncatingIfNeeded: layer))
            count &+= 1
        }

        /// Room for `n` splats: one allocation up front instead of doubling through a first frame.
        mutating func reserve(_ n: Int) { if capacity < n { grow(to: n) } }

        @inline(never)
        private mutating func grow(to size: Int? = nil) {
            let bigger = size ?? 2 * capacity
            let s = UnsafeMutablePointer<Splat>.allocate(capacity: bigger)
            let l = UnsafeMutablePointer<Int32>.allocate(capacity: bigger)
            s.moveInitialize(from: splats, count: count)
            l.moveInitialize(from: layers, count: count)
            splats.deallocate(); layers.deallocate()
            splats = s; layers = l; capacity = bigger
        }
    }
}
