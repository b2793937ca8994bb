import Foundation
import RackFocusImage

/// A baseline JPEG encoder (JFIF, 4:2:0, the standard Huffman tables of ITU T.81 Annex K), in
/// process: the studio's preview frames are encoded in a few milliseconds, where an ffmpeg process
/// per frame costs more than the render.
package enum JPEGEncoder {
    /// Encodes a linear-light RGB image (3 planes) as sRGB JPEG; values outside 0-1 are clipped.
    ///
    /// - Parameter quality: 1-100, scaled like libjpeg's.
    package static func encode(linear image: PlanarImage, quality: Int = 85) -> [UInt8] {
        encode(planarRGB: srgb8(image), width: image.width, height: image.height, quality: quality)
    }

    /// A linear-light image's first three planes as 8-bit sRGB planes, clipped to 0-1.
    package static func srgb8(_ image: PlanarImage) -> [UInt8] {
        precondition(image.channels >= 3, "JPEG needs 3 planes")
        let n = image.pixelCount
        var rgb = [UInt8](repeating: 0, count: 3 * n)
        let table = srgbTable, w = image.width, top = Float(table.count - 1)
        image.data.withUnsafeBufferPointer { src in
            table.withUnsafeBufferPointer { lut in
                rgb.withUnsafeMutableBufferPointer { dst in
                    let (src, lut, dst) = (Shared(src), Shared(lut), Shared(dst))
                    forEachBand(height: image.height, bands: defaultThreadCount, threads: defaultThreadCount) { rows in
                        for c in 0..<3 {
                            for i in (c * n + rows.lowerBound * w)..<(c * n + rows.upperBound * w) {
                                let v = src.value[i]
                                // NaN and negatives go to 0, anything above 1 to 1.
                                let k = v > 0 ? Int(min(v, 1) * top + 0.5) : 0
                                dst.value[i] = lut.value[k]
                            }
                        }
                    }
                }
            }
        }
        return rgb
    }

    /// Encodes 8-bit sRGB planes (R, G, B one after another, `width × height` each).
    package static func encode(planarRGB rgb: [UInt8], width: Int, height: Int, quality: Int = 85) -> [UInt8] {
        precondition(width > 0 && height > 0 && width <= 65535 && height <= 65535 && rgb.count >= 3 * width * height)
        let q = max(1, min(100, quality))
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        let tables = [lumaQuant, chromaQuant].map { base in
            base.map { UInt8(max(1, min(255, ($0 * scale + 50) / 100))) }
        }
        var out = [UInt8]()
        out.reserveCapacity(width * height / 2 + 1024)
        out += [0xFF, 0xD8]
        // JFIF APP0, 1:1 pixel aspect.
        out += [0xFF, 0xE0, 0, 16, 0x4A, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        for (id, t) in tables.enumerated() {
            out += [0xFF, 0xDB, 0, 67, UInt8(id)]
            out += zigzag.map { t[$0] }
        }
        // Frame: 8-bit, three components, Y at 2×2 sampling, Cb and Cr at 1×1.
        out += [
            0xFF, 0xC0, 0, 17, 8, UInt8(height >> 8), UInt8(height & 255), UInt8(width >> 8), UInt8(width & 255), 3,
        ]
        out += [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
        for (cls, id, spec) in [(0, 0, dcLuma), (1, 0, acLuma), (0, 1, dcChroma), (1, 1, acChroma)] {
            out += [0xFF, 0xC4]
            let length = 2 + 1 + 16 + spec.values.count
            out += [UInt8(length >> 8), UInt8(length & 255), UInt8(cls << 4 | id)]
            out += spec.bits + spec.values
        }
        out += [0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]

        let quant = tables.map { t in (0..<64).map { 1 / Float(t[$0]) } }
        let codes = [HuffmanCodes(dcLuma), HuffmanCodes(acLuma), HuffmanCodes(dcChroma), HuffmanCodes(acChroma)]
        let mcuW = (width + 15) / 16, mcuH = (height + 15) / 16
        // Colour conversion once: Y at full size and Cb, Cr averaged over 2×2, each padded to whole
        // blocks by repeating the last row and column.
        let yw = mcuW * 16, yh = mcuH * 16, cw = mcuW * 8, ch = mcuH * 8
        var luma = [Float](repeating: 0, count: yw * yh)
        var cb = [Float](repeating: 0, count: cw * ch), cr = cb
        let plane = width * height
        let cores = defaultThreadCount
        rgb.withUnsafeBufferPointer { pixels in
            let px = Shared(pixels)
            luma.withUnsafeMutableBufferPointer { plane0 in
                let y = Shared(plane0)
                forEachBand(height: yh, bands: cores, threads: cores) { rows in
                    let (px, y) = (px.value, y.value)
                    for row in rows {
                        let sy = min(row, height - 1) * width
                        for col in 0..<yw {
                            let i = sy + min(col, width - 1)
                            y[row * yw + col] =
                                0.299 * Float(px[i]) + 0.587 * Float(px[plane + i]) + 0.114 * Float(px[2 * plane + i])
                                - 128
                        }
                    }
                }
            }
            cb.withUnsafeMutableBufferPointer { plane1 in
                cr.withUnsafeMutableBufferPointer { plane2 in
                    let (b, r) = (Shared(plane1), Shared(plane2))
                    forEachBand(height: ch, bands: cores, threads: cores) { rows in
                        let (px, b, r) = (px.value, b.value, r.value)
                        for row in rows {
                            for col in 0..<cw {
                                var sb: Float = 0, sr: Float = 0
                                for d in 0..<4 {
                                    let i = min(2 * row + d >> 1, height - 1) * width + min(2 * col + d & 1, width - 1)
                                    let red = Float(px[i]), green = Float(px[plane + i]),
                                        blue = Float(px[2 * plane + i])
                                    sb += -0.168736 * red - 0.331264 * green + 0.5 * blue
                                    sr += 0.5 * red - 0.418688 * green - 0.081312 * blue
                                }
                                b[row * cw + col] = sb / 4
                                r[row * cw + col] = sr / 4
                            }
                        }
                    }
                }
            }
        }
        // Transform and quantise every block (rows of MCUs split across cores), then code them in order.
        let blocks = mcuW * mcuH * 6
        var coefficients = [Int16](repeating: 0, count: blocks * 64)
        let threads = min(defaultThreadCount, max(1, mcuH / 4))
        let reciprocals = quant.map { q in (0..<8).map { v in SIMD8<Float>((0..<8).map { q[v * 8 + $0] }) } }
        luma.withUnsafeBufferPointer { y in
            cb.withUnsafeBufferPointer { b in
                cr.withUnsafeBufferPointer { r in
                    coefficients.withUnsafeMutableBufferPointer { out in
                        let planes = (y: Shared(y), b: Shared(b), r: Shared(r)), dst = Shared(out)
                        let tables = Shared(DCT(reciprocals: reciprocals))
                        forEachBand(height: mcuH, bands: threads, threads: threads) { rows in
                            tables.value.withPointers { dct in
                                for my in rows {
                                    for mx in 0..<mcuW {
                                        var k = (my * mcuW + mx) * 6 * 64
                                        for part in 0..<6 {
                                            let (src, stride, x0, y0): (UnsafeBufferPointer<Float>, Int, Int, Int) =
                                                part < 4
                                                ? (
                                                    planes.y.value, yw, mx * 16 + (part & 1) * 8,
                                                    my * 16 + (part >> 1) * 8
                                                )
                                                : (part == 4 ? planes.b.value : planes.r.value, cw, mx * 8, my * 8)
                                            dct.transform(
                                                src.baseAddress! + y0 * stride + x0, stride: stride, chroma: part >= 4,
                                                into: dst.value.baseAddress! + k)
                                            k += 64
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var writer = BitWriter(out)
        var previousDC = [0, 0, 0]
        coefficients.withUnsafeBufferPointer { c in
            for b in 0..<blocks {
                let part = b % 6, component = part < 4 ? 0 : part - 3
                writer.block(
                    c.baseAddress! + b * 64, previous: &previousDC[component], dc: codes[component == 0 ? 0 : 2],
                    ac: codes[component == 0 ? 1 : 3])
            }
        }
        out = writer.finish()
        out += [0xFF, 0xD9]
        return out
    }

    /// The forward DCT with its tables as vectors: F = M f Mᵀ computed a row of eight at a time.
    struct DCT {
        /// Column x of M, over u.
        let columns: [SIMD8<Float>]
        /// 1 / quantiser per row v, luma then chroma.
        let reciprocals: [SIMD8<Float>]

        init(reciprocals tables: [[SIMD8<Float>]]) {
            columns = (0..<8).map { x in SIMD8<Float>((0..<8).map { u in dctMatrix[u * 8 + x] }) }
            reciprocals = tables[0] + tables[1]
        }

        func withPointers(_ body: (Pointers) -> Void) {
            columns.withUnsafeBufferPointer { c in
                reciprocals.withUnsafeBufferPointer { q in
                    dctMatrix.withUnsafeBufferPointer { m in
                        zigzag.withUnsafeBufferPointer { z in
                            body(
                                Pointers(
                                    columns: c.baseAddress!, reciprocals: q.baseAddress!, matrix: m.baseAddress!,
                                    zigzag: z.baseAddress!))
                        }
                    }
                }
            }
        }

        struct Pointers {
            let columns: UnsafePointer<SIMD8<Float>>, reciprocals: UnsafePointer<SIMD8<Float>>
            let matrix: UnsafePointer<Float>, zigzag: UnsafePointer<Int>

            /// 2-D DCT-II of the 8×8 block at `src` (level-shifted samples, rows `stride` apart),
            /// quantised, in zigzag order.
            @inline(__always)
            func transform(
                _ src: UnsafePointer<Float>, stride: Int, chroma: Bool, into out: UnsafeMutablePointer<Int16>
            ) {
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 16) { buffer in
                    let t = buffer.baseAddress!, f = t + 8
                    // t[y][u] = Σx M[u][x] f[y][x]
                    for y in 0..<8 {
                        let row = UnsafeRawPointer(src + y * stride).loadUnaligned(as: SIMD8<Float>.self)
                        var acc = row[0] * columns[0]
                        for x in 1..<8 { acc += row[x] * columns[x] }
                        t[y] = acc
                    }
                    // F[v][u] = Σy M[v][y] t[y][u], quantised
                    let q = reciprocals + (chroma ? 8 : 0)
                    for v in 0..<8 {
                        var acc = matrix[v * 8] * t[0]
                        for y in 1..<8 { acc += matrix[v * 8 + y] * t[y] }
                        f[v] = (acc * q[v]).rounded(.toNearestOrAwayFromZero)
                    }
                    let flat = UnsafeRawPointer(f).assumingMemoryBound(to: Float.self)
                    for k in 0..<64 { out[k] = Int16(flat[zigzag[k]]) }
                }
            }
        }
    }

    /// M[u][x] = ½ C(u) cos((2x + 1) u π / 16), C(0) = 1/√2: F = M f Mᵀ.
    static let dctMatrix: [Float] = (0..<64).map { k in
        let u = k / 8, x = k % 8
        let c = u == 0 ? 1 / Float(2).squareRoot() : 1
        return 0.5 * c * Float(cos(Double((2 * x + 1) * u) * Double.pi / 16))
    }

    static let srgbTable: [UInt8] = (0..<4096).map {
        UInt8(min(255, max(0, ColorTransfer.linearToSRGB(Float($0) / 4095) * 255 + 0.5)))
    }

    /// Natural (row-major) index of each zigzag position.
    static let zigzag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60,
        61, 54, 47, 55, 62, 63,
    ]

    static let lumaQuant: [Int] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29,
        51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121,
        120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
    static let chromaQuant: [Int] =
        [
            17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99,
            99,
        ]
        + [Int](repeating: 99, count: 36)

    /// A Huffman table as the file states it: code counts per length 1-16, then the symbols.
    struct TableSpec {
        var bits: [UInt8]
        var values: [UInt8]
    }

    static let dcLuma = TableSpec(bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], values: Array(0...11))
    static let dcChroma = TableSpec(bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], values: Array(0...11))
    static let acLuma = TableSpec(
        bits: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
        values: [
            0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
            0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
            0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37,
            0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
            0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
            0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
            0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
            0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
            0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
        ])
    static let acChroma = TableSpec(
        bits: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
        values: [
            0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22,
            0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1,
            0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36,
            0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
            0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
            0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a,
            0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba,
            0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
            0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
        ])

    /// Code and length per symbol, built from a table's counts (T.81 Annex C).
    struct HuffmanCodes {
        var code = [UInt16](repeating: 0, count: 256)
        var length = [UInt8](repeating: 0, count: 256)
        init(_ spec: TableSpec) {
            var c: UInt16 = 0, k = 0
            for len in 1...16 {
                for _ in 0..<Int(spec.bits[len - 1]) {
                    code[Int(spec.values[k])] = c
                    length[Int(spec.values[k])] = UInt8(len)
                    c += 1
                    k += 1
                }
                c <<= 1
            }
        }
    }

    /// Entropy-coded data: bits packed high first, a 0 byte stuffed after each 0xFF.
    struct BitWriter {
        var bytes: [UInt8]
        var buffer: UInt32 = 0
        var count = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func put(_ value: Int, _ bits: Int) {
            guard bits > 0 else { return }
            buffer = buffer << UInt32(bits) | UInt32(value & ((1 << bits) - 1))
            count += bits
            while count >= 8 {
                let byte = UInt8(truncatingIfNeeded: buffer >> UInt32(count - 8))
                bytes.append(byte)
                if byte == 0xFF { bytes.append(0) }
                count -= 8
            }
            buffer &= (1 << UInt32(count)) - 1
        }

        mutating func block(_ zz: UnsafePointer<Int16>, previous: inout Int, dc: HuffmanCodes, ac: HuffmanCodes) {
            let value = Int(zz[0])
            let diff = value - previous
            previous = value
            let s = Self.magnitude(diff)
            put(Int(dc.code[s]), Int(dc.length[s]))
            put(diff < 0 ? diff - 1 : diff, s)
            var run = 0
            for k in 1..<64 {
                let v = Int(zz[k])
                if v == 0 {
                    run += 1
                    continue
                }
                while run > 15 {
                    put(Int(ac.code[0xF0]), Int(ac.length[0xF0]))
                    run -= 16
                }
                let size = Self.magnitude(v)
                let symbol = run << 4 | size
                put(Int(ac.code[symbol]), Int(ac.length[symbol]))
                put(v < 0 ? v - 1 : v, size)
                run = 0
            }
            if run > 0 { put(Int(ac.code[0]), Int(ac.length[0])) }
        }

        /// Bits needed for |v| (JPEG's size category; AC coefficients fit in 10, DC differences in 11).
        static func magnitude(_ v: Int) -> Int {
            var m = abs(v), s = 0
            while m > 0 {
                s += 1
                m >>= 1
            }
            return min(s, 11)
        }

        mutating func finish() -> [UInt8] {
            if count > 0 { put((1 << (8 - count)) - 1, 8 - count) }
            return bytes
        }
    }
}
