import Foundation

/// Which metrics `kfpm runs` shows as columns.
package enum MetricColumns: Sendable, Equatable {
    /// The N most prevalent metrics of the runs shown, then by name (the KFP runs list shows 2).
    case top(Int)
    /// Every metric of the runs shown.
    case all
    /// Names or globs, in the order given; each glob expands to the matching names, sorted.
    case matching([Glob])

    /// Parses `top:N`, `all`, or a comma-separated list of names and globs.
    package init?(parsing text: String) {
        if text == "all" {
            self = .all
        } else if text.hasPrefix("top:") {
            guard let n = Int(text.dropFirst(4)), n >= 0 else { return nil }
            self = .top(n)
        } else {
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !parts.isEmpty else { return nil }
            self = .matching(parts.map(Glob.init))
        }
    }

    /// The column names for these runs.
    package func names(for runs: [StoredRun]) -> [String] {
        var prevalence: [String: Int] = [:]
        for run in runs {
            for metric in run.metrics { prevalence[metric.name, default: 0] += 1 }
        }
        let byPrevalence = prevalence.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
        switch self {
        case .top(let n): return Array(byPrevalence.prefix(n))
        case .all: return byPrevalence
        case .matching(let globs):
            var seen = Set<String>()
            var names: [String] = []
            for glob in globs {
                let matches = glob.isLiteral ? [glob.pattern] : prevalence.keys.filter(glob.matches).sorted()
                for name in matches where seen.insert(name).inserted { names.append(name) }
            }
            return names
        }
    }
}

/// `kfpm runs`: the runs of an experiment with chosen metrics as columns.
package struct RunList: Sendable {
    package var experiment: String
    package var runs: [StoredRun]
    /// How many runs matched before `--limit`.
    package var totalMatching: Int
    /// The metric columns, in order.
    package var columns: [String]
    /// Label columns to show, in order; empty unless asked for.
    package var labelKeys: [String]
    /// Per column: the min and max of the finite values shown (for the RAW bars).
    package var ranges: [String: ClosedRange<Double>]

    package init(experiment: String, page: RunPage, columns: MetricColumns, showLabels: Bool) {
        self.experiment = experiment
        self.runs = page.runs
        self.totalMatching = page.totalMatching
        self.columns = columns.names(for: page.runs)
        self.labelKeys = showLabels ? Set(page.runs.flatMap { $0.labels.map(\.key) }).sorted() : []
        var ranges: [String: ClosedRange<Double>] = [:]
        for column in self.columns {
            let values = page.runs.compactMap { $0.metric(column)?.value }.filter(\.isFinite)
            if let low = values.min(), let high = values.max() { ranges[column] = low...high }
        }
        self.ranges = ranges
    }

    /// The fraction (0…1) of a cell's bar, the KFP way: PERCENTAGE values absolute, others relative to the
    /// min…max of the runs shown; nil when no bar is drawn (no value, not finite, all values equal).
    package func barFraction(_ metric: Metric, column: String) -> Double? {
        guard metric.value.isFinite else { return nil }
        if metric.format == .percentage { return Swift.min(1, Swift.max(0, metric.value)) }
        guard let range = ranges[column], range.upperBound > range.lowerBound else { return nil }
        return (metric.value - range.lowerBound) / (range.upperBound - range.lowerBound)
    }
}

extension StoredRun {
    /// The metric with this name, if the run has it.
    package func metric(_ name: String) -> Metric? {
        // Metrics are sorted by name: binary search.
        var low = 0
        var high = metrics.count
        while low < high {
            let mid = (low + high) / 2
            if metrics[mid].name < name { low = mid + 1 } else { high = mid }
        }
        return low < metrics.count && metrics[low].name == name ? metrics[low] : nil
    }

    /// The value of a label, if the run has it.
    package func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }
}
