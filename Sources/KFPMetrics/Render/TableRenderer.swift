/// Renders results as aligned text for a terminal, with values shown the KFP way.
struct TableRenderer: Renderer {
    let options: RenderOptions

    func render(_ run: StoredRun) -> String {
        var out = "run \(run.name) · experiment \(run.experiment)\n"
        if !run.labels.isEmpty {
            out += "labels: " + run.labels.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
        }
        out += "created: \(ValueText.timestamp(run.createdAt))"
        if run.ingestedAt != run.createdAt { out += " · replaced: \(ValueText.timestamp(run.ingestedAt))" }
        out += "\n"
        if !run.sources.isEmpty {
            out += "from: " + run.sources.map { "\($0.path) (\($0.inputFormat.rawValue))" }.joined(separator: ", ") + "\n"
        }
        out += "\n"
        if run.metrics.isEmpty { return out + "(no metrics)\n" }
        var table = TextTable([.init("METRIC"), .init("VALUE", .right), .init("FORMAT")])
        for metric in run.metrics {
            table.rows.append([
                metric.name, ValueText.display(metric.value, format: metric.format, precision: options.precision),
                metric.format.name,
            ])
        }
        return out + table.rendered()
    }
}

// MARK: - Read commands

extension TableRenderer {
    private func value(_ value: Double, _ format: MetricFormat) -> String {
        ValueText.display(value, format: format, precision: options.precision)
    }

    func render(_ experiments: [ExperimentSummary]) -> String {
        if experiments.isEmpty { return "(no experiments)\n" }
        var table = TextTable([.init("EXPERIMENT"), .init("RUNS", .right), .init("FIRST RUN"), .init("LATEST RUN")])
        for experiment in experiments {
            table.append([
                experiment.name, String(experiment.runCount), experiment.firstRun.map(ValueText.shortTime) ?? "-",
                experiment.latestRun.map(ValueText.shortTime) ?? "-",
            ])
        }
        return table.rendered()
    }

    func render(_ list: RunList) -> String {
        var columns: [TextTable.Column] = [.init("RUN"), .init("CREATED")]
        columns += list.labelKeys.map { .init($0) }
        columns += list.columns.map { .init($0) }
        var table = TextTable(columns)
        for run in list.runs {
            var row = [run.name, ValueText.shortTime(run.createdAt)]
            row += list.labelKeys.map { run.label($0) ?? "-" }
            for column in list.columns {
                guard let metric = run.metric(column) else {
                    row.append("-")
                    continue
                }
                let text = value(metric.value, metric.format)
                let bar = list.barFraction(metric, column: column).map { " " + Blocks.bar($0) } ?? ""
                row.append(text + bar)
            }
            table.append(row)
        }
        let header = "experiment \(list.experiment) · \(list.runs.count) of \(list.totalMatching) runs\n\n"
        if list.runs.isEmpty { return header + "(no runs)\n" }
        return header + table.rendered()
    }

    func render(_ top: TopMetrics) -> String {
        var table = TextTable([
            .init("METRIC"), .init("RUNS", .right), .init("MIN", .right), .init("MAX", .right), .init("MEAN", .right),
            .init("LATEST", .right), .init("BEST", .right), .init("BEST RUN"), .init("BETTER"),
        ])
        for entry in top.entries {
            let stats = entry.statistics
            let show = { (number: Double?) in number.map { self.value($0, stats.format) } ?? "-" }
            table.append([
                stats.name, String(stats.runCount), show(stats.min), show(stats.max), show(stats.mean),
                show(stats.latest), show(entry.bestValue), entry.bestRun ?? "-", entry.direction.rawValue,
            ])
        }
        let header = "experiment \(top.experiment) · \(top.entries.count) of \(top.totalMetrics) metrics\n\n"
        if top.entries.isEmpty { return header + "(no metrics)\n" }
        return header + table.rendered()
    }

    func render(_ comparison: Comparison) -> String {
        let crossExperiment = Set(comparison.runs.map(\.experiment)).count > 1
        let names = comparison.runs.map { crossExperiment ? "\($0.experiment):\($0.name)" : $0.name }
        var columns: [TextTable.Column] = [.init("METRIC"), .init(names[0] + " (base)", .right)]
        for name in names.dropFirst() {
            columns += [.init(name, .right), .init("CHANGE", .right), .init("REL", .right), .init("")]
        }
        columns.append(.init("STATUS"))
        var table = TextTable(columns)
        for row in comparison.rows {
            var cells = [row.name, row.values[0].map { value($0, row.format) } ?? "-"]
            var colors: [Int: TerminalColor] = [:]
            for (i, change) in row.changes.enumerated() {
                cells.append(row.values[i + 1].map { value($0, row.format) } ?? "-")
                if let change {
                    cells += [
                        ValueText.change(change, format: row.format, precision: options.precision),
                        ValueText.relative(change), Self.verdictText(change.verdict),
                    ]
                    if let tint = Self.color(change.verdict) { colors[cells.count - 1] = tint }
                } else {
                    cells += ["", "", ""]
                }
            }
            cells.append(row.status.rawValue)
            table.append(cells, colors: colors)
        }
        var out = "compare · baseline \(comparison.runs[0].name) (experiment \(comparison.runs[0].experiment))\n\n"
        out += comparison.rows.isEmpty ? "(no metrics)\n" : table.rendered(color: options.color)
        out += "\n" + ComparisonSummary.lines(comparison).joined(separator: "\n") + "\n"
        return out
    }

    /// The word shown for a verdict.
    static func verdictText(_ verdict: MetricChange.Verdict) -> String {
        switch verdict {
        case .better: "▲ better"
        case .worse: "▼ worse"
        case .unchanged: "= same"
        case .incomparable: "? n/a"
        }
    }

    static func color(_ verdict: MetricChange.Verdict) -> TerminalColor? {
        switch verdict {
        case .better: .green
        case .worse: .red
        case .incomparable: .yellow
        case .unchanged: nil
        }
    }

    func render(_ history: MetricHistory) -> String {
        var table = TextTable([.init("RUN"), .init("CREATED"), .init("VALUE", .right)])
        for point in history.points {
            table.append([point.run, ValueText.shortTime(point.createdAt), value(point.value, point.format)])
        }
        var out = "history of \(history.metric) · experiment \(history.experiment) · \(history.points.count) runs\n\n"
        out += table.rendered()
        out += "\n" + Blocks.sparkline(history.points.map(\.value))
        let format = history.format
        out += "  min \(history.min.map { value($0, format) } ?? "-") · max \(history.max.map { value($0, format) } ?? "-")"
        if let last = history.last { out += " · last \(value(last.value, last.format)) (\(last.run))" }
        return out + "\n"
    }
}

// MARK: - Gate

extension TableRenderer {
    func render(_ report: GateReport) -> String {
        var table = TextTable([
            .init("VERDICT"), .init("METRIC"), .init("BASELINE", .right), .init("CANDIDATE", .right), .init("CHANGE", .right),
            .init("LIMIT"), .init("REASON"),
        ])
        for result in report.resultsWorstFirst {
            let color: TerminalColor? =
                result.level == .failure ? .red : result.level == .warning ? .yellow : result.verdict == .improved ? .green : nil
            table.append(
                [
                    result.verdict.rawValue.uppercased(), result.name, result.baselineText(options.precision),
                    result.candidateText(options.precision), result.changeText(options.precision), result.limit, result.reason,
                ], colors: color.map { [0: $0] } ?? [:])
        }
        var out = "gate · candidate \(report.candidate.name) · baseline \(report.baselineDescription) · experiment \(report.candidate.experiment)\n\n"
        out += report.results.isEmpty ? "(no metrics)\n" : table.rendered(color: options.color)
        for rule in report.unmatchedRules { out += "\nrule applies to no metric: \(rule)" }
        for note in report.notes { out += "\nnote: \(note)" }
        if !report.unmatchedRules.isEmpty || !report.notes.isEmpty { out += "\n" }
        let summary = report.summary
        out += "\n" + (options.color ? (report.passed ? TerminalColor.green : .red).wrap(summary) : summary) + "\n"
        return out
    }
}
