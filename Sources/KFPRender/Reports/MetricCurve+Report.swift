import FoundationEssentials
import KFPModel
import KFPReports

/// `kfpm curve`: a metric's points step by step, a sparkline (NaN points as gaps), and its best and last points
/// beside its final value.
extension MetricCurve: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        func display(_ value: Double?) -> String {
            value.map { ValueText.display($0, format: format, precision: options.precision) } ?? "-"
        }
        func at(_ point: SeriesPoint?) -> String { point.map { "\(display($0.value)) at step \($0.step)" } ?? "-" }
        let thinned = every > 1 ? " (one in \(every) shown: \(shown.count))" : ""
        let summary = "\(at(best)) (\(direction.rawValue) is better) · last: \(at(last)) · final: \(display(final))"
        let time = hasTimestamps ? [Column("Time")] : []
        let rows = self.shown.map { point -> [Cell] in
            [.text(String(point.step)), .value(point.value, format)]
                + (hasTimestamps ? [.text(point.timestamp.map { ValueText.timestamp(Self.date($0)) })] : [])
        }
        return ReportDocument([
            ReportBlock(
                .title(
                    "curve of \(metric) · run \(run) · experiment \(experiment) · \(points.count) points\(thinned)",
                    markdown: "**\(Markdown.escape(metric))** · run \(Markdown.code(run)) · experiment "
                        + "\(Markdown.escape(experiment)) · \(points.count) points\(thinned)")),
            ReportBlock(.facts([Fact("best", summary, markdown: Markdown.escape(summary))])),
            ReportBlock(.grid(Grid([Column("Step", .right), Column("Value", .right)] + time, rows: rows))),
            ReportBlock(
                .chart(
                    Chart(
                        title: metric, format: format, direction: direction,
                        points: self.shown.map { Chart.Point("step \($0.step)", $0.value) },
                        caption: "min \(display(min)) · max \(display(max))"))),
        ])
    }

    package var json: JSONOutput {
        func point(_ point: SeriesPoint?) -> JSONOutput {
            guard let point else { return .null }
            return .object([
                "step": .integer(Int(point.step)), "value": .number(point.value),
                "timestamp": point.timestamp.map { .string(ValueText.timestamp(Self.date($0))) } ?? .null,
            ])
        }
        return .object([
            "experiment": .string(experiment), "run": .string(run), "metric": .string(metric),
            "format": .string(format.name), "direction": .string(direction.rawValue), "final": .number(final),
            "total_points": .integer(points.count), "every": .integer(every), "best": point(best), "last": point(last),
            "min": .number(orNull: min), "max": .number(orNull: max), "points": .array(shown.map(point)),
        ])
    }

    package var csv: [[String]] {
        [["step", "value", "timestamp"]]
            + shown.map { [String($0.step), ValueText.exact($0.value), $0.timestamp.map { ValueText.timestamp(Self.date($0)) } ?? ""] }
    }

    /// A point's time: milliseconds since 1970.
    private static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
