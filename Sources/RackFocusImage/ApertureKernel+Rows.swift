/// A footprint's rows for the scatter: a splat's two table entries looked up once for all its
/// rows.
extension ApertureKernel.Table {
    /// The interpolated footprint of table position (k, t), row by row: where its two
    /// entries' rows are, looked up once for all of a splat's rows.
    @inlinable @inline(__always)
    public func rows(k: Int, t: Float) -> Rows {
        let ma = Int(reachTable[k]), mb = Int(reachTable[k &+ 1])
        let a = Int(firstRow[k]) &+ ma, b = Int(firstRow[k &+ 1]) &+ mb
        return Rows(loA: lo + a, hiA: hi + a, loB: lo + b, hiB: hi + b, reach: ma, t: t)
    }

    /// One interpolated footprint's rows (`rows(k:t:)`): plain pointers to the centre rows of
    /// its two table entries, so a splat's loop over its rows reads no table twice.
    public struct Rows {
        @usableFromInline let loA: UnsafePointer<Float>, hiA: UnsafePointer<Float>
        @usableFromInline let loB: UnsafePointer<Float>, hiB: UnsafePointer<Float>
        /// The rows the smaller entry reaches: −reach...reach.
        public let reach: Int
        @usableFromInline let t: Float

        @inlinable init(
            loA: UnsafePointer<Float>, hiA: UnsafePointer<Float>, loB: UnsafePointer<Float>,
            hiB: UnsafePointer<Float>, reach: Int, t: Float
        ) {
            self.loA = loA; self.hiA = hiA; self.loB = loB; self.hiB = hiB; self.reach = reach; self.t = t
        }

        /// The span of row `dy` (the larger entry's rows beyond the smaller's meet a
        /// zero-width span at their centre).
        @inlinable @inline(__always)
        public func span(dy: Int) -> (lo: Float, hi: Float) {
            span(dy: dy, inside: dy >= -reach && dy <= reach)
        }

        /// The span of row `dy`, told whether the smaller entry reaches it (`reach`).
        @inlinable @inline(__always)
        public func span(dy: Int, inside: Bool) -> (lo: Float, hi: Float) {
            let lb = loB[dy], hb = hiB[dy]
            var la = (lb + hb) / 2, ha = la
            if inside {
                la = loA[dy]
                ha = hiA[dy]
            }
            return (la * (1 - t) + lb * t, ha * (1 - t) + hb * t)
        }
    }
}
