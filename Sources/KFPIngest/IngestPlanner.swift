import KFPModel

/// The metrics of one invocation, checked across all its inputs, ready to store or to refuse.
package struct IngestPlan: Sendable {
    package var metrics: [Metric]
    package var sources: [MetricsSource]
    /// Errors, warnings and notes of every input, in input order.
    package var diagnostics: [Diagnostic]

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Reads every input, prefixes steps, and checks what no single file can: a name given twice.
package enum IngestPlanner {
    /// Plans an ingest. `step` (from `--step`) prefixes every name; a file found in a folder adds its folder path.
    package static func plan(_ inputs: [InputFile], step: String?, options: ReadOptions) -> IngestPlan {
        var plan = IngestPlan(metrics: [], sources: [], diagnostics: [])
        var firstSeen: [String: ReadMetric] = [:]
        var skipped = 0
        for input in inputs {
            let reading = MetricsFileReader.read(input.bytes, file: input.path, options: options)
            if input.foundInFolder && reading.isNotMetrics {
                plan.diagnostics.append(
                    Diagnostic(.note, file: input.path, message: "skipped: not a metrics file"))
                skipped += 1
                continue
            }
            plan.diagnostics += reading.diagnostics
            let prefix = [step ?? "", input.folder].filter { !$0.isEmpty }.joined(separator: "/")
            if input.folder.hasControlCharacters {
                plan.diagnostics.append(
                    Diagnostic(
                        .error, file: input.path,
                        message: "the step '\(input.folder.visibleControlCharacters())' (the file's folder) contains control characters",
                        rule: "naming"))
                continue
            }
            for metric in reading.metrics {
                // Names are kept in NFC: two spellings of one name in one invocation are one name given twice.
                let name = (prefix.isEmpty ? metric.name : prefix + "/" + metric.name).nfc
                if let first = firstSeen[name] {
                    var duplicate = metric.location
                    duplicate.message = "metric '\(name)' is given twice (first at \(placeText(first.location)))"
                    duplicate.rule = "duplicate-name"
                    plan.diagnostics.append(duplicate)
                    continue
                }
                firstSeen[name] = metric
                plan.metrics.append(Metric(name: name, value: metric.value, format: metric.format))
            }
            if let format = reading.format, !reading.hasErrors {
                plan.sources.append(
                    MetricsSource(path: input.path, inputFormat: format, step: prefix, metricCount: reading.metrics.count))
            }
        }
        if !plan.hasErrors && plan.sources.isEmpty && skipped > 0 {
            // Every file found in the folders was something else: storing an empty run would pass silently.
            plan.diagnostics.append(
                Diagnostic(
                    .error, file: inputs[0].path,
                    message: "none of the \(skipped) file\(skipped == 1 ? "" : "s") found in the folder is a metrics file",
                    rule: "no-metrics"))
        } else if !plan.hasErrors && plan.metrics.isEmpty && !inputs.isEmpty {
            plan.diagnostics.append(
                Diagnostic(
                    .warning, file: inputs.count == 1 ? inputs[0].path : "input",
                    message: "no metrics found in the input", rule: "no-metrics"))
        }
        return plan
    }

    /// `file:line:column` of a location.
    private static func placeText(_ location: Diagnostic) -> String {
        var text = location.file
        if let line = location.line { text += ":\(line)" }
        if let column = location.column { text += ":\(column)" }
        return text
    }
}
