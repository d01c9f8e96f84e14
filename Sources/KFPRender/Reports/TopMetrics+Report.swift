import KFPModel
import KFPReports

/// `kfpm top`: an experiment's metrics, most prevalent first, with statistics and the best run.
extension TopMetrics: Report {
    package func document(_ options: RenderOptions) -> ReportDocument {
        let columns = [
            Column("Metric"), Column("Runs", .right), Column("Min", .right), Column("Max", .right), Column("Mean", .right),
            Column("Latest", .right), Column("Best", .right), Column("Best run"), Column("Better"),
        ]
        let rows = entries.map { entry -> [Cell] in
            let s = entry.statistics
            return [
                .text(s.name), .text(String(s.runCount)), .value(s.min, s.format), .value(s.max, s.format),
                .value(s.mean, s.format), .value(s.latest, s.format), .value(entry.bestValue, s.format), .text(entry.bestRun),
                .text(entry.direction.rawValue),
            ]
        }
        return ReportDocument([
            ReportBlock(.title("experiment \(experiment) · \(entries.count) of \(totalMetrics) metrics", markdown: nil)),
            ReportBlock(.grid(Grid(columns, rows: rows, emptyText: "(no metrics)"))),
        ])
    }

    package var json: JSONOutput {
        .object([
            "experiment": .string(experiment),
            "total_metrics": .integer(totalMetrics),
            "metrics": .array(
                entries.map { entry in
                    let s = entry.statistics
                    return .object([
                        "name": .string(s.name), "format": .string(s.format.name),
                        "direction": .string(entry.direction.rawValue), "runs": .integer(s.runCount),
                        "min": .number(orNull: s.min), "max": .number(orNull: s.max), "mean": .number(orNull: s.mean),
                        "latest": .number(s.latest), "latest_run": .string(s.latestRun),
                        "best": .number(orNull: entry.bestValue), "best_run": .string(orNull: entry.bestRun),
                    ])
                }),
        ])
    }

    package var csv: [[String]] {
        [["metric", "format", "direction", "runs", "min", "max", "mean", "latest", "latest_run", "best", "best_run"]]
            + entries.map { entry in
                let s = entry.statistics
                return [
                    s.name, s.format.name, entry.direction.rawValue, String(s.runCount), CSVText.exact(s.min), CSVText.exact(s.max),
                    CSVText.exact(s.mean), CSVText.exact(s.latest), s.latestRun, CSVText.exact(entry.bestValue), entry.bestRun ?? "",
                ]
            }
    }
}
