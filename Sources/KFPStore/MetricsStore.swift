import FoundationEssentials
import KFPModel

/// The one interface every command uses to reach stored metrics, whatever the backend (`StoreLocation` names
/// one; `StoreFactory` opens it), so that commands never see SQL or a connection.
package protocol MetricsStore: AnyObject {
    /// The schema version the store is at, and the one it was upgraded from when opening it for writing did so.
    var schema: SchemaStatus { get }

    /// Stores one run in one transaction: all of it or nothing. Re-ingesting identical content changes nothing;
    /// different content for an existing run is refused unless `replace` is true.
    func ingest(_ run: RunIngest, replace: Bool) throws(StoreError) -> IngestOutcome

    /// Stores many runs in one transaction, pulling them batch by batch from `next` so that memory does not
    /// grow with their number. `.abort` from `next` rolls everything back; so does any error.
    func importRuns(replace: Bool, next: () -> ImportBatch) throws(StoreError) -> ImportSummary

    /// The run with this name in this experiment, with its parameters and how many points each series has
    /// (not the points: see `series`).
    func run(experiment: String, name: String) throws(StoreError) -> StoredRun

    /// The series of one run's metrics, sorted by metric name: of the metrics named (every metric of the run
    /// when nil). A metric with only a final value has no series and is left out; a name the run lacks is
    /// `unknownRunMetric`.
    func series(experiment: String, run: String, metrics: [String]?) throws(StoreError) -> [MetricSeries]

    /// Every experiment's name, sorted.
    func experimentNames() throws(StoreError) -> [String]

    /// Every experiment with its run count and time span, sorted by name.
    func experimentSummaries() throws(StoreError) -> [ExperimentSummary]

    /// The runs of an experiment that a query selects, with all their metrics, in the query's order.
    func runs(_ query: RunQuery) throws(StoreError) -> RunPage

    /// Every metric of an experiment with its prevalence and statistics, most prevalent first, then by name.
    func metricStatistics(experiment: String) throws(StoreError) -> [MetricStatistics]

    /// A metric's values over the latest `limit` runs of an experiment that have it, oldest first.
    func history(experiment: String, metric: String, limit: Int?) throws(StoreError) -> [HistoryPoint]

    /// Every run of the experiments named (every experiment, in name order, when nil), experiment by experiment, each
    /// one's runs in the order they were stored, with all their content (parameters and series points included),
    /// handed to `body` in batches of at most `batchSize` runs. Everything is read in one snapshot however long it
    /// takes, so that a copy is consistent while others write; memory holds one batch. `body` returns false to stop.
    /// An unknown experiment throws `unknownExperiment` before any batch.
    func exportRuns(experiments: [String]?, batchSize: Int, _ body: ([ExportedRun]) -> Bool) throws(StoreError)

    // MARK: Managing runs

    /// Deletes runs of an experiment, all of them or none (an unknown name deletes nothing); every statistic
    /// forgets them. Returns how many metric rows went with them.
    func deleteRuns(experiment: String, names: [String]) throws(StoreError) -> Int

    /// Gives a run a new name; a name another run of the experiment has is refused.
    func renameRun(experiment: String, from: String, to: String) throws(StoreError)

    /// Sets labels on runs (a key they have gets the new value) and removes the keys in `remove`, on all the runs
    /// or none (an unknown run changes nothing).
    func changeLabels(experiment: String, runs: [String], set: [Label], remove: [String]) throws(StoreError)

    /// Every label key and value of an experiment's runs with how many runs have it, by key then value.
    func labelCounts(experiment: String) throws(StoreError) -> [LabelCount]
}

/// A store's schema version, and whether opening it upgraded it.
package struct SchemaStatus: Sendable, Equatable {
    package var version: Int
    /// The version before an upgrade that opening the store for writing made; nil when there was none.
    package var upgradedFrom: Int?

    package init(version: Int, upgradedFrom: Int?) {
        self.version = version
        self.upgradedFrom = upgradedFrom
    }
}

/// What an ingest did.
package enum IngestOutcome: Sendable, Equatable {
    /// A new run with this many metrics.
    case created(metricCount: Int)
    /// An existing run's metrics and labels were replaced (`--replace`).
    case replaced(metricCount: Int, previousCount: Int)
    /// The run already held exactly these metrics; nothing was written.
    case unchanged(metricCount: Int)
    /// The run already held these metrics; labels it did not have were added.
    case labelsAdded(metricCount: Int, labels: [Label])
}

/// What an import's producer hands the store next.
package enum ImportBatch: Sendable {
    /// More runs to write.
    case runs([RunIngest])
    /// No more runs: commit.
    case end
    /// The inputs had errors: roll back everything.
    case abort
}

/// What an import did.
package struct ImportSummary: Sendable, Equatable {
    package var created = 0
    package var replaced = 0
    package var unchanged = 0
    /// Metric rows written.
    package var metrics = 0
    /// Series points written.
    package var points = 0
    package init() {}

    /// Counts the outcome of writing `run` in.
    mutating func count(_ outcome: IngestOutcome, of run: RunIngest) {
        switch outcome {
        case .created(let count):
            created += 1
            metrics += count
            points += run.series.reduce(0) { $0 + $1.points.count }
        case .replaced(let count, _):
            replaced += 1
            metrics += count
            points += run.series.reduce(0) { $0 + $1.points.count }
        case .unchanged, .labelsAdded: unchanged += 1
        }
    }
}

/// Thrown inside an import's transaction, by any backend, when the producer says `.abort`: rolls everything back
/// and becomes `StoreError.importAborted`.
struct ImportAborted: Error {}

/// A run as `exportRuns` hands it: what `run` reads, and the points of its series (which `run` leaves out).
package struct ExportedRun: Sendable {
    package var run: StoredRun
    /// Every series of the run, sorted by metric name.
    package var series: [MetricSeries]

    package init(run: StoredRun, series: [MetricSeries]) {
        self.run = run
        self.series = series
    }

    /// The run as an ingest that stores it again elsewhere, series included (`kfpm copy`).
    package var ingest: RunIngest { RunIngest(copying: run, series: series) }
}

/// The walk every backend's `exportRuns` makes, in its one read transaction: experiment by experiment, each one's
/// runs a page at a time by id (keyset paging: `id > after`, in id order, at most `batchSize`).
enum RunExport {
    /// Calls `page(experiment, experimentID, after, limit)` for each page, which returns the page's runs and the
    /// id of its last run (nil when there are no more), and hands each page to `body` until it returns false.
    static func walk(
        _ experiments: [(name: String, id: Int64)], batchSize: Int,
        page: (String, Int64, Int64, Int64) throws -> (runs: [ExportedRun], lastID: Int64?), _ body: ([ExportedRun]) -> Bool
    ) throws {
        for (experiment, experimentID) in experiments {
            var after: Int64 = 0
            while true {
                let (runs, lastID) = try page(experiment, experimentID, after, Int64(max(1, batchSize)))
                guard let lastID else { break }
                guard body(runs) else { return }
                after = lastID
            }
        }
    }
}
