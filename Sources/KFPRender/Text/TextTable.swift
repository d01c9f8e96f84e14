/// Columns of text aligned for a terminal: left-aligned text, right-aligned numbers, two spaces between.
/// Colour, when on, is applied after padding so that escape codes never break the alignment.
package struct TextTable {
    package enum Alignment: Sendable { case left, right }

    package struct Column: Sendable {
        package var title: String
        package var alignment: Alignment
        package init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    package var columns: [Column]
    package var rows: [[String]] = []
    /// Colours of single cells, by row and column index (rows count from 0, the header excluded).
    package var colors: [Int: [Int: TerminalColor]] = [:]

    package init(_ columns: [Column]) { self.columns = columns }

    /// Adds a row; `colors` maps column indexes to a colour.
    package mutating func append(_ row: [String], colors rowColors: [Int: TerminalColor] = [:]) {
        if !rowColors.isEmpty { colors[rows.count] = rowColors }
        rows.append(row)
    }

    /// The table with a header line; no trailing spaces on any line.
    package func rendered(color: Bool = false) -> String {
        let all = [columns.map(\.title)] + rows
        var widths = columns.map { _ in 0 }
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for (r, row) in all.enumerated() {
            var line = ""
            for (i, cell) in row.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                var text = columns[i].alignment == .right ? pad + cell : cell + pad
                if color, r > 0, let tint = colors[r - 1]?[i] { text = tint.wrap(text) }
                line += (i == 0 ? "" : "  ") + text
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}

/// The few ANSI colours the table uses.
package enum TerminalColor: String, Sendable {
    case green = "32"
    case red = "31"
    case yellow = "33"
    case dim = "2"

    /// The text wrapped in this colour's escape codes.
    package func wrap(_ text: String) -> String { "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" }
}
