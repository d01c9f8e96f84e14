import KFPModel
import KFPReports

/// `kfpm gate`: each metric's verdict worst first, the rules that matched nothing, notes and the outcome; as
/// checks, one test case per metric and an annotation per finding.
extension GateReport: Report {
    package static var formats: [OutputFormat] { OutputFormat.checkFormats }

    package func document(_ options: RenderOptions) -> ReportDocument {
        let columns = [
            Column("Verdict"), Column("Metric"), Column("Baseline", .right), Column("Candidate", .right),
            Column("Change", .right), Column("Limit"), Column("Reason"),
        ]
        let rows = resultsWorstFirst.map { r -> [Cell] in
            [
                .gateVerdict(r.verdict, r.level), .text(r.name), .value(r.baseline, r.format), .value(r.candidate, r.format),
                .change(r.change, r.format, withRelative: true), .text(r.limit), .text(r.reason),
            ]
        }
        let against = baselineRuns.isEmpty ? "no baseline" : Markdown.code(Markdown.escape(baselineDescription))
        let findings: [[Inline]] =
            unmatchedRules.map { [.text("rule applies to no metric: "), .code($0)] } + notes.map { [.text("note: "), .text($0)] }
        return ReportDocument([
            ReportBlock(
                .title(
                    "gate · candidate \(candidate.name) · baseline \(baselineDescription) · experiment \(candidate.experiment)",
                    markdown: "### \(passed ? "✅" : "❌") kfpm gate: \(Markdown.code(candidate.name)) vs \(against)")),
            ReportBlock(.verdict(summary, passed: passed), in: [.markdown, .html]),
            ReportBlock(.grid(Grid(columns, rows: rows, emptyText: "(no metrics)", markdownPlaceholder: "-", rowHeader: 1))),
            ReportBlock(.list(findings)),
            ReportBlock(.verdict(summary, passed: passed), in: .table),
        ])
    }

    package var json: JSONOutput {
        var counts: [String: JSONOutput] = [:]
        for verdict in GateVerdict.allCases { counts[verdict.rawValue] = .integer(self.counts[verdict] ?? 0) }
        return .object([
            "candidate": .reference(candidate),
            "baseline": .object([
                "selector": .string(baselineSelector),
                "runs": .array(baselineRuns.map(JSONOutput.reference)),
            ]),
            "passed": .bool(passed),
            "exit_code": .integer(Int(exitCode)),
            "summary": .string(summary),
            "counts": .object(counts),
            "notes": .array(notes.map(JSONOutput.string)),
            "unmatched_rules": .array(unmatchedRules.map(JSONOutput.string)),
            "metrics": .array(
                results.map { r in
                    var fields: [String: JSONOutput] = [
                        "name": .string(r.name), "format": .string(r.format.name), "direction": .string(r.direction.rawValue),
                        "verdict": .string(r.verdict.rawValue),
                        "level": .string(["ok", "warning", "failure"][r.level.rawValue]),
                        "baseline": .number(orNull: r.baseline), "candidate": .number(orNull: r.candidate),
                        "change": .number(orNull: r.change?.absolute), "relative_change": .number(orNull: r.change?.relative),
                        "pp_change": .number(orNull: r.change?.percentagePoints), "noise": .number(orNull: r.noise),
                        "window_runs": r.windowCount.map(JSONOutput.integer) ?? .null,
                        "limit": .string(r.limit), "reason": .string(r.reason),
                        "rule": .string(orNull: r.rule),
                    ]
                    // Only for a rule with `at:`: which value was checked, and the steps it was taken at.
                    if r.at != .final {
                        fields["at"] = .string(r.at.description)
                        fields["candidate_step"] = r.candidateStep.map { .integer(Int($0)) } ?? .null
                        fields["baseline_step"] = r.baselineStep.map { .integer(Int($0)) } ?? .null
                    }
                    return .object(fields)
                }),
        ])
    }

    package var csv: [[String]] {
        [[
            "metric", "verdict", "format", "direction", "baseline", "candidate", "change", "relative_change", "pp_change",
            "limit", "reason",
        ]]
            + results.map { r in
                [
                    r.name, r.verdict.rawValue, r.format.name, r.direction.rawValue, CSVText.exact(r.baseline),
                    CSVText.exact(r.candidate), CSVText.exact(r.change?.absolute), CSVText.exact(r.change?.relative),
                    CSVText.exact(r.change?.percentagePoints), r.limit, r.reason,
                ]
            }
    }

    package func checks(_ options: RenderOptions) -> CheckSuite? {
        let className = "kfpm.gate." + candidate.experiment
        var cases = results.map { result -> CheckSuite.TestCase in
            let detail = "verdict: \(result.verdict.rawValue)\nbaseline: \(result.baseline.map(ValueText.exact) ?? "-")\n"
                + "candidate: \(result.candidate.map(ValueText.exact) ?? "-")\n"
                + "change: \(result.change.map { ValueText.exact($0.absolute) } ?? "-")\nlimit: \(result.limit)\nreason: \(result.reason)"
            guard fails(result) else { return CheckSuite.TestCase(className: className, name: result.name, output: detail) }
            return CheckSuite.TestCase(
                className: className, name: result.name,
                problem: CheckSuite.Problem(
                    .failure, type: result.verdict.rawValue, message: "\(result.name): \(result.reason) (limit: \(result.limit))",
                    detail: detail))
        }
        if strict && !unmatchedRules.isEmpty {
            cases.append(
                CheckSuite.TestCase(
                    className: className, name: "rules",
                    problem: CheckSuite.Problem(
                        .failure, type: "strict", message: "rules apply to no metric: " + unmatchedRules.joined(separator: "; "))))
        }
        var annotations: [CheckSuite.Annotation] = []
        for result in resultsWorstFirst where result.level != .ok {
            let change = result.change.map {
                ", change " + ValueText.changeText($0, format: result.format, precision: options.precision, withRelative: true)
            }
            let message = "\(result.name): \(result.verdict.rawValue) — \(result.reason); baseline "
                + "\(shown(result.baseline, result.format, options)), candidate \(shown(result.candidate, result.format, options))"
                + (change ?? "") + "; limit: \(result.limit)"
            annotations.append(
                CheckSuite.Annotation(fails(result) ? .error : .warning, title: "kfpm gate: \(result.name)", message: message))
        }
        for rule in unmatchedRules {
            annotations.append(
                CheckSuite.Annotation(strict ? .error : .warning, title: "kfpm gate: rules", message: "rule applies to no metric: \(rule)"))
        }
        annotations += (notes + [summary]).map { CheckSuite.Annotation(.notice, title: "kfpm gate", message: $0) }
        return CheckSuite(
            name: "kfpm gate",
            suiteName: "kfpm gate: \(candidate.experiment)/\(candidate.name) vs \(baselineDescription)",
            properties: [
                CheckSuite.Property("candidate", candidate.name), CheckSuite.Property("baseline", baselineSelector),
                CheckSuite.Property("baseline_runs", baselineRuns.map(\.name).joined(separator: ",")),
                CheckSuite.Property("summary", summary),
            ],
            cases: cases, annotations: annotations)
    }

    /// Whether a result fails the gate (warnings only under `--fail-on-warn`).
    private func fails(_ result: MetricResult) -> Bool {
        result.level == .failure || (failOnWarn && result.level == .warning)
    }

    /// A value shown the KFP way, or `-`.
    private func shown(_ value: Double?, _ format: MetricFormat, _ options: RenderOptions) -> String {
        value.map { ValueText.display($0, format: format, precision: options.precision) } ?? "-"
    }
}
