import KFPModel

/// `kfpm curve`: one metric of one run over its steps, with its best and last points.
package struct MetricCurve: Sendable {
    package var experiment: String
    package var run: String
    package var metric: String
    package var format: MetricFormat
    package var direction: Direction
    /// The metric's final value (the metrics file's, or MLflow's latest), which the series led to.
    package var final: Double
    /// Every point, in order.
    package var points: [SeriesPoint]
    /// The thinning asked for: every `every`th point is shown (1 shows all).
    package var every: Int
    /// By the metric's direction, over every point (not only those shown); nil when none is finite.
    package var best: SeriesPoint?
    package var last: SeriesPoint?

    /// The curve of `series`, the series of `metric` (a metric of the run).
    package init(run: StoredRun, metric: Metric, series: MetricSeries, direction: Direction, every: Int = 1) {
        experiment = run.experiment
        self.run = run.name
        self.metric = metric.name
        format = metric.format
        self.direction = direction
        final = metric.value
        points = series.points
        self.every = Swift.max(1, every)
        best = series.best(direction)
        last = series.last
    }

    /// The points shown: the first and every `every`th after it, and the last one listed (so that thinning
    /// never hides where the curve ends).
    package var shown: [SeriesPoint] {
        guard every > 1 else { return points }
        var indices = Array(stride(from: 0, to: points.count, by: every))
        if let end = points.indices.last, indices.last != end { indices.append(end) }
        return indices.map { points[$0] }
    }

    /// Whether any point has a timestamp (the table then shows a time column).
    package var hasTimestamps: Bool { points.contains { $0.timestamp != nil } }

    /// The finite values shown, for the range.
    private var finite: [Double] { points.map(\.value).filter(\.isFinite) }
    package var min: Double? { finite.min() }
    package var max: Double? { finite.max() }
}
