import KFPModel
import KFPReports

/// `kfpm runs`: a row per run, a column per chosen label, parameter and metric, each metric cell with its bar.
extension RunList: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        let columns =
            [Column("Run"), Column("Created")] + labelKeys.map { Column($0, table: $0) }
            + paramKeys.map { Column($0, table: $0) }
            + self.columns.map { Column($0, table: $0, .left, markdownAlignment: .right) }
        let rows = runs.map { run -> [Cell] in
            [.text(run.name), .time(run.createdAt)] + labelKeys.map { .text(run.label($0)) }
                + paramKeys.map { .text(run.param($0)) }
                + self.columns.map { column in
                    guard let metric = run.metric(column) else { return .value(nil, .raw) }
                    return .value(metric.value, metric.format, bar: barFraction(metric, column: column))
                }
        }
        let counts = "\(runs.count) of \(totalMatching) runs"
        return ReportDocument([
            ReportBlock(.title("experiment \(experiment) · \(counts)", markdown: "**\(Markdown.escape(experiment))** · \(counts)")),
            ReportBlock(.grid(Grid(columns, rows: rows, emptyText: "(no runs)", rowKeywords: runs.map { ValueText.labels($0.labels) }))),
        ])
    }

    package var json: JSONOutput {
        .object([
            "experiment": .string(experiment),
            "total": .integer(totalMatching),
            "columns": .array(columns.map(JSONOutput.string)),
            "runs": .array(
                runs.map { run in
                    var metrics: [String: JSONOutput] = [:]
                    for column in columns {
                        if let metric = run.metric(column) {
                            metrics[column] = .object(["value": .number(metric.value), "format": .string(metric.format.name)])
                        }
                    }
                    var fields: [String: JSONOutput] = [
                        "run": .string(run.name), "created_at": .string(ValueText.timestamp(run.createdAt)),
                        "labels": .labels(run.labels), "metrics": .object(metrics),
                    ]
                    // With --params only: every parameter of the run.
                    if showParams { fields["params"] = .params(run.params) }
                    return .object(fields)
                }),
        ])
    }

    package var csv: [[String]] {
        [["run", "created_at"] + labelKeys.map { "label:\($0)" } + paramKeys.map { "param:\($0)" } + columns]
            + runs.map { run in
                [run.name, ValueText.timestamp(run.createdAt)] + labelKeys.map { run.label($0) ?? "" }
                    + paramKeys.map { run.param($0) ?? "" }
                    + columns.map { run.metric($0).map { ValueText.exact($0.value) } ?? "" }
            }
    }
}
