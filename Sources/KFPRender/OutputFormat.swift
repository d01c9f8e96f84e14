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
    /// JUnit XML: one testcase per check (the gate).
    case junit
    /// GitHub Actions workflow commands: an annotation per finding (the gate).
    case github

    /// The formats of every read command.
    package static let dataFormats: [OutputFormat] = [.table, .json, .csv, .markdown]
    /// The formats of a report that is a set of checks (the gate).
    package static let checkFormats: [OutputFormat] = dataFormats + [.junit, .github]

    /// Renders a report in this format. A format the report does not offer (see `Report.formats`) gives "".
    package func render(_ report: some Report, options: RenderOptions) -> String {
        switch self {
        case .table: TableRenderer(options: options).render(report.document(options))
        case .markdown: MarkdownRenderer(options: options).render(report.document(options))
        case .json: report.json.serialized()
        case .csv: report.csv.map(CSVText.record).joined()
        case .junit: report.checks(options).map(JUnitRenderer.render) ?? ""
        case .github: report.checks(options).map(GitHubRenderer.render) ?? ""
        }
    }
}

/// Display choices for the human formats; JSON and CSV always carry exact values.
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
