import Foundation

/// Pretty, key-sorted JSON text; slashes are not escaped, and a non-finite number (which no
/// report should hold, but a degenerate input can make) comes out as `null`, never as a string
/// `"nan"` or `"inf"` that a JSON reader would take for text.
package func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let marker = "\u{1}rackfocus-non-finite\u{1}"
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: marker, negativeInfinity: marker, nan: marker)
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    // The marker is encoded as a string with its control characters escaped. Replaced byte by byte:
    // Foundation's string replacement took seconds on a plan of 30,000 marks.
    let quoted = Array("\"\\u0001rackfocus-non-finite\\u0001\"".utf8), null = Array("null".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(data.count)
    data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
        var i = 0
        while i < bytes.count {
            if bytes[i] == quoted[0], i + quoted.count <= bytes.count,
                quoted.indices.allSatisfy({ bytes[i + $0] == quoted[$0] })
            {
                out += null
                i += quoted.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
    }
    return String(decoding: out, as: UTF8.self)
}
