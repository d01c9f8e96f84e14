import KFPModel
import KFPReports

/// `kfpm history`: a metric over the runs of an experiment, oldest first, with a sparkline.
extension MetricHistory: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        func shown(_ value: Double?, _ format: MetricFormat) -> String {
            value.map { ValueText.display($0, format: format, precision: options.precision) } ?? "-"
        }
        var caption = "min \(shown(min, format)) · max \(shown(max, format))"
        if let last { caption += " · last \(shown(last.value, last.format)) (\(last.run))" }
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
            ReportBlock(.sparkline(points.map(\.value), caption: caption)),
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
