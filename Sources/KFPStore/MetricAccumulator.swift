// MARK: - Statistics behind `top`

/// Which statistics row: an experiment and a metric name, by their ids in one store.
struct StatisticsKey: Hashable, Comparable {
    var experimentID: Int64
    var nameID: Int64

    /// By experiment, then name: the order of `metric_stat`'s key.
    static func < (a: StatisticsKey, b: StatisticsKey) -> Bool {
        (a.experimentID, a.nameID) < (b.experimentID, b.nameID)
    }
}

/// Running statistics of one metric over runs, as every backend keeps them per experiment and metric so that
/// `top` reads a few rows instead of every metric row: prevalence, the sum and count of the finite values, the
/// extremes with their runs, and the value of the latest run (by creation time, then run id). Merging two
/// accumulators (or an accumulator into a stored row) gives what one accumulator over both sets of runs gives, so a
/// write adds the runs it stores, and a replace recomputes the rows it touched from the stored metrics.
struct MetricAccumulator {
    /// Runs that have the metric.
    var count = 0
    /// Runs whose value is finite, and the sum of those values.
    var finiteCount = 0
    var sum = 0.0
    /// The smallest and largest finite values, each with the first run (in the order added) that has it.
    var min: (value: Double, run: Int64)?
    var max: (value: Double, run: Int64)?
    /// The latest run's value and format: the run with the largest (creation time, id).
    var latest: (created: Int64, run: Int64, value: Double, format: Int)?

    /// Counts one run's value in.
    mutating func add(value: Double, format: Int, run: Int64, created: Int64) {
        count += 1
        if value.isFinite {
            finiteCount += 1
            sum += value
            if min.map({ value < $0.value }) ?? true { min = (value, run) }
            if max.map({ value > $0.value }) ?? true { max = (value, run) }
        }
        if latest.map({ (created, run) > ($0.created, $0.run) }) ?? true { latest = (created, run, value, format) }
    }
}
