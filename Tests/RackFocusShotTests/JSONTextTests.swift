import Foundation
import Testing

@testable import RackFocusShot

@Suite("JSON output")
struct JSONTextTests {
    struct Figures: Encodable {
        var a: Double, b: Double, c: Double, d: Double, e: [Double]
    }

    /// JSON carried "nan" and "inf" as strings where the README promises null.
    @Test func nonFiniteNumbersAreNull() throws {
        let text = encodeJSON(Figures(a: .nan, b: .infinity, c: -.infinity, d: 1.5, e: [.nan, 2]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in ["a", "b", "c"] { #expect(object[key] is NSNull, "\(key): \(String(describing: object[key]))") }
        #expect(object["d"] as? Double == 1.5)
        #expect((object["e"] as? [Any])?.first is NSNull)
        #expect(!text.contains("nan") && !text.contains("inf"))
    }
}
