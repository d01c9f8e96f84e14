import KFPModel

/// The metrics, series and parameters of one invocation, checked across all its inputs, ready to store or to
/// refuse.
package struct IngestPlan: Sendable {
    package var metrics: [Metric]
    package var sources: [MetricsSource]
    /// Per-step histories of some of `metrics`.
    package var series: [MetricSeries] = []
    /// Parameters from `params.yaml` files.
    package var params: [Parameter] = []
    /// Errors, warnings and notes of every input, in input order.
    package var diagnostics: [Diagnostic]

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Reads every input, prefixes steps, and checks what no single file can: a name given twice, a series whose
/// metric no metrics file gives.
package enum IngestPlanner {
    /// Plans an ingest. `step` (from `--step`) prefixes every name; a file found in a folder adds its folder path.
    package static func plan(_ inputs: [InputFile], step: String?, options: ReadOptions) -> IngestPlan {
        var planning = Planning(options: options)
        var skipped = 0
        for input in inputs {
            let prefix = [step ?? "", input.folder].filter { !$0.isEmpty }.joined(separator: "/")
            if input.folder.hasControlCharacters {
                planning.plan.diagnostics.append(
                    Diagnostic(
                        .error, file: input.path,
                        message: "the step '\(input.folder.visibleControlCharacters())' (the file's folder) contains control characters",
                        rule: "naming"))
                continue
            }
            switch input.kind {
            case .metrics: if !planning.addMetrics(input, prefix: prefix) { skipped += 1 }
            case .series(let metric): planning.addSeries(input, metric: Self.joined(prefix, metric))
            case .params: planning.addParams(input, prefix: prefix)
            }
        }
        planning.finishSeries()
        var plan = planning.plan
        if !plan.hasErrors && plan.sources.isEmpty && plan.metrics.isEmpty && skipped > 0 {
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

    /// `prefix/name`, or `name` without a prefix, in NFC.
    static func joined(_ prefix: String, _ name: String) -> String {
        (prefix.isEmpty ? name : prefix + "/" + name).nfc
    }

    /// `file:line:column` of a location.
    static func placeText(_ location: Diagnostic) -> String {
        var text = location.file
        if let line = location.line { text += ":\(line)" }
        if let column = location.column { text += ":\(column)" }
        return text
    }
}

/// The plan as it is built, input by input, with where each name was first seen.
private struct Planning {
    let options: ReadOptions
    var plan = IngestPlan(metrics: [], sources: [], diagnostics: [])
    /// Each metric and parameter name as first given (its place is worked out only for a message).
    var metricSeen: [String: ReadMetric] = [:]
    var paramSeen: [String: ReadParameter] = [:]
    /// Series read, with the file and where its last point is (to place a message about it).
    var series: [(series: MetricSeries, file: String, reading: SeriesReading)] = []

    init(options: ReadOptions) { self.options = options }

    /// Reads a metrics file; false when it is no metrics file and was skipped (found in a folder).
    mutating func addMetrics(_ input: InputFile, prefix: String) -> Bool {
        let reading = MetricsFileReader.read(input.bytes, file: input.path, options: options)
        if input.foundInFolder && reading.isNotMetrics {
            plan.diagnostics.append(Diagnostic(.note, file: input.path, message: "skipped: not a metrics file"))
            return false
        }
        plan.diagnostics += reading.diagnostics
        for metric in reading.metrics {
            // Names are kept in NFC: two spellings of one name in one invocation are one name given twice.
            let name = IngestPlanner.joined(prefix, metric.name)
            guard Self.claim(name, "metric", metric, seen: &metricSeen, diagnostics: &plan.diagnostics) else { continue }
            plan.metrics.append(Metric(name: name, value: metric.value, format: metric.format))
        }
        if let format = reading.format, !reading.hasErrors {
            plan.sources.append(
                MetricsSource(path: input.path, inputFormat: format, step: prefix, metricCount: reading.metrics.count))
        }
        return true
    }

    /// Whether `name` is new; a name given before is a `duplicate-name` error at `item` that points at the first.
    /// (Places are worked out for the message only: finding a line:column costs a scan of the file.)
    private static func claim<Item: Placed>(
        _ name: String, _ what: String, _ item: Item, seen: inout [String: Item], diagnostics: inout [Diagnostic]
    ) -> Bool {
        guard let first = seen[name] else {
            seen[name] = item
            return true
        }
        var duplicate = item.location
        duplicate.message = "\(what) '\(name)' is given twice (first at \(IngestPlanner.placeText(first.location)))"
        duplicate.rule = "duplicate-name"
        diagnostics.append(duplicate)
        return false
    }

    /// Reads a series file (dvclive's `plots/metrics/<metric>.tsv`).
    mutating func addSeries(_ input: InputFile, metric: String) {
        let reading = SeriesFileReader.read(input.bytes, file: input.path)
        plan.diagnostics += reading.diagnostics
        if metric.hasControlCharacters {
            plan.diagnostics.append(
                Diagnostic(
                    .error, file: input.path, message: "metric name '\(metric.visibleControlCharacters())' contains control characters",
                    rule: "naming"))
            return
        }
        if reading.hasErrors { return }
        if let first = series.first(where: { $0.series.metric == metric }) {
            plan.diagnostics.append(
                Diagnostic(
                    .error, file: input.path, message: "the series of metric '\(metric)' is given twice (first in \(first.file))",
                    rule: "duplicate-name"))
            return
        }
        guard !reading.points.isEmpty else {
            plan.diagnostics.append(Diagnostic(.note, file: input.path, message: "no points (a header only): skipped"))
            return
        }
        series.append((MetricSeries(metric: metric, points: reading.points), input.path, reading))
    }

    /// Reads a parameters file (`params.yaml`); its keys are filed under the file's step like metric names.
    mutating func addParams(_ input: InputFile, prefix: String) {
        let reading = ParamsFileReader.read(input.bytes, file: input.path)
        plan.diagnostics += reading.diagnostics
        for param in reading.params {
            let key = IngestPlanner.joined(prefix, param.key)
            guard Self.claim(key, "parameter", param, seen: &paramSeen, diagnostics: &plan.diagnostics) else { continue }
            plan.params.append(Parameter(key: key, value: param.value))
        }
    }

    /// Puts the series into the plan. A series whose metric no metrics file gives makes that metric, its final
    /// value the series' last point (dvclive's `metrics.json` holds the last value logged, too); a non-finite
    /// one needs `--allow-nonfinite`, as it would in a metrics file.
    mutating func finishSeries() {
        for (found, file, reading) in series {
            plan.series.append(found)
            guard metricSeen[found.metric] == nil else { continue }
            guard let last = found.points.last else { continue }
            let position = reading.lastPointOffset.flatMap { reading.lines?.position(of: $0) }
            if !last.value.isFinite && (!options.allowNonFinite || options.kfpRules) {
                plan.diagnostics.append(
                    Diagnostic(
                        .error, file: file, line: position?.line, column: position?.column,
                        message: "metric '\(found.metric)' is in no metrics file, and its last point, its final value, is "
                            + "\(NumberText.exact(last.value)); pass --allow-nonfinite to store non-finite values",
                        rule: "non-finite"))
                continue
            }
            plan.diagnostics.append(
                Diagnostic(
                    .note, file: file, line: position?.line, column: position?.column,
                    message: "metric '\(found.metric)' is in no metrics file: its last point (step \(last.step)) is its final value"))
            plan.metrics.append(Metric(name: found.metric, value: last.value, format: .raw))
        }
    }
}

/// Something read from an input with its place, as a diagnostic to fill in.
protocol Placed {
    var location: Diagnostic { get }
}

extension ReadMetric: Placed {}
extension ReadParameter: Placed {}
