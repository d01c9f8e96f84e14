/// Renders results as JSON with sorted keys; values exact. Shapes are documented in the README.
struct JSONRenderer: Renderer {
    func render(_ run: StoredRun) -> String {
        JSONOutput.object([
            "experiment": .string(run.experiment),
            "run": .string(run.name),
            "created_at": .string(ValueText.timestamp(run.createdAt)),
            "ingested_at": .string(ValueText.timestamp(run.ingestedAt)),
            "labels": .object(Dictionary(run.labels.map { ($0.key, JSONOutput.string($0.value)) }, uniquingKeysWith: { a, _ in a })),
            "metrics": .array(
                run.metrics.map {
                    .object(["name": .string($0.name), "value": .number($0.value), "format": .string($0.format.name)])
                }),
            "sources": .array(
                run.sources.map {
                    .object([
                        "path": .string($0.path), "format": .string($0.inputFormat.rawValue), "step": .string($0.step),
                        "metrics": .integer($0.metricCount),
                    ])
                }),
        ]).serialized()
    }
}

// MARK: - Read commands

extension JSONRenderer {
    /// A number, or null when absent.
    func number(_ value: Double?) -> JSONOutput { value.map(JSONOutput.number) ?? .null }

    func reference(_ run: RunReference) -> JSONOutput {
        .object(["experiment": .string(run.experiment), "run": .string(run.name)])
    }

    func render(_ experiments: [ExperimentSummary]) -> String {
        JSONOutput.object([
            "experiments": .array(
                experiments.map {
                    .object([
                        "name": .string($0.name), "runs": .integer($0.runCount),
                        "first_run": $0.firstRun.map { .string(ValueText.timestamp($0)) } ?? .null,
                        "latest_run": $0.latestRun.map { .string(ValueText.timestamp($0)) } ?? .null,
                    ])
                })
        ]).serialized()
    }

    func render(_ list: RunList) -> String {
        JSONOutput.object([
            "experiment": .string(list.experiment),
            "total": .integer(list.totalMatching),
            "columns": .array(list.columns.map(JSONOutput.string)),
            "runs": .array(
                list.runs.map { run in
                    var metrics: [String: JSONOutput] = [:]
                    for column in list.columns {
                        if let metric = run.metric(column) {
                            metrics[column] = .object(["value": .number(metric.value), "format": .string(metric.format.name)])
                        }
                    }
                    return .object([
                        "run": .string(run.name), "created_at": .string(ValueText.timestamp(run.createdAt)),
                        "labels": .object(
                            Dictionary(run.labels.map { ($0.key, JSONOutput.string($0.value)) }, uniquingKeysWith: { a, _ in a })),
                        "metrics": .object(metrics),
                    ])
                }),
        ]).serialized()
    }

    func render(_ top: TopMetrics) -> String {
        JSONOutput.object([
            "experiment": .string(top.experiment),
            "total_metrics": .integer(top.totalMetrics),
            "metrics": .array(
                top.entries.map { entry in
                    let s = entry.statistics
                    return .object([
                        "name": .string(s.name), "format": .string(s.format.name),
                        "direction": .string(entry.direction.rawValue), "runs": .integer(s.runCount),
                        "min": number(s.min), "max": number(s.max), "mean": number(s.mean),
                        "latest": .number(s.latest), "latest_run": .string(s.latestRun),
                        "best": number(entry.bestValue), "best_run": entry.bestRun.map(JSONOutput.string) ?? .null,
                    ])
                }),
        ]).serialized()
    }

    func render(_ comparison: Comparison) -> String {
        let others = Array(comparison.runs.dropFirst())
        return JSONOutput.object([
            "baseline": reference(comparison.runs[0]),
            "runs": .array(comparison.runs.map(reference)),
            "metrics": .array(
                comparison.rows.map { row in
                    .object([
                        "name": .string(row.name), "format": .string(row.format.name),
                        "direction": .string(row.direction.rawValue), "status": .string(row.status.rawValue),
                        "values": .array(row.values.map(number)),
                        "changes": .array(
                            zip(others, row.changes).map { run, change in
                                guard let change else { return .null }
                                return .object([
                                    "experiment": .string(run.experiment), "run": .string(run.name),
                                    "absolute": .number(change.absolute), "relative": number(change.relative),
                                    "pp": number(change.percentagePoints), "verdict": .string(change.verdict.rawValue),
                                ])
                            }),
                    ])
                }),
            "summary": .array(
                others.indices.map { i in
                    var fields = comparison.counts(run: i + 1).mapValues(JSONOutput.integer)
                    fields["experiment"] = .string(others[i].experiment)
                    fields["run"] = .string(others[i].name)
                    return .object(fields)
                }),
        ]).serialized()
    }

    func render(_ history: MetricHistory) -> String {
        JSONOutput.object([
            "experiment": .string(history.experiment),
            "metric": .string(history.metric),
            "points": .array(
                history.points.map {
                    .object([
                        "run": .string($0.run), "created_at": .string(ValueText.timestamp($0.createdAt)),
                        "value": .number($0.value), "format": .string($0.format.name),
                    ])
                }),
            "min": number(history.min), "max": number(history.max),
            "last": history.last.map { .object(["run": .string($0.run), "value": .number($0.value)]) } ?? .null,
        ]).serialized()
    }
}

// MARK: - Gate

extension JSONRenderer {
    func render(_ report: GateReport) -> String {
        var counts: [String: JSONOutput] = [:]
        for verdict in GateVerdict.allCases { counts[verdict.rawValue] = .integer(report.counts[verdict] ?? 0) }
        return JSONOutput.object([
            "candidate": reference(report.candidate),
            "baseline": .object([
                "selector": .string(report.baselineSelector),
                "runs": .array(report.baselineRuns.map(reference)),
            ]),
            "passed": .bool(report.passed),
            "exit_code": .integer(Int(report.exitCode)),
            "summary": .string(report.summary),
            "counts": .object(counts),
            "notes": .array(report.notes.map(JSONOutput.string)),
            "unmatched_rules": .array(report.unmatchedRules.map(JSONOutput.string)),
            "metrics": .array(
                report.results.map { r in
                    .object([
                        "name": .string(r.name), "format": .string(r.format.name), "direction": .string(r.direction.rawValue),
                        "verdict": .string(r.verdict.rawValue),
                        "level": .string(["ok", "warning", "failure"][r.level.rawValue]),
                        "baseline": number(r.baseline), "candidate": number(r.candidate),
                        "change": number(r.change?.absolute), "relative_change": number(r.change?.relative),
                        "pp_change": number(r.change?.percentagePoints), "noise": number(r.noise),
                        "window_runs": r.windowCount.map(JSONOutput.integer) ?? .null,
                        "limit": .string(r.limit), "reason": .string(r.reason),
                        "rule": r.rule.map(JSONOutput.string) ?? .null,
                    ])
                }),
        ]).serialized()
    }
}
