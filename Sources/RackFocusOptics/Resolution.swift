import Foundation

/// A delivery (or working) resolution in pixels.
public struct Resolution: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }

    public static let named: [(String, Resolution)] = [
        ("720p", Resolution(width: 1280, height: 720)), ("hd", Resolution(width: 1920, height: 1080)),
        ("1080p", Resolution(width: 1920, height: 1080)), ("2k", Resolution(width: 2048, height: 1080)),
        ("uhd", Resolution(width: 3840, height: 2160)), ("4k", Resolution(width: 3840, height: 2160)),
        ("dci4k", Resolution(width: 4096, height: 2160)), ("6k", Resolution(width: 6144, height: 3160)),
        ("8k", Resolution(width: 7680, height: 4320)),
    ]

    /// Parses `1920x1080`, `3840×2160`, or a name: `hd`, `1080p`, `2k`, `uhd`, `4k`, `dci4k`, `8k`.
    public init(parsing text: String) throws(ValueError) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let r = Self.named.first(where: { $0.0 == s })?.1 { self = r; return }
        let parts = s.split(whereSeparator: { $0 == "x" || $0 == "×" || $0 == "*" })
        guard parts.count == 2, let w = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let h = Int(parts[1].trimmingCharacters(in: .whitespaces)), w > 0, h > 0, w <= 65536, h <= 65536
        else {
            throw ValueError(
                "\"\(text)\" is not a resolution", fix: "write WIDTHxHEIGHT such as 1920x1080, or hd, 2k, 4k, dci4k, 8k"
            )
        }
        self.init(width: w, height: h)
    }
}
