/// A run named on the command line: its experiment and name.
package struct RunReference: Sendable, Hashable {
    package var experiment: String
    package var name: String

    package init(experiment: String, name: String) {
        self.experiment = experiment
        self.name = name
    }

    /// Resolves `RUN` in the default experiment; when no such run exists and the text is `EXPERIMENT:RUN`,
    /// that run of another experiment.
    package static func resolve(
        _ text: String, defaultExperiment: String, in store: any MetricsStore
    ) throws(StoreError) -> StoredRun {
        do {
            return try store.run(experiment: defaultExperiment, name: text)
        } catch {
            if let colon = text.firstIndex(of: ":"), colon != text.startIndex {
                let experiment = String(text[..<colon])
                let name = String(text[text.index(after: colon)...])
                if !name.isEmpty, let run = try? store.run(experiment: experiment, name: name) { return run }
            }
            throw error
        }
    }
}

/// How one run's value of a metric moved against the baseline's.
package struct MetricChange: Sendable, Equatable {
    /// candidate − baseline.
    package var absolute: Double
    /// (candidate − baseline) / |baseline|, as a fraction; nil when the baseline is 0 or not finite.
    package var relative: Double?
    /// For PERCENTAGE metrics, the change in percentage points ((candidate − baseline) × 100); nil otherwise.
    package var percentagePoints: Double?
    /// Better or worse by the metric's direction; nil when unchanged or not comparable.
    package var verdict: Verdict

    package enum Verdict: String, Sendable {
        case better, worse, unchanged
        /// A value is NaN or infinite, so better or worse cannot be said.
        case incomparable
    }

    /// The change from `baseline` to `value` for a metric of this format and direction.
    package init(from baseline: Double, to value: Double, format: MetricFormat, direction: Direction) {
        absolute = value - baseline
        relative = baseline.isFinite && value.isFinite && baseline != 0 ? (value - baseline) / abs(baseline) : nil
        percentagePoints = format == .percentage && absolute.isFinite ? absolute * 100 : nil
        if !baseline.isFinite || !value.isFinite {
            verdict = baseline.bitPattern == value.bitPattern || (baseline.isNaN && value.isNaN) ? .unchanged : .incomparable
        } else {
            switch direction.isBetter(value, than: baseline) {
            case nil: verdict = .unchanged
            case true?: verdict = .better
            case false?: verdict = .worse
            }
        }
    }
}

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
