import Foundation
import RackFocusImage
import TextTable

/// An aligned plain-text table (TextTable's `simple` style), indented for reports.
package func table(_ header: [String], _ rows: [[String]], indent: String = "  ") -> String {
    let t = TextTable<[String]> { row in header.indices.map { Column(title: header[$0], value: row[$0]) } }
    let text = (t.string(for: rows, style: Style.simple) ?? "").trimmingCharacters(in: .newlines)
    return text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.isEmpty ? "" : indent + $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        .joined(separator: "\n")
}

/// "1 rack", "3 racks": a count with its noun in the right number (`plural` for irregular nouns).
package func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}
