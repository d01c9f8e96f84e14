import Foundation
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
}
