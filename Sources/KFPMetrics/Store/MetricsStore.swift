/// The one interface every command uses to reach stored metrics. SQLite implements it now; a PostgreSQL store
/// for teams implements the same methods later, so commands never see SQL or a connection.
package protocol MetricsStore: AnyObject {
    /// Stores one run in one transaction: all of it or nothing. Re-ingesting identical content changes nothing;
    /// different content for an existing run is refused unless `replace` is true.
    func ingest(_ run: RunIngest, replace: Bool) throws(StoreError) -> IngestOutcome

    /// Stores many runs in one transaction, pulling them batch by batch from `next` so that memory does not
    /// grow with their number. `.abort` from `next` rolls everything back; so does any error.
    func importRuns(replace: Bool, next: () -> ImportBatch) throws(StoreError) -> ImportSummary

    /// The run with this name in this experiment.
    func run(experiment: String, name: String) throws(StoreError) -> StoredRun

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
}

/// What an ingest did.
package enum IngestOutcome: Sendable, Equatable {
    /// A new run with this many metrics.
    case created(metricCount: Int)
    /// An existing run's metrics and labels were replaced (`--replace`).
    case replaced(metricCount: Int, previousCount: Int)
    /// The run already held exactly this content; nothing was written.
    case unchanged(metricCount: Int)
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
    package init() {}
}

/// Thrown inside an import's transaction to roll it back.
struct ImportAborted: Error {}

/// Everything that can go wrong with a store, each with a sentence a user can act on.
package enum StoreError: Error, Sendable, CustomStringConvertible {
    /// A read command named a store that does not exist.
    case notFound(path: String)
    /// The file is not a kfpm store.
    case notAStore(path: String, reason: String)
    /// The store was written by a newer kfpm; it is left untouched.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The file is damaged.
    case corrupt(path: String, detail: String)
    /// Another process held the store locked for longer than the busy timeout.
    case busy(path: String)
    /// The store cannot be written (read-only file or folder, full disk).
    case cannotWrite(path: String, detail: String)
    /// The run exists with other content and `--replace` was not given.
    case runConflict(experiment: String, run: String, differences: [String])
    /// No such run; `known` lists (some of) the runs that exist.
    case unknownRun(experiment: String, run: String, known: [String], total: Int)
    /// No such experiment; `known` lists the experiments that exist.
    case unknownExperiment(name: String, known: [String])
    /// No such metric in the experiment; `known` lists its most prevalent metrics.
    case unknownMetric(experiment: String, metric: String, known: [String], total: Int)
    /// An import stopped because its inputs had errors; nothing was stored.
    case importAborted
    /// Any other SQLite failure.
    case database(path: String, error: SQLiteError)

    package var description: String {
        switch self {
        case .notFound(let path):
            return "no store at '\(path)': ingest a run first, or point --store (or KFPM_STORE) at an existing store"
        case .notAStore(let path, let reason):
            return "'\(path)' is not a kfpm store: \(reason)"
        case .newerSchema(let path, let found, let supported):
            return "the store '\(path)' has schema version \(found), written by a newer kfpm; this kfpm reads up to "
                + "version \(supported). Upgrade kfpm; the store was not changed"
        case .corrupt(let path, let detail):
            return "the store '\(path)' is damaged (\(detail)); restore it from a backup"
        case .busy(let path):
            return "the store '\(path)' stayed locked by another process past the busy timeout; try again"
        case .cannotWrite(let path, let detail):
            return "cannot write the store '\(path)': \(detail)"
        case .runConflict(let experiment, let run, let differences):
            let shown = differences.prefix(10).map { "  \($0)" }.joined(separator: "\n")
            let more = differences.count > 10 ? "\n  … and \(differences.count - 10) more" : ""
            return "run '\(run)' in experiment '\(experiment)' already holds different metrics; nothing was stored. "
                + "Pass --replace to overwrite it. Differences (stored → new):\n\(shown)\(more)"
        case .unknownRun(let experiment, let run, let known, let total):
            if known.isEmpty { return "no run '\(run)' in experiment '\(experiment)': the experiment has no runs" }
            let more = total > known.count ? ", … (\(total) runs)" : ""
            return "no run '\(run)' in experiment '\(experiment)'; its runs: \(known.joined(separator: ", "))\(more)"
        case .unknownExperiment(let name, let known):
            if known.isEmpty { return "no experiment '\(name)': the store is empty" }
            return "no experiment '\(name)'; experiments: \(known.joined(separator: ", "))"
        case .unknownMetric(let experiment, let metric, let known, let total):
            if known.isEmpty { return "no metric '\(metric)' in experiment '\(experiment)': it has no metrics" }
            let more = total > known.count ? ", … (\(total) metrics)" : ""
            return "no metric '\(metric)' in experiment '\(experiment)'; its metrics: \(known.joined(separator: ", "))\(more)"
        case .importAborted:
            return "the import was stopped; nothing was stored"
        case .database(let path, let error):
            return "store '\(path)': \(error)"
        }
    }
}
