import KFPModel

/// Which value of a metric a comparison or a gate rule takes (`compare --at`, a rule's `at:`): its final value,
/// or a point of its series.
package enum SeriesPosition: Sendable, Equatable, CustomStringConvertible {
    /// The final value: what the metrics file says (dvclive's `metrics.json`, MLflow's latest value).
    case final
    /// The best point of the series by the metric's direction (the first, when several tie).
    case best
    /// The last point: the greatest step, the latest when a step was logged more than once.
    case last
    /// The point at this step (the last logged there, when several were).
    case step(Int64)

    /// Parses `final`, `best`, `last` or `step=N`.
    package init(parsing text: String) throws(SeriesPositionError) {
        switch text {
        case "final": self = .final
        case "best": self = .best
        case "last": self = .last
        default:
            guard text.hasPrefix("step="), let step = NumberText.integer(Array(text.utf8).dropFirst(5)) else {
                throw SeriesPositionError(text: text)
            }
            self = .step(step)
        }
    }

    package var description: String {
        switch self {
        case .final: "final"
        case .best: "best"
        case .last: "last"
        case .step(let step): "step=\(step)"
        }
    }

    /// Whether the position needs the metric's series (every one but `final`).
    package var needsSeries: Bool { self != .final }

    /// The value of `metric` at this position and the step it was taken at (nil for a final value); nil when
    /// it has no value there. A metric without a series has its final value as its best and last; it has
    /// none at a step. A series without a finite point has its last point as its best.
    package func value(of metric: Metric, series: MetricSeries?, direction: Direction) -> (value: Double, step: Int64?)? {
        let point: SeriesPoint?
        switch self {
        case .final: return (metric.value, nil)
        case .best: point = series.flatMap { $0.best(direction) ?? $0.last }
        case .last: point = series?.last
        case .step(let step): return series?.point(atStep: step).map { ($0.value, step) }
        }
        guard let point else { return (metric.value, nil) }
        return (point.value, point.step)
    }
}

/// A position that is not `final`, `best`, `last` or `step=N`.
package struct SeriesPositionError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var description: String { "invalid position '\(text)': expected final, best, last or step=N" }
}

/// The series of some runs' metrics, as `compare --at` and the gate's `at:` read them from the store.
package struct SeriesByRun: Sendable {
    private var series: [RunReference: [String: MetricSeries]] = [:]

    package init() {}

    /// Adds a run's series (all of them, or those asked for).
    package mutating func add(_ list: [MetricSeries], of run: StoredRun) {
        series[RunReference(experiment: run.experiment, name: run.name)] = Dictionary(
            list.map { ($0.metric, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The series of a run's metric, if it was added and the metric has one.
    package func series(of run: StoredRun, metric: String) -> MetricSeries? {
        series[RunReference(experiment: run.experiment, name: run.name)]?[metric]
    }

    /// The value of a run's metric at `position`, with the step it was taken at; nil when the run lacks the
    /// metric, or has no point there.
    package func value(
        of run: StoredRun, metric name: String, at position: SeriesPosition, direction: Direction
    ) -> (value: Double, step: Int64?)? {
        run.metric(name).flatMap { position.value(of: $0, series: series(of: run, metric: name), direction: direction) }
    }
}
