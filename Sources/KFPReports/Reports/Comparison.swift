import KFPModel

/// `kfpm compare`: every metric of a baseline and other runs, with each run's change against the baseline, and
/// the parameters that differ between them.
package struct Comparison: Sendable {
    /// Whether a metric is in the baseline and the other runs.
    package enum Status: String, Sendable {
        /// Not in the baseline, in at least one other run.
        case added
        /// In the baseline, missing from at least one other run.
        case removed
        /// In every run, with at least one value different from the baseline's.
        case changed
        /// In every run with the baseline's value.
        case unchanged
    }

    /// One metric across the runs.
    package struct Row: Sendable {
        package var name: String
        /// The baseline's format, else the first run's that has the metric.
        package var format: MetricFormat
        package var direction: Direction
        /// One per run, baseline first; nil where the run lacks the metric (or, `at` a step, a point there).
        package var values: [Double?]
        /// One per run: the step each value was taken at; nil for a final value.
        package var steps: [Int64?]
        /// One per run after the baseline; nil where either side lacks the metric.
        package var changes: [MetricChange?]
        package var status: Status
    }

    /// One parameter across the runs.
    package struct ParameterRow: Sendable {
        package var name: String
        /// One per run, baseline first; nil where the run lacks the parameter.
        package var values: [String?]
        /// Whether a run's value differs from the baseline's (as numbers when both are numbers).
        package var differs: Bool
    }

    /// Baseline first.
    package var runs: [RunReference]
    package var rows: [Row]
    /// Things the reader must know, such as metrics that differ only by a leading step.
    package var notes: [String] = []
    /// Which value of each metric was compared.
    package var at: SeriesPosition
    /// The parameters shown: those that differ, or all with `allParams`; sorted by name.
    package var parameters: [ParameterRow]
    /// Whether any run has parameters at all.
    package var hasParameters: Bool
    /// How many parameters are the same in every run (left out of `parameters` unless `allParams`).
    package var sameParameters: Int

    /// Compares `runs[0]` (the baseline) with the others: one row per metric name, sorted by name. With `at`
    /// other than `.final`, `series` holds the runs' series.
    package init(
        runs stored: [StoredRun], directions: DirectionPolicy, onlyChanged: Bool = false, at: SeriesPosition = .final,
        series: SeriesByRun = SeriesByRun(), allParams: Bool = false
    ) {
        runs = stored.map { RunReference(experiment: $0.experiment, name: $0.name) }
        self.at = at
        let names = Set(stored.flatMap { $0.metrics.map(\.name) }).sorted()
        rows = names.compactMap { name in
            let format = stored.compactMap { $0.metric(name)?.format }.first ?? .unspecified
            let direction = directions.direction(of: name)
            let picked = stored.map { series.value(of: $0, metric: name, at: at, direction: direction) }
            let values = picked.map { $0?.value }
            // At a step no run logged, a metric has nothing to compare.
            if values.allSatisfy({ $0 == nil }) { return nil }
            let changes: [MetricChange?] = values.dropFirst().map { value in
                guard let base = values[0], let value else { return nil }
                return MetricChange(from: base, to: value, format: format, direction: direction)
            }
            let status: Status
            if values[0] == nil {
                status = .added
            } else if values.contains(where: { $0 == nil }) {
                status = .removed
            } else if changes.contains(where: { $0?.verdict != .unchanged }) {
                status = .changed
            } else {
                status = .unchanged
            }
            if onlyChanged && status == .unchanged { return nil }
            return Row(
                name: name, format: format, direction: direction, values: values, steps: picked.map { $0?.step ?? nil },
                changes: changes, status: status)
        }
        let keys = Set(stored.flatMap { $0.params.map(\.key) }).sorted()
        let all = keys.map { key in
            let values = stored.map { $0.param(key) }
            let differs = values.dropFirst().contains { value in
                switch (values[0], value) {
                case (let a?, let b?): !Parameter.sameValue(a, b)
                case (nil, nil): false
                default: true
                }
            }
            return ParameterRow(name: key, values: values, differs: differs)
        }
        hasParameters = !keys.isEmpty
        parameters = allParams ? all : all.filter(\.differs)
        sameParameters = all.count(where: { !$0.differs })
        let baseNames = Set(stored[0].metrics.map(\.name))
        for run in stored.dropFirst() {
            let runNames = Set(run.metrics.map(\.name))
            notes += StepMismatch.notes(
                only: baseNames.subtracting(runNames).sorted(), in: stored[0].name, against: runNames.subtracting(baseNames).sorted(),
                in: run.name)
        }
    }
}

extension Comparison {
    /// For the run at `index` (1-based among the runs after the baseline): how many metrics got better, worse,
    /// stayed, could not be compared, appeared or vanished.
    package func counts(run index: Int) -> [String: Int] {
        var counts = ["better": 0, "worse": 0, "unchanged": 0, "incomparable": 0, "added": 0, "removed": 0]
        for row in rows {
            switch (row.values[0], row.values[index]) {
            case (nil, _?): counts["added", default: 0] += 1
            case (_?, nil): counts["removed", default: 0] += 1
            case (_?, _?): counts[row.changes[index - 1]?.verdict.rawValue ?? "unchanged", default: 0] += 1
            case (nil, nil): break
            }
        }
        return counts
    }
}
