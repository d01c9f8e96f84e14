import FoundationEssentials

/// Where one file of an ingest came from, kept with the run.
package struct MetricsSource: Sendable, Hashable {
    /// The path as given (or `-` for standard input), or the file's path below a given folder.
    package var path: String
    /// The input format it was read as.
    package var inputFormat: InputFormat
    /// The step its metrics were filed under; empty when none.
    package var step: String
    /// How many metrics it gave.
    package var metricCount: Int

    package init(path: String, inputFormat: InputFormat, step: String, metricCount: Int) {
        self.path = path
        self.inputFormat = inputFormat
        self.step = step.nfc
        self.metricCount = metricCount
    }
}

/// Everything one `kfpm ingest` stores for one run, in one transaction. Names are kept in NFC.
package struct RunIngest: Sendable {
    package var experiment: String
    package var run: String
    package var labels: [Label]
    /// The metrics, names unique and in NFC; a collection of `Metric` kept compactly (see `MetricList`).
    package var metrics: MetricList
    package var sources: [MetricsSource]
    /// When the ingest happened.
    package var time: Date
    /// When the run itself happened, if known (a KFP v2 local run's folder says); else the ingest time.
    package var createdAt: Date?
    /// The run's parameters, keys unique.
    package var params: [Parameter]
    /// Per-step points of some of `metrics` (each series names one of them, at most once).
    package var series: [MetricSeries]

    /// A run of `metrics` given one by one.
    package init(
        experiment: String, run: String, labels: [Label], metrics: [Metric], sources: [MetricsSource], time: Date,
        createdAt: Date? = nil, params: [Parameter] = [], series: [MetricSeries] = []
    ) {
        self.init(
            experiment: experiment, run: run, labels: labels, metrics: MetricList(metrics), sources: sources, time: time,
            createdAt: createdAt, params: params, series: series)
    }

    /// A run of metrics kept compactly (what `IngestPlanner` gives); names not in NFC are normalized.
    package init(
        experiment: String, run: String, labels: [Label], metrics: MetricList, sources: [MetricsSource], time: Date,
        createdAt: Date? = nil, params: [Parameter] = [], series: [MetricSeries] = []
    ) {
        self.experiment = experiment.nfc
        self.run = run.nfc
        self.labels = labels
        self.metrics = metrics.nfc
        self.sources = sources
        self.time = time
        self.createdAt = createdAt
        self.params = params
        self.series = series
    }
}

/// A run as the store holds it.
package struct StoredRun: Sendable {
    package var experiment: String
    package var name: String
    package var labels: [Label]
    /// Sorted by name.
    package var metrics: [Metric]
    package var sources: [MetricsSource]
    /// When the run was first ingested.
    package var createdAt: Date
    /// When its metrics were last written (a `--replace` moves this, not `createdAt`).
    package var ingestedAt: Date
    /// Sorted by key.
    package var params: [Parameter]
    /// How many points each metric's series has; a metric with only a final value is absent. The points
    /// themselves are read on demand (`MetricsStore.series`), so that reading a run stays as cheap as before.
    package var seriesPointCounts: [String: Int]

    package init(
        experiment: String, name: String, labels: [Label], metrics: [Metric], sources: [MetricsSource],
        createdAt: Date, ingestedAt: Date, params: [Parameter] = [], seriesPointCounts: [String: Int] = [:]
    ) {
        self.experiment = experiment
        self.name = name
        self.labels = labels
        self.metrics = metrics
        self.sources = sources
        self.createdAt = createdAt
        self.ingestedAt = ingestedAt
        self.params = params
        self.seriesPointCounts = seriesPointCounts
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

    /// The value of a parameter, if the run has it.
    package func param(_ key: String) -> String? { params.first { $0.key == key }?.value }
}

extension RunIngest {
    /// A stored run as an ingest that stores it again elsewhere (`kfpm copy`): the same content (metrics, parameters
    /// and, given its points, `series`), labels, sources and times (its ingest time is when it was last written; its
    /// creation time is kept).
    package init(copying run: StoredRun, series: [MetricSeries] = []) {
        self.init(
            experiment: run.experiment, run: run.name, labels: run.labels, metrics: run.metrics, sources: run.sources,
            time: run.ingestedAt, createdAt: run.createdAt, params: run.params, series: series)
    }
}
