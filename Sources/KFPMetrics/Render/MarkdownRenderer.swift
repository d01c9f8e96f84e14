import Foundation

/// Renders results as GitHub-flavoured Markdown, ready to paste into a PR comment.
struct MarkdownRenderer: Renderer {
    let options: RenderOptions

    /// Escapes text for a table cell: pipes, backslashes and line breaks would break the row.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    func render(_ run: StoredRun) -> String {
        var out = "### Run `\(run.name)` · experiment `\(run.experiment)`\n\n"
        if !run.labels.isEmpty {
            out += "Labels: " + run.labels.map { "`\($0.key)=\($0.value)`" }.joined(separator: " ") + "\n\n"
        }
        out += "| Metric | Value | Format |\n|---|---:|---|\n"
        for metric in run.metrics {
            let value = ValueText.display(metric.value, format: metric.format, precision: options.precision)
            out += "| \(Self.cell(metric.name)) | \(value) | \(metric.format.name) |\n"
        }
        return out
    }
}

// MARK: - Read commands

extension MarkdownRenderer {
    private func value(_ value: Double?, _ format: MetricFormat) -> String {
        value.map { ValueText.display($0, format: format, precision: options.precision) } ?? "–"
    }

    /// A GFM table from a header (with `:` alignment marks) and rows.
    func table(_ header: [(String, TextTable.Alignment)], _ rows: [[String]]) -> String {
        var out = "| " + header.map { Self.cell($0.0) }.joined(separator: " | ") + " |\n"
        out += "|" + header.map { $0.1 == .right ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.map(Self.cell).joined(separator: " | ") + " |\n" }
        return out
    }

    func render(_ experiments: [ExperimentSummary]) -> String {
        table(
            [("Experiment", .left), ("Runs", .right), ("First run", .left), ("Latest run", .left)],
            experiments.map {
                [$0.name, String($0.runCount), $0.firstRun.map(ValueText.shortTime) ?? "–", $0.latestRun.map(ValueText.shortTime) ?? "–"]
            })
    }

    func render(_ list: RunList) -> String {
        let header: [(String, TextTable.Alignment)] =
            [("Run", .left), ("Created", .left)] + list.labelKeys.map { ($0, .left) } + list.columns.map { ($0, .right) }
        let rows = list.runs.map { run in
            [run.name, ValueText.shortTime(run.createdAt)] + list.labelKeys.map { run.label($0) ?? "–" }
                + list.columns.map { column in value(run.metric(column)?.value, run.metric(column)?.format ?? .raw) }
        }
        return "**\(Self.cell(list.experiment))** · \(list.runs.count) of \(list.totalMatching) runs\n\n" + table(header, rows)
    }

    func render(_ top: TopMetrics) -> String {
        let rows = top.entries.map { entry -> [String] in
            let s = entry.statistics
            return [
                s.name, String(s.runCount), value(s.min, s.format), value(s.max, s.format), value(s.mean, s.format),
                value(s.latest, s.format), value(entry.bestValue, s.format), entry.bestRun ?? "–", entry.direction.rawValue,
            ]
        }
        return table(
            [
                ("Metric", .left), ("Runs", .right), ("Min", .right), ("Max", .right), ("Mean", .right),
                ("Latest", .right), ("Best", .right), ("Best run", .left), ("Better", .left),
            ], rows)
    }

    /// The verdict with a coloured mark that GitHub renders in PR comments.
    private static func verdict(_ verdict: MetricChange.Verdict) -> String {
        switch verdict {
        case .better: "🟢 better"
        case .worse: "🔴 worse"
        case .unchanged: "same"
        case .incomparable: "⚠️ n/a"
        }
    }

    func render(_ comparison: Comparison) -> String {
        var header: [(String, TextTable.Alignment)] = [("Metric", .left), ("`\(comparison.runs[0].name)` (base)", .right)]
        for run in comparison.runs.dropFirst() {
            header += [("`\(run.name)`", .right), ("Change", .right), ("Rel.", .right), ("", .left)]
        }
        header.append(("Status", .left))
        let rows = comparison.rows.map { row -> [String] in
            var cells = [row.name, value(row.values[0], row.format)]
            for (i, change) in row.changes.enumerated() {
                cells.append(value(row.values[i + 1], row.format))
                if let change {
                    cells += [
                        ValueText.change(change, format: row.format, precision: options.precision),
                        ValueText.relative(change), Self.verdict(change.verdict),
                    ]
                } else {
                    cells += ["", "", ""]
                }
            }
            cells.append(row.status.rawValue)
            return cells
        }
        let summary = ComparisonSummary.lines(comparison).map { "- \($0)" }.joined(separator: "\n")
        return table(header, rows) + "\n" + summary + "\n"
    }

    func render(_ history: MetricHistory) -> String {
        let rows = history.points.map { [$0.run, ValueText.shortTime($0.createdAt), value($0.value, $0.format)] }
        var out = "**\(Self.cell(history.metric))** · experiment \(Self.cell(history.experiment))\n\n"
        out += table([("Run", .left), ("Created", .left), ("Value", .right)], rows)
        out += "\n`\(Blocks.sparkline(history.points.map(\.value)))` min \(value(history.min, history.format))"
        out += " · max \(value(history.max, history.format))"
        if let last = history.last { out += " · last \(value(last.value, last.format)) (\(Self.cell(last.run)))" }
        return out + "\n"
    }
}

// MARK: - Gate

extension MarkdownRenderer {
    private static func mark(_ result: MetricResult) -> String {
        switch (result.level, result.verdict) {
        case (.failure, _): "❌ \(result.verdict.rawValue)"
        case (.warning, _): "⚠️ \(result.verdict.rawValue)"
        case (_, .improved): "🟢 improved"
        case (_, .new): "🆕 new"
        default: "✅ \(result.verdict.rawValue)"
        }
    }

    func render(_ report: GateReport) -> String {
        var out = "### \(report.passed ? "✅" : "❌") kfpm gate: `\(report.candidate.name)` vs "
        out += "\(report.baselineRuns.isEmpty ? "no baseline" : "`\(Self.cell(report.baselineDescription))`")\n\n"
        out += "**\(Self.cell(report.summary))**\n\n"
        let rows = report.resultsWorstFirst.map { r in
            [
                Self.mark(r), r.name, r.baselineText(options.precision), r.candidateText(options.precision),
                r.changeText(options.precision), r.limit, r.reason,
            ]
        }
        out += table(
            [
                ("Verdict", .left), ("Metric", .left), ("Baseline", .right), ("Candidate", .right), ("Change", .right),
                ("Limit", .left), ("Reason", .left),
            ], rows)
        for rule in report.unmatchedRules { out += "\n- rule applies to no metric: `\(Self.cell(rule))`" }
        for note in report.notes { out += "\n- note: \(Self.cell(note))" }
        if !report.unmatchedRules.isEmpty || !report.notes.isEmpty { out += "\n" }
        return out
    }
}
