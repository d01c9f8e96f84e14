import Foundation

/// Renders results as GitHub-flavoured Markdown, ready to paste into a PR comment.
struct MarkdownRenderer: Renderer {
    let options: RenderOptions

    /// Escapes text for a table cell: pipes, backslashes and line breaks would break the row.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    func render(_ run: StoredRun) -> String {
        var out = "### Run `\(run.name)` · experiment `\(run.experiment)`\n\n"
        if !run.labels.isEmpty {
            out += "Labels: " + run.labels.map { "`\($0.key)=\($0.value)`" }.joined(separator: " ") + "\n\n"
        }
        out += "| Metric | Value | Format |\n|---|---:|---|\n"
        for metric in run.metrics {
            let value = ValueText.display(metric.value, format: metric.format, precision: options.precision)
            out += "| \(Self.cell(metric.name)) | \(value) | \(metric.format.name) |\n"
        }
        return out
    }
}
