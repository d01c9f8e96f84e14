/// Renders results as RFC 4180 CSV with a header row, one value per cell, exact values.
struct CSVRenderer: Renderer {
    func render(_ run: StoredRun) -> String {
        var out = CSVText.record(["experiment", "run", "metric", "value", "format"])
        for metric in run.metrics {
            out += CSVText.record([run.experiment, run.name, metric.name, ValueText.exact(metric.value), metric.format.name])
        }
        return out
    }
}

// MARK: - Read commands

extension CSVRenderer {
    func exact(_ value: Double?) -> String { value.map(ValueText.exact) ?? "" }

    func render(_ experiments: [ExperimentSummary]) -> String {
        var out = CSVText.record(["experiment", "runs", "first_run", "latest_run"])
        for e in experiments {
            out += CSVText.record([
                e.name, String(e.runCount), e.firstRun.map(ValueText.timestamp) ?? "",
                e.latestRun.map(ValueText.timestamp) ?? "",
            ])
        }
        return out
    }

    func render(_ list: RunList) -> String {
        var out = CSVText.record(["run", "created_at"] + list.labelKeys.map { "label:\($0)" } + list.columns)
        for run in list.runs {
            out += CSVText.record(
                [run.name, ValueText.timestamp(run.createdAt)] + list.labelKeys.map { run.label($0) ?? "" }
                    + list.columns.map { exact(run.metric($0)?.value) })
        }
        return out
    }

    func render(_ top: TopMetrics) -> String {
        var out = CSVText.record([
            "metric", "format", "direction", "runs", "min", "max", "mean", "latest", "latest_run", "best", "best_run",
        ])
        for entry in top.entries {
            let s = entry.statistics
            out += CSVText.record([
                s.name, s.format.name, entry.direction.rawValue, String(s.runCount), exact(s.min), exact(s.max),
                exact(s.mean), exact(s.latest), s.latestRun, exact(entry.bestValue), entry.bestRun ?? "",
            ])
        }
        return out
    }

    /// One record per metric and compared run (long form), so that every cell holds one value.
    func render(_ comparison: Comparison) -> String {
        var out = CSVText.record([
            "metric", "format", "direction", "status", "baseline_experiment", "baseline_run", "baseline_value",
            "experiment", "run", "value", "change", "relative_change", "pp_change", "verdict",
        ])
        let base = comparison.runs[0]
        for row in comparison.rows {
            for (i, run) in comparison.runs.dropFirst().enumerated() {
                let change = row.changes[i]
                out += CSVText.record([
                    row.name, row.format.name, row.direction.rawValue, row.status.rawValue, base.experiment, base.name,
                    exact(row.values[0]), run.experiment, run.name, exact(row.values[i + 1]), exact(change?.absolute),
                    exact(change?.relative), exact(change?.percentagePoints), change?.verdict.rawValue ?? "",
                ])
            }
        }
        return out
    }

    func render(_ history: MetricHistory) -> String {
        var out = CSVText.record(["run", "created_at", "value", "format"])
        for point in history.points {
            out += CSVText.record([point.run, ValueText.timestamp(point.createdAt), ValueText.exact(point.value), point.format.name])
        }
        return out
    }
}

// MARK: - Gate

extension CSVRenderer {
    func render(_ report: GateReport) -> String {
        var out = CSVText.record([
            "metric", "verdict", "format", "direction", "baseline", "candidate", "change", "relative_change", "pp_change",
            "limit", "reason",
        ])
        for r in report.results {
            out += CSVText.record([
                r.name, r.verdict.rawValue, r.format.name, r.direction.rawValue, exact(r.baseline), exact(r.candidate),
                exact(r.change?.absolute), exact(r.change?.relative), exact(r.change?.percentagePoints), r.limit, r.reason,
            ])
        }
        return out
    }
}
