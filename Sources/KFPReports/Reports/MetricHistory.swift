import FoundationEssentials
import KFPModel
import KFPStore

/// `kfpm history`: a metric over the runs of an experiment in time order.
package struct MetricHistory: Sendable {
    package var experiment: String
    package var metric: String
    /// Oldest first.
    package var points: [HistoryPoint]
    /// Which way is better, for marking the best run.
    package var direction: Direction

    /// The direction, when not given, is the one the metric's name suggests.
    package init(experiment: String, metric: String, points: [HistoryPoint], direction: Direction? = nil) {
        self.experiment = experiment
        self.metric = metric
        self.points = points
        self.direction = direction ?? .inferred(from: metric)
    }

    /// The finite values, oldest first.
    private var finite: [Double] { points.map(\.value).filter(\.isFinite) }
    package var min: Double? { finite.min() }
    package var max: Double? { finite.max() }
    package var last: HistoryPoint? { points.last }

    /// The display format: the latest point's.
    package var format: MetricFormat { points.last?.format ?? .raw }
}
