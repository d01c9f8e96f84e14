import KFPModel

/// Every output format kfpm writes: one list, each case with one renderer. A command offers the formats its
/// report supports (`Report.formats`).
package enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// JSON with sorted keys and a stable, documented shape.
    case json
    /// RFC 4180 CSV, exact values, spreadsheet formulas neutralised.
    case csv
    /// A GitHub-flavoured Markdown table, ready for a PR comment.
    case markdown
    /// One self-contained HTML page: sortable tables, charts as inline SVG, nothing loaded from anywhere.
    case html
    /// JUnit XML: one testcase per check (the gate).
    case junit
    /// GitHub Actions workflow commands: an annotation per finding (the gate).
    case github

    /// The formats of every read command.
    package static let dataFormats: [OutputFormat] = [.table, .json, .csv, .markdown, .html]
    /// The formats of a report that is a set of checks (the gate).
    package static let checkFormats: [OutputFormat] = dataFormats + [.junit, .github]

    /// Renders a report in this format. A format the report does not offer (see `Report.formats`) gives "".
    package func render(_ report: some Report, options: RenderOptions) -> String {
        switch self {
        case .table, .markdown, .html: render(document: report.document(options), options: options)
        case .json: report.json.serialized()
        case .csv: report.csv.map(CSVText.record).joined()
        case .junit: report.checks(options).map(JUnitRenderer.render) ?? ""
        case .github: report.checks(options).map(GitHubRenderer.render) ?? ""
        }
    }

    /// Renders a document in a format people read (table, Markdown, HTML), such as a page that joins several
    /// reports' documents (`kfpm report`); "" for the formats that draw no documents.
    package func render(document: ReportDocument, options: RenderOptions) -> String {
        switch self {
        case .table: TableRenderer(options: options).render(document)
        case .markdown: MarkdownRenderer(options: options).render(document)
        case .html: HTMLRenderer(options: options).render(document)
        case .json, .csv, .junit, .github: ""
        }
    }
}

/// Display choices for the human formats (table, Markdown, HTML); JSON and CSV always carry exact values.
package struct RenderOptions: Sendable {
    /// Decimals shown (KFP shows 3).
    package var precision: Int
    /// Whether the table may use ANSI colour (only on a TTY, never with NO_COLOR).
    package var color: Bool

    /// The precisions a user may ask for: `%.*f` shows at most 17 significant decimals of a double.
    package static let precisions = 0...17

    package init(precision: Int = 3, color: Bool = false) {
        self.precision = precision
        self.color = color
    }
}
