/// Square-window maximum filter and binary dilation in O(1) per pixel (van Herk / Gil–Werman:
/// prefix and suffix maxima over blocks of the window size), separably in x then y.
enum MaxFilter {
    static func apply(_ v: [Float], width w: Int, height h: Int, radius r: Int) -> [Float] {
        var tmp = [Float](repeating: 0, count: v.count), out = tmp
        let size = 2 * r + 1
        var line = [Float](), g = [Float](), hh = [Float]()
        func pass1D(_ src: [Float], into dst: inout [Float], count: Int, lines: Int, lineStride: Int, step: Int) {
            let padded = count + 2 * r
            let blocks = (padded + size - 1) / size * size
            line = [Float](repeating: -.infinity, count: blocks)
            g = line; hh = line
            for l in 0..<lines {
                let base = l * lineStride
                for i in 0..<blocks { line[i] = -.infinity }
                for i in 0..<count { line[i + r] = src[base + i * step] }
                var b = 0
                while b < blocks {
                    g[b] = line[b]
                    for i in (b + 1)..<(b + size) { g[i] = max(g[i - 1], line[i]) }
                    hh[b + size - 1] = line[b + size - 1]
                    for i in stride(from: b + size - 2, through: b, by: -1) { hh[i] = max(hh[i + 1], line[i]) }
                    b += size
                }
                for i in 0..<count {
                    // window [i, i + 2r] in padded coordinates
                    dst[base + i * step] = max(hh[i], g[i + size - 1])
                }
            }
        }
        pass1D(v, into: &tmp, count: w, lines: h, lineStride: w, step: 1)
        pass1D(tmp, into: &out, count: h, lines: w, lineStride: 1, step: w)
        return out
    }

    static func dilate(_ mask: [Bool], width w: Int, height h: Int, radius r: Int) -> [Bool] {
        apply(mask.map { $0 ? 1 : 0 }, width: w, height: h, radius: r).map { $0 > 0.5 }
    }
}
