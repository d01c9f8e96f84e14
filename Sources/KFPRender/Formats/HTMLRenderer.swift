import KFPModel
import KFPReports

/// Renders a report document as one self-contained HTML page (`HTMLPage`): headings, facts, semantic tables whose
/// numeric cells carry their bars, charts as inline SVG (`SVGChart`), verdicts in words and colour. Every name,
/// label and value is escaped; nothing on the page loads from anywhere, and without scripts only sorting and
/// filtering are lost.
struct HTMLRenderer {
    let options: RenderOptions

    func render(_ document: ReportDocument) -> String {
        var body = ""
        var pageTitle: String?
        var inSection = false
        var inCharts = false
        for block in document.blocks where block.media.contains(.html) {
            // Charts in a row share one grid of figures.
            if case .chart = block.content {
                if !inCharts { body += "<div class=\"charts\">\n" }
                inCharts = true
            } else if inCharts {
                body += "</div>\n"
                inCharts = false
            }
            switch block.content {
            case .title(let text, _):
                // The first title is the page's; each later one heads a section (the parts of `kfpm report`).
                if pageTitle == nil {
                    pageTitle = text
                    body += "<h1>\(XMLText.escape(text))</h1>\n"
                } else {
                    body += (inSection ? "</section>\n" : "") + "<section>\n<h2>\(XMLText.escape(text))</h2>\n"
                    inSection = true
                }
            case .facts(let facts):
                body += "<dl>\n"
                for fact in facts { body += "<dt>\(XMLText.escape(fact.name))</dt><dd>\(XMLText.escape(fact.value))</dd>\n" }
                body += "</dl>\n"
            case .grid(let grid):
                body += table(grid)
            case .list(let items):
                if !items.isEmpty { body += "<ul>\n" + items.map { "<li>" + Self.inline($0) + "</li>\n" }.joined() + "</ul>\n" }
            case .chart(let chart):
                body += "<figure>\n<figcaption><strong>\(XMLText.escape(chart.title))</strong> · \(XMLText.escape(chart.caption))"
                    + "</figcaption>\n" + SVGChart(chart: chart, precision: options.precision).svg() + "</figure>\n"
            case .verdict(let text, let passed):
                body += "<p class=\"verdict \(passed ? "good" : "bad")\" role=\"status\">\(passed ? "✓" : "✗") \(XMLText.escape(text))</p>\n"
            }
        }
        if inCharts { body += "</div>\n" }
        if inSection { body += "</section>\n" }
        return HTMLPage.page(title: pageTitle ?? "kfpm", body: body)
    }

    /// Inline parts: text escaped, code as `<code>`.
    private static func inline(_ parts: [Inline]) -> String {
        parts.map {
            switch $0 {
            case .text(let text): XMLText.escape(text)
            case .code(let text): "<code>" + XMLText.escape(text) + "</code>"
            }
        }.joined()
    }

    // MARK: - Tables

    /// A grid with more columns than this is wide: landscape pages and smaller type on paper.
    private static let wideColumns = 10

    /// A grid as a `<table>`: column headers (`class="n"` on numeric ones, which the script sorts as numbers), a
    /// row header per row, and the filter's keywords on each row of a filterable grid.
    private func table(_ grid: Grid) -> String {
        if grid.rows.isEmpty, let empty = grid.emptyText { return "<p class=\"na\">\(XMLText.escape(empty))</p>\n" }
        let numeric = grid.columns.map { $0.markdownAlignment == .right }
        // A wide grid prints on landscape pages in smaller type; on paper every grid wraps its cells rather than
        // being cut at the margin.
        let wide = grid.columns.count > Self.wideColumns ? " wide" : ""
        var out = "<div class=\"scroll\(wide)\"><table class=\"grid\"\(grid.rowKeywords == nil ? "" : " data-filter")>\n<thead><tr>"
        for (column, isNumeric) in zip(grid.columns, numeric) {
            out += "<th scope=\"col\"\(isNumeric ? " class=\"n\"" : "")>\(XMLText.escape(column.title))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (r, row) in grid.rows.enumerated() {
            let keywords = grid.rowKeywords.map { r < $0.count ? $0[r] : "" } ?? ""
            out += keywords.isEmpty ? "<tr>" : "<tr data-k=\"\(XMLText.escape(keywords))\">"
            for (c, cell) in row.enumerated() {
                let isNumeric = c < numeric.count && numeric[c]
                out += c == grid.rowHeader ? rowHeader(cell) : self.cell(cell, numeric: isNumeric)
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    /// The cell that names its row, as `<th scope="row">`.
    private func rowHeader(_ cell: Cell) -> String {
        "<th scope=\"row\">\(XMLText.escape(cell.plainText(precision: options.precision, placeholder: "–") ?? ""))</th>"
    }

    /// One data cell. Cells right-align unless `t`; `na` marks a missing value (sorted last); `w0`…`w100` draws a
    /// value's bar; `good`, `bad` and `caution` colour a verdict that its words already say.
    private func cell(_ cell: Cell, numeric: Bool) -> String {
        let align = numeric ? [] : ["t"]
        switch cell {
        case .verdict(let verdict?):
            let tone: [String] =
                switch verdict {
                case .better: ["good"]
                case .worse: ["bad"]
                case .incomparable: ["caution"]
                case .unchanged: []
                }
            return td(align + tone, ValueText.verdict(verdict))
        case .gateVerdict(let verdict, let level):
            let (mark, tone): (String, [String]) =
                switch (level, verdict) {
                case (.failure, _): ("✗", ["bad"])
                case (.warning, _): ("⚠", ["caution"])
                case (_, .improved): ("▲", ["good"])
                case (_, .new): ("+", [])
                default: ("✓", [])
                }
            return td(align + tone, "\(mark) \(verdict.rawValue)")
        case .text(nil), .value(nil, _, _), .time(nil):
            return td(align + ["na"], "–")
        case .time(let date?):
            let text = cell.plainText(precision: options.precision, placeholder: "–") ?? ""
            return td(align, "<time datetime=\"\(ValueText.timestamp(date))\">\(XMLText.escape(text))</time>", escaped: true)
        case .value(_?, _, let bar):
            let width = bar.map { ["w\(Int((min(1, max(0, $0)) * 100).rounded()))"] } ?? []
            return td(align + width, cell.plainText(precision: options.precision, placeholder: "–") ?? "")
        default:
            return td(align, cell.plainText(precision: options.precision, placeholder: "–") ?? "")
        }
    }

    /// `<td>` with classes around text (escaped here unless `escaped`).
    private func td(_ classes: [String], _ text: String, escaped: Bool = false) -> String {
        let content = escaped ? text : XMLText.escape(text)
        return classes.isEmpty ? "<td>\(content)</td>" : "<td class=\"\(classes.joined(separator: " "))\">\(content)</td>"
    }
}
