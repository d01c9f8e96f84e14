import KFPModel

/// `kfpm compare`: every metric of a baseline and other runs, with each run's change against the baseline.
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
        /// One per run, baseline first; nil where the run lacks the metric.
        package var values: [Double?]
        /// One per run after the baseline; nil where either side lacks the metric.
        package var changes: [MetricChange?]
        package var status: Status
    }

    /// Baseline first.
    package var runs: [RunReference]
    package var rows: [Row]
    /// Things the reader must know, such as metrics that differ only by a leading step.
    package var notes: [String] = []

    /// Compares `runs[0]` (the baseline) with the others: one row per metric name, sorted by name.
    package init(runs stored: [StoredRun], directions: DirectionPolicy, onlyChanged: Bool = false) {
        runs = stored.map { RunReference(experiment: $0.experiment, name: $0.name) }
        let byRun = stored.map { run in Dictionary(run.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }) }
        let names = Set(stored.flatMap { $0.metrics.map(\.name) }).sorted()
        rows = names.compactMap { name in
            let metrics = byRun.map { $0[name] }
            let format = metrics.compactMap { $0?.format }.first ?? .unspecified
            let direction = directions.direction(of: name)
            let values = metrics.map { $0?.value }
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
                name: name, format: format, direction: direction, values: values, changes: changes, status: status)
        }
        for (i, run) in stored.enumerated().dropFirst() {
            let baseOnly = byRun[0].keys.filter { byRun[i][$0] == nil }.sorted()
            let runOnly = byRun[i].keys.filter { byRun[0][$0] == nil }.sorted()
            notes += StepMismatch.notes(only: baseOnly, in: stored[0].name, against: runOnly, in: run.name)
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
