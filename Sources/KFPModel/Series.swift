/// One point of a metric's series: the step it was logged at, its value and, when the source says, when.
package struct SeriesPoint: Sendable {
    /// The training step (MLflow's `step`, dvclive's `step` column); may repeat and may be negative.
    package var step: Int64
    /// The exact value; NaN and ±Infinity are kept (a NaN is a gap in a curve).
    package var value: Double
    /// Milliseconds since 1970 (UTC), when the source records it.
    package var timestamp: Int64?

    package init(step: Int64, value: Double, timestamp: Int64? = nil) {
        self.step = step
        self.value = value
        self.timestamp = timestamp
    }

    /// Whether two points carry the same content; unlike `==` on doubles, NaN equals NaN and 0 differs from -0.
    package func sameContent(as other: SeriesPoint) -> Bool {
        step == other.step && timestamp == other.timestamp
            && (value.bitPattern == other.value.bitPattern || value.isNaN && other.value.isNaN)
    }
}

/// The points of one metric of a run, in the order they were logged (or as the source lists them). The metric's
/// final value is kept apart, in `Metric`: the series is what led to it.
package struct MetricSeries: Sendable {
    /// The metric's name (NFC), as in `Metric.name`.
    package private(set) var metric: String
    package var points: [SeriesPoint]

    package init(metric: String, points: [SeriesPoint]) {
        self.metric = metric.nfc
        self.points = points
    }

    /// Whether two series carry the same points in the same order.
    package func sameContent(as other: MetricSeries) -> Bool {
        metric == other.metric && points.count == other.points.count
            && zip(points, other.points).allSatisfy { $0.sameContent(as: $1) }
    }
}

// MARK: - Picking a point

extension MetricSeries {
    /// The last point: the one with the greatest step; among points at one step, the latest timestamp, then the
    /// one listed last. (For a series logged step by step, simply its last point.)
    package var last: SeriesPoint? { points.indices.max(by: comesBefore).map { points[$0] } }

    /// The point at `step`, by the rule of `last` when the step was logged more than once; nil when none is.
    package func point(atStep step: Int64) -> SeriesPoint? {
        points.indices.filter { points[$0].step == step }.max(by: comesBefore).map { points[$0] }
    }

    /// The best point by `direction`: the first point with the highest (or lowest) finite value; nil when no
    /// point is finite.
    package func best(_ direction: Direction) -> SeriesPoint? {
        var best: SeriesPoint?
        for point in points where point.value.isFinite {
            guard let current = best else {
                best = point
                continue
            }
            if direction.isBetter(point.value, than: current.value) == true { best = point }
        }
        return best
    }

    /// The order `last` uses: by step, then timestamp (a point without one before a point with one), then index.
    private func comesBefore(_ a: Int, _ b: Int) -> Bool {
        let (x, y) = (points[a], points[b])
        if x.step != y.step { return x.step < y.step }
        if x.timestamp != y.timestamp { return (x.timestamp ?? .min) < (y.timestamp ?? .min) }
        return a < b
    }
}
