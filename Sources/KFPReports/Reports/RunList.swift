import KFPModel
import KFPStore

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
    /// Whether parameters were asked for (`--params`): then `paramKeys` are columns, and JSON carries them.
    package var showParams: Bool
    /// Parameter columns: every parameter key of the runs shown, sorted; empty unless asked for.
    package var paramKeys: [String]
    /// Per column: the min and max of the finite values shown (for the RAW bars).
    package var ranges: [String: ClosedRange<Double>]

    /// The runs of a page, with the metric columns its query chose (`RunQuery.metrics`).
    package init(experiment: String, page: RunPage, showLabels: Bool, showParams: Bool = false) {
        self.experiment = experiment
        self.runs = page.runs
        self.totalMatching = page.totalMatching
        self.columns = page.columns
        self.labelKeys = showLabels ? Set(page.runs.flatMap { $0.labels.map(\.key) }).sorted() : []
        self.showParams = showParams
        self.paramKeys = showParams ? Set(page.runs.flatMap { $0.params.map(\.key) }).sorted() : []
        var ranges: [String: ClosedRange<Double>] = [:]
        for column in self.columns {
            let values = page.runs.compactMap { $0.metric(column)?.value }.filter(\.isFinite)
            if let low = values.min(), let high = values.max() { ranges[column] = low...high }
        }
        self.ranges = ranges
    }

    /// The fraction (0…1) of a cell's bar, the KFP way: PERCENTAGE values absolute, others relative to the
    /// min…max of the runs shown (all equal: full); nil when no bar is drawn (a value that is not finite).
    package func barFraction(_ metric: Metric, column: String) -> Double? {
        guard metric.value.isFinite else { return nil }
        if metric.format == .percentage { return Swift.min(1, Swift.max(0, metric.value)) }
        guard let range = ranges[column] else { return nil }
        guard range.upperBound > range.lowerBound else { return 1 }
        return (metric.value - range.lowerBound) / (range.upperBound - range.lowerBound)
    }
}
