import KFPIngest
import KFPModel

/// What `kfpm validate` found: each input that reads without errors, and every diagnostic.
package struct ValidationResult: Sendable {
    /// An input that passed: its path and what it holds.
    package struct Passed: Sendable {
        package var path: String
        /// What was read: `flat JSON metrics, 5 metrics`, `dvclive series, 6 points`, `parameters, 12`.
        package var summary: String
    }

    package var passed: [Passed]
    package var diagnostics: [Diagnostic]

    /// The errors, and how many inputs they are in.
    package var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    package var inputsWithErrors: Int { Set(diagnostics.filter { $0.severity == .error }.map(\.file)).count }
}

/// `kfpm validate`: the ingest readers and checks, one input at a time, storing nothing.
package enum Validator {
    /// Reads and checks every input; with `options.kfpRules`, KFP's own rules apply exactly. A series or
    /// parameters file is checked on its own: what it lacks alone (its metric's final value) is no problem.
    package static func validate(
        _ paths: [String], options: ReadOptions, standardInput: () throws -> [UInt8]
    ) -> ValidationResult {
        let collected = InputCollector.collect(paths, limits: options.limits, standardInput: standardInput)
        var result = ValidationResult(passed: [], diagnostics: collected.diagnostics)
        var skipped = 0
        for input in collected.inputs {
            let plan = IngestPlanner.plan([input], step: nil, options: options)
            switch input.kind {
            case .metrics:
                // A file of a folder that is no metrics file is skipped, as ingest skips it; whether the folder
                // holds any metrics file at all is decided over all its files, below.
                if input.foundInFolder && plan.sources.isEmpty && plan.diagnostics.contains(where: { $0.severity == .note }) {
                    result.diagnostics += plan.diagnostics.filter { $0.rule != "no-metrics" }
                    skipped += 1
                    continue
                }
                result.diagnostics += plan.diagnostics
                if !plan.hasErrors, let source = plan.sources.first {
                    result.passed.append(
                        ValidationResult.Passed(
                            path: input.path, summary: "\(source.inputFormat.title), \(source.metricCount) metrics"))
                }
            case .series, .params:
                result.diagnostics += plan.diagnostics.filter { $0.severity != .note && $0.rule != "no-metrics" }
                guard !plan.hasErrors else { continue }
                let summary = input.kind == .params
                    ? "parameters, \(plan.params.count)"
                    : "dvclive series, \(plan.series.first?.points.count ?? 0) points"
                result.passed.append(ValidationResult.Passed(path: input.path, summary: summary))
            }
        }
        if result.passed.isEmpty && skipped > 0 && result.errorCount == 0 {
            result.diagnostics.append(
                Diagnostic(
                    .error, file: paths.first ?? "input",
                    message: "none of the \(skipped) file\(skipped == 1 ? "" : "s") found in the folder is a metrics file",
                    rule: "no-metrics"))
        }
        return result
    }
}
