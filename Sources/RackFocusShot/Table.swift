import Foundation
import RackFocusImage

/// An aligned plain-text table (titles, a rule of dashes, rows), indented for reports.
package func table(_ header: [String], _ rows: [[String]], indent: String = "  ") -> String {
    // Columns left-aligned to their widest cell (in characters), one space apart, a rule of
    // dashes under the titles, no trailing spaces.
    var widths = header.map(\.count)
    for row in rows {
        for (c, cell) in row.prefix(widths.count).enumerated() { widths[c] = max(widths[c], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        var text = indent
        for (c, cell) in cells.prefix(widths.count).enumerated() {
            if c > 0 { text += " " }
            text += cell
            if c < widths.count - 1 { text += String(repeating: " ", count: widths[c] - cell.count) }
        }
        while text.last == " " { text.removeLast() }
        return text == indent.trimmingTrailingSpaces() ? "" : text
    }
    var lines = [line(header), line(widths.map { String(repeating: "-", count: $0) })]
    lines.reserveCapacity(rows.count + 2)
    for row in rows { lines.append(line(row)) }
    return lines.joined(separator: "\n")
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// "1 rack", "3 racks": a count with its noun in the right number (`plural` for irregular nouns).
package func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}
