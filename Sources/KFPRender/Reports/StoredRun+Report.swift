import KFPModel
import KFPReports

/// `kfpm show`: one run, its labels, sources and every metric.
extension StoredRun: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        var facts: [Fact] = []
        if !labels.isEmpty {
            facts.append(
                Fact(
                    "labels", ValueText.labels(labels),
                    markdown: labels.map { Markdown.code("\($0.key)=\($0.value)") }.joined(separator: " ")))
        }
        let replaced = ingestedAt != createdAt ? " · replaced: \(ValueText.timestamp(ingestedAt))" : ""
        facts.append(Fact("created", ValueText.timestamp(createdAt) + replaced))
        if !sources.isEmpty {
            facts.append(Fact("from", sources.map { "\($0.path) (\($0.inputFormat.rawValue))" }.joined(separator: ", ")))
        }
        let grid = Grid(
            [Column("Metric"), Column("Value", .right), Column("Format")],
            rows: metrics.map { [.text($0.name), .value($0.value, $0.format), .text($0.format.name)] },
            emptyText: "(no metrics)")
        return ReportDocument([
            ReportBlock(
                .title(
                    "run \(name) · experiment \(experiment)",
                    markdown: "### Run \(Markdown.code(name)) · experiment \(Markdown.code(experiment))")),
            ReportBlock(.facts(facts)),
            ReportBlock(.grid(grid)),
        ])
    }

    package var json: JSONOutput {
        .object([
            "experiment": .string(experiment),
            "run": .string(name),
            "created_at": .string(ValueText.timestamp(createdAt)),
            "ingested_at": .string(ValueText.timestamp(ingestedAt)),
            "labels": .labels(labels),
            "metrics": .array(
                metrics.map {
                    .object(["name": .string($0.name), "value": .number($0.value), "format": .string($0.format.name)])
                }),
            "sources": .array(
                sources.map {
                    .object([
                        "path": .string($0.path), "format": .string($0.inputFormat.rawValue), "step": .string($0.step),
                        "metrics": .integer($0.metricCount),
                    ])
                }),
        ])
    }

    package var csv: [[String]] {
        [["experiment", "run", "metric", "value", "format"]]
            + metrics.map { [experiment, name, $0.name, ValueText.exact($0.value), $0.format.name] }
    }
}
