/// The output formats of the read commands (DESIGN.md §4). A closed set: each case has one renderer.
package enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal.
    case table
    /// JSON with sorted keys and a stable, documented shape.
    case json
    /// RFC 4180 CSV, exact values, spreadsheet formulas neutralised.
    case csv
    /// A GitHub-flavoured Markdown table, ready for a PR comment.
    case markdown

    /// The renderer for this format.
    package func renderer(_ options: RenderOptions) -> any Renderer {
        switch self {
        case .table: TableRenderer(options: options)
        case .json: JSONRenderer()
        case .csv: CSVRenderer()
        case .markdown: MarkdownRenderer(options: options)
        }
    }
}

/// Display choices that apply to the human formats (table, Markdown); JSON and CSV always carry exact values.
package struct RenderOptions: Sendable {
    /// Decimals shown (KFP shows 3).
    package var precision: Int
    /// Whether the table may use ANSI colour (only on a TTY, never with NO_COLOR).
    package var color: Bool

    package init(precision: Int = 3, color: Bool = false) {
        self.precision = precision
        self.color = color
    }
}

/// Turns results into text in one format. One type per format; every result type has a method here.
package protocol Renderer {
    /// A stored run (`kfpm show`).
    func render(_ run: StoredRun) -> String
    /// The experiments of a store (`kfpm experiments`).
    func render(_ experiments: [ExperimentSummary]) -> String
    /// Runs with metric columns (`kfpm runs`).
    func render(_ list: RunList) -> String
    /// An experiment's metrics by prevalence (`kfpm top`).
    func render(_ top: TopMetrics) -> String
    /// A baseline against other runs (`kfpm compare`).
    func render(_ comparison: Comparison) -> String
    /// A metric over time (`kfpm history`).
    func render(_ history: MetricHistory) -> String
    /// A gate's verdicts (`kfpm gate`).
    func render(_ report: GateReport) -> String
}

/// The gate's output formats: the read formats plus JUnit XML and GitHub workflow commands.
package enum GateFormat: String, Sendable, CaseIterable {
    case table, json, csv, markdown, junit, github

    /// Renders a gate report in this format.
    package func render(_ report: GateReport, options: RenderOptions) -> String {
        switch self {
        case .table: TableRenderer(options: options).render(report)
        case .json: JSONRenderer().render(report)
        case .csv: CSVRenderer().render(report)
        case .markdown: MarkdownRenderer(options: options).render(report)
        case .junit: JUnitRenderer().render(report)
        case .github: GitHubRenderer(options: options).render(report)
        }
    }
}
