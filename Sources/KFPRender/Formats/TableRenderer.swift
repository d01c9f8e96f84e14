import KFPModel
import KFPReports

/// Renders a report document as aligned text for a terminal, values shown the KFP way, colour only when allowed.
/// Every text is shown with its control characters escaped (`\u001b`), so that a name from an older store cannot
/// drive the terminal.
struct TableRenderer {
    let options: RenderOptions

    func render(_ document: ReportDocument) -> String {
        var out = ""
        for block in document.blocks where block.media.contains(.table) {
            switch block.content {
            case .title(let text, _):
                out += text.visibleControlCharacters() + "\n"
            case .facts(let facts):
                for fact in facts { out += "\(fact.name): \(fact.value)".visibleControlCharacters() + "\n" }
            case .grid(let grid):
                // A grid under a title or facts stands apart by a blank line.
                if !out.isEmpty { out += "\n" }
                if grid.rows.isEmpty, let empty = grid.emptyText {
                    out += empty + "\n"
                } else {
                    out += table(grid).rendered(color: options.color)
                }
            case .list(let items):
                if !items.isEmpty {
                    out += "\n" + items.map { Inline.plain($0).visibleControlCharacters() }.joined(separator: "\n") + "\n"
                }
            case .chart(let chart):
                out += "\n" + Blocks.sparkline(chart.sparklineValues) + "  " + chart.caption.visibleControlCharacters() + "\n"
            case .verdict(let text, let passed):
                let shown = text.visibleControlCharacters()
                out += "\n" + (options.color ? (passed ? TerminalColor.green : .red).wrap(shown) : shown) + "\n"
            }
        }
        return out
    }

    /// The grid as a text table, with its cells' colours.
    private func table(_ grid: Grid) -> TextTable {
        var table = TextTable(grid.columns.map { TextTable.Column($0.tableTitle.visibleControlCharacters(), $0.alignment) })
        for row in grid.rows {
            var colors: [Int: TerminalColor] = [:]
            let cells = row.enumerated().map { index, cell in
                if let color = Self.color(cell) { colors[index] = color }
                return text(cell).visibleControlCharacters()
            }
            table.append(cells, colors: colors)
        }
        return table
    }

    /// A cell's text in a terminal: a value with its bar, verdicts with arrows.
    private func text(_ cell: Cell) -> String {
        switch cell {
        case .value(_?, _, let bar?):
            return (cell.plainText(precision: options.precision, placeholder: "-") ?? "") + " " + Blocks.bar(bar)
        case .verdict(let verdict?): return ValueText.verdict(verdict)
        case .gateVerdict(let verdict, _): return verdict.rawValue.uppercased()
        default: return cell.plainText(precision: options.precision, placeholder: "-") ?? ""
        }
    }

    /// A cell's colour: verdicts green when better, red when worse or failing, yellow when uncertain or warning.
    private static func color(_ cell: Cell) -> TerminalColor? {
        switch cell {
        case .verdict(.better?): .green
        case .verdict(.worse?): .red
        case .verdict(.incomparable?): .yellow
        case .gateVerdict(let verdict, let level):
            level == .failure ? .red : level == .warning ? .yellow : verdict == .improved ? .green : nil
        default: nil
        }
    }
}
