import Foundation
import RackFocusImage

/// Portable FloatMap (`PF` colour, `Pf` grey), read and written natively: a text header
/// (type, width height, scale whose sign gives the byte order: negative = little-endian) and
/// float32 rows stored bottom-up.
package enum PFM {
    /// Width, height and channel count from the header alone.
    package static func header(_ path: String) throws(MediaError) -> (width: Int, height: Int, channels: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MediaError(.missingInput, file: path, "cannot read the file")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64)) ?? Data()
        let fields = String(decoding: head, as: UTF8.self).split(whereSeparator: \.isWhitespace).prefix(3).map(
            String.init)
        guard fields.count == 3, fields[0] == "PF" || fields[0] == "Pf", let w = Int(fields[1]), let h = Int(fields[2]),
            w > 0, h > 0
        else {
            throw MediaError(
                .unsupportedFormat, file: path, "not a PFM file (bad header); export the depth as PFM or EXR float")
        }
        return (w, h, fields[0] == "PF" ? 3 : 1)
    }

    package static func read(_ path: String) throws(MediaError) -> PlanarImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MediaError(.missingInput, file: path, "cannot read the file")
        }
        var fields: [String] = [], i = 0, current = ""
        while fields.count < 4 && i < data.count {
            let ch = Character(UnicodeScalar(data[i]))
            if ch.isWhitespace {
                if !current.isEmpty { fields.append(current); current = "" }
            } else {
                current.append(ch)
            }
            i += 1
        }
        guard fields.count == 4, fields[0] == "PF" || fields[0] == "Pf", let w = Int(fields[1]), let h = Int(fields[2]),
            let scale = Double(fields[3]), w > 0, h > 0
        else {
            throw MediaError(
                .unsupportedFormat, file: path, "not a PFM file (bad header); export the depth as PFM or EXR float")
        }
        let channels = fields[0] == "PF" ? 3 : 1
        let need = w * h * channels * 4
        guard data.count - i >= need else {
            throw MediaError(.damaged, file: path, "PFM data is truncated (\(data.count - i) of \(need) bytes)")
        }
        var img = PlanarImage(width: w, height: h, channels: channels)
        let little = scale < 0
        let start = i
        data.withUnsafeBytes { raw in
            img.data.withUnsafeMutableBufferPointer { out in
                // Rows are stored bottom to top, channels interleaved.
                for row in 0..<h {
                    let y = h - 1 - row
                    let src = start + row * w * channels * 4
                    if channels == 1 && little && 1.littleEndian == 1 {
                        UnsafeMutableRawPointer(out.baseAddress! + y * w).copyMemory(
                            from: raw.baseAddress! + src, byteCount: w * 4)
                        continue
                    }
                    for x in 0..<w {
                        for c in 0..<channels {
                            var bits = raw.loadUnaligned(fromByteOffset: src + (x * channels + c) * 4, as: UInt32.self)
                            bits = little ? UInt32(littleEndian: bits) : UInt32(bigEndian: bits)
                            out[c * w * h + y * w + x] = Float(bitPattern: bits)
                        }
                    }
                }
            }
        }
        return img
    }

    package static func encode(_ img: PlanarImage) -> Data {
        precondition(img.channels == 1 || img.channels == 3, "PFM holds 1 or 3 channels")
        var data = Data("\(img.channels == 3 ? "PF" : "Pf")\n\(img.width) \(img.height)\n-1.0\n".utf8)
        var body = [UInt32](repeating: 0, count: img.pixelCount * img.channels)
        var k = 0
        for row in 0..<img.height {
            let y = img.height - 1 - row
            for x in 0..<img.width {
                for c in 0..<img.channels {
                    body[k] = img.data[c * img.pixelCount + y * img.width + x].bitPattern.littleEndian; k += 1
                }
            }
        }
        body.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }
}
