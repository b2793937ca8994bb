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
    let text = String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    // The marker is encoded as a string with its control characters escaped.
    return text.replacingOccurrences(of: "\"\\u0001rackfocus-non-finite\\u0001\"", with: "null")
}
