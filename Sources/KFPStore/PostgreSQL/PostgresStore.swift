import Foundation
import KFPModel

/// The team store: kfpm's tables in one schema of a PostgreSQL database that many processes and machines share.
///
/// - Reads run in one `REPEATABLE READ READ ONLY` transaction per call: one snapshot, never waiting for writers.
/// - Writes run in `READ COMMITTED` transactions serialized by advisory locks (see `lockForWriting`): an ingest holds
///   the store's write lock shared and its experiment's lock exclusively; an import holds the store's write lock
///   exclusively. Within an experiment, writes are one at a time, as SQLite's single writer, so read-then-write
///   logic (does the run exist? what do the statistics say?) needs no row locks; different experiments are written
///   in parallel. Metric names, the one table experiments share, are added in one (byte) order, and deadlocks and
///   serialization failures are retried with the common backoff all the same.
final class PostgresStore: MetricsStore {
    /// Where the store is; `displayURI` names it in messages (never with a password).
    let location: PostgresLocation
    let connection: PostgresConnection
    /// The schema version, and the one it was upgraded from when opening it did so.
    var schema = SchemaStatus(version: PostgresMigrations.latest, upgradedFrom: nil)
    /// How long a write waits for a lock, as PostgreSQL's `lock_timeout` reads it (`10000ms`).
    let lockTimeout: String

    /// Opens the store at `uri`. For writing, a missing schema is created and an older one upgraded; for reading, the
    /// store must exist at the current schema, and nothing is changed. A write waits up to `busyTimeoutMilliseconds`
    /// for another process's lock (as long as it takes while an import holds the store).
    init(uri: String, access: StoreAccess, busyTimeoutMilliseconds: Int32) throws(StoreError) {
        do {
            location = try PostgresLocation(uri)
            connection = try PostgresConnection(
                location: location, retry: RetryBackoff(budget: .milliseconds(Int64(busyTimeoutMilliseconds))))
        } catch {
            throw Self.storeError(error, store: StoreLocation.postgreSQL(uri: uri).description)
        }
        lockTimeout = "\(max(1, busyTimeoutMilliseconds))ms"
        try prepare(access)
    }

    // MARK: - Errors

    /// Runs `body`, turning PostgreSQL failures into store errors.
    func guarded<T>(_ body: () throws -> T) throws(StoreError) -> T {
        let store = location.displayURI
        return try StoreError.guarding(
            store: store, translate: { ($0 as? PostgresError).map { Self.storeError($0, store: store) } }, body)
    }

    /// What a PostgreSQL failure means for the user, naming the store by its display form.
    static func storeError(_ error: PostgresError, store: String) -> StoreError {
        let explained = error.detail.map { "\(error.message) (\($0))" } ?? error.message
        switch error.kind {
        case .connect:
            return .unreachable(store: store, detail: error.hint.map { "\(explained); \($0)" } ?? explained)
        case .connectionLost where error.sql == "COMMIT":
            return .failure(
                store: store, detail: "lost the connection while committing (\(explained)): whether the write was "
                    + "stored is unknown; check with `kfpm show`")
        case .connectionLost:
            return .connectionLost(store: store, detail: explained)
        case .server:
            switch error.sqlState ?? "" {
            case "42501": return .accessDenied(store: store, detail: explained)
            case "40001", "40P01", "55P03": return .busy(store: store)
            case "25006": return .cannotWrite(store: store, detail: explained)
            case let state where state.hasPrefix("53"): return .cannotWrite(store: store, detail: explained)
            default: return .failure(store: store, detail: error.description)
            }
        case .libraryMissing, .invalidLocation, .misuse:
            return .failure(store: store, detail: error.description)
        }
    }

    /// Runs a read in one read-only transaction on one snapshot, turning failures into store errors.
    private func reading<T>(_ body: () throws -> T) throws(StoreError) -> T {
        try guarded { try connection.readTransaction(body) }
    }

    // MARK: - Locks

    /// The store's write lock: shared by ingests, exclusive for an import.
    var storeLockKey: Int64 { PostgresConnection.advisoryKey("store:" + location.schema) }
    /// The lock a migration holds.
    var migrationLockKey: Int64 { PostgresConnection.advisoryKey("migrate:" + location.schema) }
    /// An experiment's write lock, by name (the experiment may not exist yet).
    func experimentLockKey(_ experiment: String) -> Int64 {
        PostgresConnection.advisoryKey("experiment:" + location.schema + "/" + experiment)
    }

    /// Takes, in the open write transaction, what an ingest into `experiment` needs: the store's write lock shared
    /// (waiting as long as an import holds it, saying so once), then the experiment's lock, each wait bounded by the
    /// busy timeout otherwise. Always in this order, so ingests cannot deadlock on them.
    private func lockForWriting(experiment: String) throws {
        let shared = try connection.query(PostgresSQL.tryWriteLock, [.text(lockTimeout), .int64(storeLockKey)])
        if shared.first?.text(1) != "t" {
            StoreNotices.post("the store '\(location.displayURI)' is held by an import; waiting for it to finish")
            _ = try connection.query(PostgresSQL.waitWriteLock, [.text("0"), .int64(storeLockKey)])
        }
        _ = try connection.query(PostgresSQL.exclusiveLock, [.text(lockTimeout), .int64(experimentLockKey(experiment))])
    }

    // MARK: - Writing

    func ingest(_ run: RunIngest, replace: Bool) throws(StoreError) -> IngestOutcome {
        try guarded {
            try connection.writeTransaction(isolation: .readCommitted) { () throws -> IngestOutcome in
                try lockForWriting(experiment: run.experiment)
                let writer = makeWriter()
                let outcome = try writer.write([run], replace: replace).first ?? .created(metricCount: 0)
                try writer.finish()
                return outcome
            }
        }
    }

    func importRuns(replace: Bool, next: () -> ImportBatch) throws(StoreError) -> ImportSummary {
        try guarded {
            var summary = ImportSummary()
            var started = false
            try connection.writeTransaction(isolation: .readCommitted) { () throws -> Void in
                // A transaction that failed on a conflict is run again, but an import's batches are pulled once:
                // fail cleanly (everything rolled back) rather than store a partial import.
                guard !started else { throw StoreError.busy(store: location.displayURI) }
                started = true
                _ = try connection.query(PostgresSQL.exclusiveLock, [.text(lockTimeout), .int64(storeLockKey)])
                let writer = makeWriter()
                while true {
                    switch next() {
                    case .runs(let runs):
                        for outcome in try writer.write(runs, replace: replace) { summary.count(outcome) }
                    case .end:
                        try writer.finish()
                        return
                    case .abort:
                        throw ImportAborted()
                    }
                }
            }
            return summary
        }
    }

    /// A writer over this connection, reading existing runs with `loadRuns`.
    private func makeWriter() -> PostgresRunWriter {
        PostgresRunWriter(connection: connection) { [unowned self] heads, experiment in
            try self.loadRuns(heads, experiment: experiment)
        }
    }

    // MARK: - Reading runs

    /// The id of an existing experiment, or `unknownExperiment` listing those that exist.
    private func existingExperimentID(_ experiment: String) throws -> Int64 {
        guard let id = try connection.query(PostgresSQL.experimentID, [.text(experiment.nfc)]).first?.int64(0) else {
            throw StoreError.unknownExperiment(name: experiment, known: try experimentNames())
        }
        return id
    }

    func run(experiment: String, name: String) throws(StoreError) -> StoredRun {
        try reading {
            let found = try connection.query(PostgresSQL.experimentAndRun, [.text(experiment.nfc), .text(name.nfc)])
            guard let row = found.first, let experimentID = try row.int64(0) else {
                throw StoreError.unknownExperiment(name: experiment, known: try experimentNames())
            }
            guard let id = try row.int64(1) else {
                let count = try connection.query(PostgresSQL.runCount, [.int64(experimentID)]).first?.int64(0) ?? 0
                let recent = try connection.query(PostgresSQL.recentRunNames, [.int64(experimentID)]).map { $0.text(0) ?? "" }
                throw StoreError.unknownRun(experiment: experiment, run: name, known: recent, total: Int(count))
            }
            let head = PostgresRunHead(id: id, name: name, createdAt: try row.int64(2) ?? 0, ingestedAt: try row.int64(3) ?? 0)
            return try loadRuns([head], experiment: experiment)[0]
        }
    }

    /// Loads the labels, sources and metrics (sorted by name) of runs of one experiment, in three statements
    /// whatever their number; the runs come back in the order of `heads`.
    func loadRuns(_ heads: [PostgresRunHead], experiment: String) throws -> [StoredRun] {
        guard !heads.isEmpty else { return [] }
        let ids = PGValue.integerArray(heads.map(\.id))
        var labels: [Int64: [Label]] = [:]
        for row in try connection.query(PostgresSQL.labelsOfRuns, [ids]) {
            labels[try row.int64(0) ?? 0, default: []].append(Label(key: row.text(1) ?? "", value: row.text(2) ?? ""))
        }
        var sources: [Int64: [MetricsSource]] = [:]
        for row in try connection.query(PostgresSQL.sourcesOfRuns, [ids]) {
            sources[try row.int64(0) ?? 0, default: []].append(
                MetricsSource(
                    path: row.text(1) ?? "", inputFormat: InputFormat(rawValue: row.text(2) ?? "") ?? .flat,
                    step: row.text(3) ?? "", metricCount: Int(try row.int64(4) ?? 0)))
        }
        var metrics: [Int64: [Metric]] = [:]
        for row in try connection.query(PostgresSQL.metricsOfRuns, [ids]) {
            metrics[try row.int64(0) ?? 0, default: []].append(
                Metric(
                    name: row.text(1) ?? "", value: try row.double(2) ?? .nan,
                    format: MetricFormat(rawValue: Int(try row.int64(3) ?? 0)) ?? .unspecified))
        }
        return heads.map { head in
            // Sorted in Swift, as the SQLite store does: `StoredRun.metric(_:)` searches with Swift's string order.
            StoredRun(
                experiment: experiment, name: head.name, labels: labels[head.id] ?? [],
                metrics: (metrics[head.id] ?? []).sorted { $0.name < $1.name }, sources: sources[head.id] ?? [],
                createdAt: StoreTime.date(head.createdAt), ingestedAt: StoreTime.date(head.ingestedAt))
        }
    }

    /// The heads of the runs a statement selects (id, name, created, ingested).
    private func runHeads(_ sql: String, _ parameters: [PGValue]) throws -> [PostgresRunHead] {
        try connection.query(sql, parameters).map { row in
            PostgresRunHead(
                id: try row.int64(0) ?? 0, name: row.text(1) ?? "", createdAt: try row.int64(2) ?? 0,
                ingestedAt: try row.int64(3) ?? 0)
        }
    }

    func runs(_ query: RunQuery) throws(StoreError) -> RunPage {
        try reading {
            let experimentID = try existingExperimentID(query.experiment)
            // $1–$4 of `PostgresSQL.runFilter`.
            let filter: [PGValue] = [
                .int64(experimentID), try .textArray(query.labels.map(\.key)), try .textArray(query.labels.map(\.value)),
                query.before.map { .text($0.name) } ?? .null,
            ]
            let total =
                query.countMatching ? Int(try connection.query(PostgresSQL.countRuns, filter).first?.int64(0) ?? 0) : 0
            let limit: PGValue = query.limit.map { .int64(Int64($0)) } ?? .null
            var heads: [PostgresRunHead]
            if let metric = query.sortMetric {
                // Runs with the metric, sorted by value (NaN last) ...
                let order: PGValue = .text(query.ascending ? "true" : "false")
                heads = try runHeads(PostgresSQL.runsByMetric, filter + [limit, .text(metric), order])
                // ... then, if the limit leaves room, the runs without it, newest first.
                if query.limit.map({ heads.count < $0 }) ?? true {
                    let room: PGValue = query.limit.map { .int64(Int64($0 - heads.count)) } ?? .null
                    heads += try runHeads(PostgresSQL.runsWithoutMetric, filter + [room, .text(metric)])
                }
            } else {
                heads = try runHeads(PostgresSQL.newestRuns, filter + [limit])
            }
            let runs = try loadRuns(heads, experiment: query.experiment)
            return RunPage(runs: runs, totalMatching: query.countMatching ? total : runs.count)
        }
    }

    func exportRuns(experiments: [String]?, batchSize: Int, _ body: ([StoredRun]) -> Bool) throws(StoreError) {
        try reading {
            let names = try experiments.map { $0.map(\.nfc) } ?? experimentNames()
            let experiments = try names.map { (name: $0, id: try existingExperimentID($0)) }
            try RunExport.walk(experiments, batchSize: batchSize, page: { experiment, experimentID, after, limit in
                let heads = try runHeads(PostgresSQL.runsAfter, [.int64(experimentID), .int64(after), .int64(limit)])
                return (try loadRuns(heads, experiment: experiment), heads.last?.id)
            }, body)
        }
    }

    // MARK: - Reading summaries

    func experimentNames() throws(StoreError) -> [String] {
        try reading { try connection.query(PostgresSQL.experimentNames).map { $0.text(0) ?? "" } }
    }

    func experimentSummaries() throws(StoreError) -> [ExperimentSummary] {
        try reading {
            try connection.query(PostgresSQL.experimentSummaries).map { row in
                ExperimentSummary(
                    name: row.text(0) ?? "", runCount: Int(try row.int64(1) ?? 0),
                    firstRun: try row.int64(2).map(StoreTime.date), latestRun: try row.int64(3).map(StoreTime.date))
            }
        }
    }

    func metricStatistics(experiment: String) throws(StoreError) -> [MetricStatistics] {
        try reading {
            let experimentID = try existingExperimentID(experiment)
            let statistics = try connection.query(PostgresSQL.statistics, [.int64(experimentID)]).map { row in
                MetricStatistics(
                    name: row.text(0) ?? "", format: MetricFormat(rawValue: Int(try row.int64(10) ?? 0)) ?? .unspecified,
                    runCount: Int(try row.int64(1) ?? 0), finiteSum: try row.double(2) ?? 0,
                    finiteCount: Int(try row.int64(3) ?? 0), min: try row.double(4), minRun: row.text(5),
                    max: try row.double(6), maxRun: row.text(7), latest: try row.double(8) ?? .nan,
                    latestRun: row.text(9) ?? "")
            }
            return MetricStatistics.inTopOrder(statistics)
        }
    }

    func history(experiment: String, metric: String, limit: Int?) throws(StoreError) -> [HistoryPoint] {
        try reading {
            let experimentID = try existingExperimentID(experiment)
            let points = try connection.query(
                PostgresSQL.history, [.text(metric.nfc), .int64(experimentID), limit.map { .int64(Int64($0)) } ?? .null]
            ).map { row in
                HistoryPoint(
                    run: row.text(0) ?? "", createdAt: StoreTime.date(try row.int64(1) ?? 0), value: try row.double(2) ?? .nan,
                    format: MetricFormat(rawValue: Int(try row.int64(3) ?? 0)) ?? .unspecified)
            }
            if points.isEmpty {
                let known = try metricStatistics(experiment: experiment).map(\.name)
                throw StoreError.unknownMetric(
                    experiment: experiment, metric: metric, known: Array(known.prefix(20)), total: known.count)
            }
            return points.reversed()
        }
    }
}

/// A stored run's row: what the run table says before its content is loaded.
struct PostgresRunHead {
    var id: Int64
    var name: String
    /// Milliseconds since 1970 (UTC).
    var createdAt: Int64
    var ingestedAt: Int64
}
