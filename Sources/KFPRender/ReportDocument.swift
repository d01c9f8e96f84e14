import FoundationEssentials
import KFPModel
import KFPReports

/// A report as people read it, whatever the medium: titles, facts, grids of typed cells, lists, charts and a
/// verdict. The table, Markdown and HTML renderers each draw every block their own way; a report builds its
/// document once.
package struct ReportDocument: Sendable {
    package var blocks: [ReportBlock]

    package init(_ blocks: [ReportBlock]) { self.blocks = blocks }
}

/// The human formats a block is shown in (most blocks: all of them).
package struct Media: OptionSet, Sendable {
    package let rawValue: Int
    package init(rawValue: Int) { self.rawValue = rawValue }

    package static let table = Media(rawValue: 1)
    package static let markdown = Media(rawValue: 2)
    package static let html = Media(rawValue: 4)
    package static let all: Media = [.table, .markdown, .html]
}

/// One block of a document, and where it is shown.
package struct ReportBlock: Sendable {
    package enum Content: Sendable {
        /// The report's title: `text` as a line (and in HTML: the page's heading, or a section's after the first),
        /// `markdown` in Markdown (nil: no title there).
        case title(String, markdown: String?)
        /// Facts about the subject, one per line (`labels: branch=main`).
        case facts([Fact])
        /// A table of typed cells.
        case grid(Grid)
        /// Lines of text: summaries, notes (bullets in Markdown).
        case list([[Inline]])
        /// Values along an axis: a line chart in HTML, a sparkline and the caption in text.
        case chart(Chart)
        /// The outcome in one line, marked passed or failed.
        case verdict(String, passed: Bool)
    }

    package var content: Content
    package var media: Media

    package init(_ content: Content, in media: Media = .all) {
        self.content = content
        self.media = media
    }
}

/// Text with code spans (names shown as code in Markdown).
package enum Inline: Sendable, Equatable {
    case text(String)
    case code(String)

    /// The plain text of inline parts.
    package static func plain(_ parts: [Inline]) -> String {
        parts.map {
            switch $0 {
            case .text(let text), .code(let text): text
            }
        }.joined()
    }
}

/// A named fact: `created: 2026-…`. `markdown`, when set, is the fact's value written for Markdown (which
/// shows only such facts).
package struct Fact: Sendable {
    package var name: String
    package var value: String
    package var markdown: String?

    package init(_ name: String, _ value: String, markdown: String? = nil) {
        self.name = name
        self.value = value
        self.markdown = markdown
    }
}

/// A table: columns and rows of typed cells, each medium choosing how a value, a change or a verdict looks.
package struct Grid: Sendable {
    package var columns: [Column]
    package var rows: [[Cell]]
    /// Shown in a terminal instead of an empty grid (`(no metrics)`); nil shows the header alone.
    package var emptyText: String?
    /// What Markdown shows for a missing value.
    package var markdownPlaceholder: String
    /// Per row, what a reader may filter the rows by besides the row's header cell (a run's labels); nil when the
    /// grid has no filter. HTML draws a filter box over such a grid.
    package var rowKeywords: [String]?
    /// The column whose cell names the row (a run, a metric): HTML makes it the row's header.
    package var rowHeader: Int

    package init(
        _ columns: [Column], rows: [[Cell]] = [], emptyText: String? = nil, markdownPlaceholder: String = "–",
        rowKeywords: [String]? = nil, rowHeader: Int = 0
    ) {
        self.columns = columns
        self.rows = rows
        self.emptyText = emptyText
        self.markdownPlaceholder = markdownPlaceholder
        self.rowKeywords = rowKeywords
        self.rowHeader = rowHeader
    }
}

/// A column's heading in each medium, and how its cells align.
package struct Column: Sendable {
    /// The heading as people read it (HTML).
    package var title: String
    /// The terminal's heading: upper case unless given.
    package var tableTitle: String
    /// Markdown's heading (may hold code spans).
    package var markdownTitle: String
    package var alignment: TextTable.Alignment
    /// The alignment in proportional type (Markdown and HTML); right-aligned columns hold numbers, and HTML
    /// sorts them as numbers.
    package var markdownAlignment: TextTable.Alignment

    package init(
        _ title: String, table: String? = nil, markdown: String? = nil, _ alignment: TextTable.Alignment = .left,
        markdownAlignment: TextTable.Alignment? = nil
    ) {
        self.title = title
        self.tableTitle = table ?? title.uppercased()
        self.markdownTitle = markdown ?? title
        self.alignment = alignment
        self.markdownAlignment = markdownAlignment ?? alignment
    }
}

/// A typed cell: each medium decides how it looks (a missing value is `-` in a terminal, `–` in Markdown).
package enum Cell: Sendable {
    /// Text; nil when missing.
    case text(String?)
    /// A metric value shown the KFP way; nil when missing. `bar` (0…1) draws a bar where the medium can.
    case value(Double?, MetricFormat, bar: Double? = nil)
    /// A time; nil when missing.
    case time(Date?)
    /// A change against the baseline (`+2.000pp`), with the relative change after it when asked; empty when nil.
    case change(MetricChange?, MetricFormat, withRelative: Bool = false)
    /// A relative change (`+2.22%`); empty when nil or undefined.
    case relative(MetricChange?)
    /// Better, worse, same; empty when nil.
    case verdict(MetricChange.Verdict?)
    /// A gate verdict and how much it weighs.
    case gateVerdict(GateVerdict, GateLevel)
}

extension Cell {
    /// The text of a cell that reads the same in every text medium, with `placeholder` for a missing value; nil
    /// for verdicts, which each medium marks its own way. A value's bar is left to the medium.
    package func plainText(precision: Int, placeholder: String) -> String? {
        switch self {
        case .text(let text): text ?? placeholder
        case .value(let value, let format, _):
            value.map { ValueText.display($0, format: format, precision: precision) } ?? placeholder
        case .time(let date): date.map(ValueText.shortTime) ?? placeholder
        case .change(let change, let format, let withRelative):
            change.map { ValueText.changeText($0, format: format, precision: precision, withRelative: withRelative) } ?? ""
        case .relative(let change): change.map(ValueText.relative) ?? ""
        case .verdict, .gateVerdict: nil
        }
    }
}
