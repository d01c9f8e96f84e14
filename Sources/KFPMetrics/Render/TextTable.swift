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

/// Small pictures made of block characters: bars in cells and sparklines.
package enum Blocks {
    /// A bar `width` cells wide, filled to `fraction` (0…1) in eighths of a cell.
    package static func bar(_ fraction: Double, width: Int = 8) -> String {
        let eighths = Int((min(1, max(0, fraction)) * Double(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let text = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        return text + String(repeating: " ", count: width - text.count)
    }

    /// One block per value, its height scaled to the min…max of the finite values; a space for a non-finite one.
    package static func sparkline(_ values: [Double]) -> String {
        let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return String(repeating: " ", count: values.count) }
        return String(
            values.map { value -> Character in
                guard value.isFinite else { return " " }
                guard high > low else { return levels[3] }
                return levels[Int(((value - low) / (high - low) * 7).rounded())]
            })
    }
}
