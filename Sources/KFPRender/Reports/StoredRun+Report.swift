import KFPModel
import KFPReports

/// `kfpm show`: one run, its labels, sources, every metric (with its series' length when it has one) and its
/// parameters.
extension StoredRun: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        var facts: [Fact] = []
        if !labels.isEmpty {
            facts.append(
                Fact(
                    "labels", ValueText.labels(labels),
                    markdown: labels.map { Markdown.code("\($0.key)=\($0.value)") }.joined(separator: " ")))
        }
        // A run created when the source says (an MLflow start time, a KFP v2 local run's folder) or replaced later
        // was stored at another time than it was created.
        let stored = ingestedAt != createdAt ? " · stored: \(ValueText.timestamp(ingestedAt))" : ""
        facts.append(Fact("created", ValueText.timestamp(createdAt) + stored))
        if !sources.isEmpty {
            facts.append(Fact("from", sources.map { "\($0.path) (\($0.inputFormat.rawValue))" }.joined(separator: ", ")))
        }
        // A points column only when some metric has a series, so that a run without any reads as before.
        let points = seriesPointCounts.isEmpty ? [] : [Column("Points", .right)]
        let grid = Grid(
            [Column("Metric"), Column("Value", .right), Column("Format")] + points,
            rows: metrics.map { metric in
                [.text(metric.name), .value(metric.value, metric.format), .text(metric.format.name)]
                    + (points.isEmpty ? [] : [.text(seriesPointCounts[metric.name].map(String.init))])
            },
            emptyText: "(no metrics)")
        var blocks = [
            ReportBlock(
                .title(
                    "run \(name) · experiment \(experiment)",
                    markdown: "### Run \(Markdown.code(name)) · experiment \(Markdown.code(experiment))")),
            ReportBlock(.facts(facts)),
            ReportBlock(.grid(grid)),
        ]
        if !params.isEmpty {
            blocks.append(ReportBlock(.title("", markdown: "**Parameters**"), in: .markdown))
            blocks.append(
                ReportBlock(.grid(Grid([Column("Parameter"), Column("Value")], rows: params.map { [.text($0.key), .text($0.value)] }))))
        }
        return ReportDocument(blocks)
    }

    /// The documented shape; `params` only when the run has parameters, and a metric's `points` (its series'
    /// length) only when it has a series.
    package var json: JSONOutput {
        var fields: [String: JSONOutput] = [
            "experiment": .string(experiment),
            "run": .string(name),
            "created_at": .string(ValueText.timestamp(createdAt)),
            "ingested_at": .string(ValueText.timestamp(ingestedAt)),
            "labels": .labels(labels),
            "metrics": .array(
                metrics.map { metric in
                    var entry: [String: JSONOutput] = [
                        "name": .string(metric.name), "value": .number(metric.value), "format": .string(metric.format.name),
                    ]
                    if let count = seriesPointCounts[metric.name] { entry["points"] = .integer(count) }
                    return .object(entry)
                }),
            "sources": .array(
                sources.map {
                    .object([
                        "path": .string($0.path), "format": .string($0.inputFormat.rawValue), "step": .string($0.step),
                        "metrics": .integer($0.metricCount),
                    ])
                }),
        ]
        if !params.isEmpty { fields["params"] = .params(params) }
        return .object(fields)
    }

    package var csv: [[String]] {
        [["experiment", "run", "metric", "value", "format"]]
            + metrics.map { [experiment, name, $0.name, ValueText.exact($0.value), $0.format.name] }
    }
}
