/// Square-window maximum filter in O(1) per pixel (a 0/1 map gives binary dilation) (van Herk / Gil–Werman:
/// prefix and suffix maxima over blocks of the window size), separably in x then y.
package enum MaxFilter {
    /// Lines are filtered in bands across `threads` (each line is independent).
    package static func apply(_ v: [Float], width w: Int, height h: Int, radius r: Int, threads: Int = 1) -> [Float] {
        var tmp = [Float](repeating: 0, count: v.count), out = tmp
        let bands = threads > 1 ? threads * 4 : 1
        v.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { t in
                let p = Shared((src, t))
                forEachBand(height: h, bands: bands, threads: threads) { lines in
                    pass(p.value.0, p.value.1, count: w, lines: lines, lineStride: w, step: 1, radius: r)
                }
            }
        }
        tmp.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { o in
                let p = Shared((src, o))
                forEachBand(height: w, bands: bands, threads: threads) { lines in
                    pass(p.value.0, p.value.1, count: h, lines: lines, lineStride: 1, step: w, radius: r)
                }
            }
        }
        return out
    }

    private static func pass(
        _ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>, count: Int, lines: Range<Int>,
        lineStride: Int, step: Int, radius r: Int
    ) {
        let size = 2 * r + 1
        let blocks = (count + 2 * r + size - 1) / size * size
        let line = UnsafeMutablePointer<Float>.allocate(capacity: blocks)
        let g = UnsafeMutablePointer<Float>.allocate(capacity: blocks)
        let hh = UnsafeMutablePointer<Float>.allocate(capacity: blocks)
        defer { line.deallocate(); g.deallocate(); hh.deallocate() }
        for l in lines {
            let base = l &* lineStride
            for i in 0..<blocks { line[i] = -.infinity }
            for i in 0..<count { line[i &+ r] = src[base &+ i &* step] }
            var b = 0
            while b < blocks {
                g[b] = line[b]
                for i in (b &+ 1)..<(b &+ size) { g[i] = max(g[i &- 1], line[i]) }
                hh[b &+ size &- 1] = line[b &+ size &- 1]
                var i = b &+ size &- 2
                while i >= b { hh[i] = max(hh[i &+ 1], line[i]); i &-= 1 }
                b &+= size
            }
            // Window [i, i + 2r] in padded coordinates.
            for i in 0..<count { dst[base &+ i &* step] = max(hh[i], g[i &+ size &- 1]) }
        }
    }
}
