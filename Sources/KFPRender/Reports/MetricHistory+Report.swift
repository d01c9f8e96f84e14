import KFPModel
import KFPReports

/// `kfpm history`: a metric over the runs of an experiment, oldest first, with a chart (a sparkline in text).
extension MetricHistory: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        let chartPoints = points.map { Chart.Point($0.run, $0.value, notes: [ValueText.shortTime($0.createdAt)]) }
        return ReportDocument([
            ReportBlock(
                .title(
                    "history of \(metric) · experiment \(experiment) · \(points.count) runs",
                    markdown: "**\(Markdown.escape(metric))** · experiment \(Markdown.escape(experiment))")),
            ReportBlock(
                .grid(
                    Grid(
                        [Column("Run"), Column("Created"), Column("Value", .right)],
                        rows: points.map { [.text($0.run), .time($0.createdAt), .value($0.value, $0.format)] }))),
            ReportBlock(
                .chart(
                    Chart(
                        title: metric, format: format, direction: direction, points: chartPoints,
                        caption: Chart.caption(chartPoints, format: format, precision: options.precision)))),
        ])
    }

    package var json: JSONOutput {
        .object([
            "experiment": .string(experiment),
            "metric": .string(metric),
            "points": .array(
                points.map {
                    .object([
                        "run": .string($0.run), "created_at": .string(ValueText.timestamp($0.createdAt)),
                        "value": .number($0.value), "format": .string($0.format.name),
                    ])
                }),
            "min": .number(orNull: min), "max": .number(orNull: max),
            "last": last.map { .object(["run": .string($0.run), "value": .number($0.value)]) } ?? .null,
        ])
    }

    package var csv: [[String]] {
        [["run", "created_at", "value", "format"]]
            + points.map { [$0.run, ValueText.timestamp($0.createdAt), ValueText.exact($0.value), $0.format.name] }
    }
}
