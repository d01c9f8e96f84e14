import FoundationEssentials
import KFPModel
import KFPReports

/// Renders a report document as GitHub-flavoured Markdown, ready to paste into a PR comment. Control characters
/// are shown escaped (`\u001b`), never passed to a terminal.
struct MarkdownRenderer {
    let options: RenderOptions

    func render(_ document: ReportDocument) -> String {
        markdown(document).visibleControlCharacters(keeping: ["\n"])
    }

    private func markdown(_ document: ReportDocument) -> String {
        var out = ""
        for block in document.blocks where block.media.contains(.markdown) {
            switch block.content {
            case .title(_, _?), .grid:
                // A table or a heading right after a table or a list would run into it: a blank line ends those.
                if !out.isEmpty && !out.hasSuffix("\n\n") { out += "\n" }
            default: break
            }
            switch block.content {
            case .title(_, let markdown):
                if let markdown { out += markdown + "\n\n" }
            case .facts(let facts):
                for fact in facts {
                    guard let value = fact.markdown else { continue }
                    out += fact.name.prefix(1).uppercased() + fact.name.dropFirst() + ": " + value + "\n\n"
                }
            case .grid(let grid):
                out += table(grid)
            case .list(let items):
                if !items.isEmpty { out += "\n" + items.map { "- " + Self.inline($0) }.joined(separator: "\n") + "\n" }
            case .chart(let chart):
                out += "\n`" + Blocks.sparkline(chart.sparklineValues) + "` " + Markdown.escape(chart.caption) + "\n"
            case .verdict(let text, _):
                out += "**" + Markdown.escape(text) + "**\n\n"
            }
        }
        return out
    }

    /// Inline parts: text escaped for a table cell, code as code spans.
    private static func inline(_ parts: [Inline]) -> String {
        parts.map {
            switch $0 {
            case .text(let text): Markdown.escape(text)
            case .code(let text): "`" + Markdown.escape(text) + "`"
            }
        }.joined()
    }

    /// A GFM table: the header with `:` alignment marks, then the rows.
    private func table(_ grid: Grid) -> String {
        var out = "| " + grid.columns.map { Markdown.escape($0.markdownTitle) }.joined(separator: " | ") + " |\n"
        out += "|" + grid.columns.map { $0.markdownAlignment == .right ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in grid.rows {
            out += "| " + row.map { Markdown.escape(text($0, placeholder: grid.markdownPlaceholder)) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// A cell's text in Markdown: verdicts with coloured marks that GitHub shows in PR comments.
    private func text(_ cell: Cell, placeholder: String) -> String {
        switch cell {
        case .verdict(let verdict?):
            switch verdict {
            case .better: return "🟢 better"
            case .worse: return "🔴 worse"
            case .unchanged: return "same"
            case .incomparable: return "⚠️ n/a"
            }
        case .gateVerdict(let verdict, let level):
            switch (level, verdict) {
            case (.failure, _): return "❌ \(verdict.rawValue)"
            case (.warning, _): return "⚠️ \(verdict.rawValue)"
            case (_, .improved): return "🟢 improved"
            case (_, .new): return "🆕 new"
            default: return "✅ \(verdict.rawValue)"
            }
        default: return cell.plainText(precision: options.precision, placeholder: placeholder) ?? ""
        }
    }
}

/// Markdown text rules, for reports that compose Markdown titles.
package enum Markdown {
    /// Escapes text for a table cell: pipes, backslashes and line breaks would break the row.
    package static func escape(_ text: String) -> String {
        text.replacingBytes(of: "\\", with: "\\\\").replacingBytes(of: "|", with: "\\|")
            .replacingBytes(of: "\r\n", with: " ").replacingBytes(of: "\n", with: " ")
    }

    /// A code span (outside a table: its text is not escaped).
    package static func code(_ text: String) -> String { "`" + text + "`" }
}
