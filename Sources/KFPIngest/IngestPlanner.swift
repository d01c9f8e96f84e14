import KFPModel

/// The metrics, series and parameters of one invocation, checked across all its inputs, ready to store or to
/// refuse.
package struct IngestPlan: Sendable {
    /// Names unique and in NFC, in input order.
    package var metrics: MetricList
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
        planning.removeDuplicates()
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
    var plan = IngestPlan(metrics: MetricList(), sources: [], diagnostics: [])
    /// Every metric name so far, by its position in `plan.metrics` (a name given again is not added).
    var metricNames = PositionTable()
    /// Where each metrics file's metrics are in `plan.metrics` and where they were found in it: to place a name
    /// given twice, whose first can be in an earlier file.
    var placed: [PlacedMetrics] = []
    /// Positions in `plan.metrics` of names given again, in order; they are left out at the end.
    var duplicates: [Int] = []
    /// Each parameter name as first given (its place is worked out only for a message).
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
        let start = plan.metrics.count
        // Names are kept in NFC: two spellings of one name in one invocation are one name given twice.
        plan.metrics.append(contentsOf: reading.metrics.list, prefix: prefix)
        if !reading.metrics.isEmpty {
            placed.append(
                PlacedMetrics(
                    start: start, prefixBytes: prefix.isEmpty ? 0 : prefix.nfc.utf8.count + 1,
                    locations: reading.metrics.locations,
                    rawNames: reading.metrics.list.isASCII ? nil : reading.metrics.list))
        }
        findDuplicates(from: start)
        if let format = reading.format, !reading.hasErrors {
            plan.sources.append(
                MetricsSource(path: input.path, inputFormat: format, step: prefix, metricCount: reading.metrics.count))
        }
        return true
    }

    /// Reports every metric from `start` on whose name an earlier one has, as a `duplicate-name` error that points
    /// at the first (which is the one kept). Names are found with a table of positions, compared as `String`
    /// compares them; places are worked out for the message only (finding a line:column costs a scan of the file).
    private mutating func findDuplicates(from start: Int) {
        let metrics = plan.metrics
        metricNames.reserve(metrics.count)
        for position in start..<metrics.count {
            let name = metrics.name(at: position)
            let first = metricNames.insert(position, hash: name.hashValue) { metrics.name(at: $0) == name }
            guard let first else { continue }
            var duplicate = location(of: position)
            duplicate.message =
                "metric '\(name)' is given twice (first at \(IngestPlanner.placeText(location(of: first))))"
            duplicate.rule = "duplicate-name"
            plan.diagnostics.append(duplicate)
            duplicates.append(position)
        }
    }

    /// Where the metric at `position` of `plan.metrics` was found.
    private func location(of position: Int) -> Diagnostic {
        guard let file = placed.last(where: { $0.start <= position }) else {
            return Diagnostic(.error, file: "-", message: "")  // not reached: every position was placed
        }
        let index = position - file.start
        if let raw = file.rawNames { return file.locations.location(of: index, name: raw.name(at: index)) }
        // An ASCII name is spelled in the plan as in its file, after the prefix.
        let name = Substring(plan.metrics.name(at: position).utf8.dropFirst(file.prefixBytes))
        return file.locations.location(of: index, name: name)
    }

    /// Leaves out the metrics whose names were given before (each was reported).
    mutating func removeDuplicates() {
        if !duplicates.isEmpty { plan.metrics = plan.metrics.removing(sorted: duplicates) }
        duplicates = []
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
            let metrics = plan.metrics
            let given = metricNames.position(hash: found.metric.hashValue) { metrics.name(at: $0) == found.metric }
            guard given == nil else { continue }
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

extension ReadParameter: Placed {}

/// The metrics of one file in a plan: where they start in `plan.metrics`, and where they were found in the file.
private struct PlacedMetrics {
    /// The position in `plan.metrics` of the file's first metric.
    var start: Int
    /// The UTF-8 length of the prefix (the step and folder, and '/') that the plan's names have in front.
    var prefixBytes: Int
    /// Where each metric is in the file.
    var locations: MetricLocations
    /// The names as the file spells them, when some are not ASCII (NFC may have changed them in the plan).
    var rawNames: MetricList?
}
