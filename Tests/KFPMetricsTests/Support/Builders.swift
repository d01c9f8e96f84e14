import Foundation
import KFPMTestSupport

@testable import KFPModel

/// Runs, metrics and ingests built in one line, shared by the tests.
enum Build {
    /// The ingest time used unless a test gives one.
    static let time = Date(timeIntervalSince1970: 1_800_000_000)

    /// Metrics from (name, value, format) triples, sorted by name as a stored run holds them.
    static func metrics(_ metrics: [(String, Double, MetricFormat)]) -> [Metric] {
        metrics.map { Metric(name: $0.0, value: $0.1, format: $0.2) }.sorted { $0.name < $1.name }
    }

    /// A stored run of experiment `e` (or another), created `hour` hours after 1970.
    static func storedRun(
        _ name: String, _ metrics: [(String, Double, MetricFormat)], experiment: String = "e", labels: [Label] = [],
        hour: Double = 0
    ) -> StoredRun {
        let created = Date(timeIntervalSince1970: hour * 3600)
        return StoredRun(
            experiment: experiment, name: name, labels: labels, metrics: self.metrics(metrics), sources: [],
            createdAt: created, ingestedAt: created)
    }

    /// An ingest of one run from one source file.
    static func ingest(
        _ run: String, _ metrics: [Metric], labels: [Label] = [], experiment: String = "Default", time: Date = time,
        createdAt: Date? = nil
    ) -> RunIngest {
        RunIngest(
            experiment: experiment, run: run, labels: labels, metrics: metrics,
            sources: [MetricsSource(path: "m.json", inputFormat: .kfpV1, step: "", metricCount: metrics.count)],
            time: time, createdAt: createdAt)
    }

    /// An ingest of one run with one metric `m`.
    static func ingest(_ run: String, value: Double, experiment: String = "Default", time: Date = time) -> RunIngest {
        ingest(run, [Metric(name: "m", value: value, format: .raw)], experiment: experiment, time: time)
    }
}

extension Build {
    /// A series of `metric` from (step, value) pairs, with a timestamp per point (a second apart) unless told not to.
    static func series(_ metric: String, _ points: [(Int64, Double)], timestamps: Bool = true) -> MetricSeries {
        MetricSeries(
            metric: metric,
            points: points.enumerated().map {
                SeriesPoint(step: $0.element.0, value: $0.element.1, timestamp: timestamps ? 1_735_689_600_000 + Int64($0.offset) * 1000 : nil)
            })
    }

    /// An ingest of one run with metrics, parameters and series.
    static func ingest(
        _ run: String, _ metrics: [Metric], params: [Parameter], series: [MetricSeries], experiment: String = "Default",
        time: Date = time
    ) -> RunIngest {
        var ingest = ingest(run, metrics, experiment: experiment, time: time)
        ingest.params = params
        ingest.series = series
        return ingest
    }
}
