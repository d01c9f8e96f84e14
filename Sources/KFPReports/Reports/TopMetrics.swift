import KFPModel
import KFPStore

/// `kfpm top`: an experiment's metrics, most prevalent first, each with its statistics and best run.
package struct TopMetrics: Sendable {
    /// One metric with its direction and the best run by that direction.
    package struct Entry: Sendable {
        package var statistics: MetricStatistics
        package var direction: Direction
        package var bestRun: String?
        package var bestValue: Double?
    }

    package var experiment: String
    package var entries: [Entry]
    /// How many metrics the experiment has in all (entries may be fewer with `-n`).
    package var totalMetrics: Int

    package init(experiment: String, statistics: [MetricStatistics], directions: DirectionPolicy, limit: Int?) {
        self.experiment = experiment
        self.totalMetrics = statistics.count
        self.entries = statistics.prefix(limit ?? statistics.count).map { stats in
            let direction = directions.direction(of: stats.name)
            let best = direction == .higherIsBetter ? (stats.maxRun, stats.max) : (stats.minRun, stats.min)
            return Entry(statistics: stats, direction: direction, bestRun: best.0, bestValue: best.1)
        }
    }
}
