import FoundationEssentials
import KFPModel

/// The team store: kfpm's tables in one schema of a PostgreSQL database that many processes and machines share.
///
/// - Reads run in one `REPEATABLE READ READ ONLY` transaction per call: one snapshot, never waiting for writers but
///   for an import into a store without metrics, which rebuilds an index (`importRuns`).
/// - Writes run in `READ COMMITTED` transactions serialized by advisory locks (see `lockForWriting`): an ingest (and a
///   delete, a rename, a change of labels) holds the store's write lock shared and its experiment's lock exclusively;
///   an import holds the store's write lock exclusively. Within an experiment, writes are one at a time, as SQLite's
///   single writer, so read-then-write logic (does the run exist? what do the statistics say?) needs no row locks;
///   different experiments are written in parallel. Metric names, the one table experiments share, are added in one (byte) order, and deadlocks and
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

    /// Takes, in the open write transaction, what a write into `experiment` needs (an ingest, a delete, a rename, a
    /// change of labels): the store's write lock shared (waiting as long as an import holds it, saying so once), then
    /// the experiment's lock, each wait bounded by the busy timeout otherwise. Always in this order, so writers cannot
    /// deadlock on them; a write that touched several experiments would take their locks in sorted order.
    private func lockForWriting(experiment: String) throws {
        let shared = try connection.query(PostgresSQL.tryWriteLock, [.text(lockTimeout), .int64(storeLockKey)])
        if shared.first?.text(1) != "t" {
            StoreNotices.post("the store '\(location.displayURI)' is held by an import; waiting for it to finish")
            _ = try connection.query(PostgresSQL.waitWriteLock, [.text("0"), .int64(storeLockKey)])
        }
        _ = try connection.query(PostgresSQL.exclusiveLock, [.text(lockTimeout), .int64(experimentLockKey(experiment.nfc))])
    }

    /// Runs `body`, a write into one experiment, in one READ COMMITTED transaction that holds the experiment's write
    /// lock (`lockForWriting`), turning failures into store errors.
    private func writing<T>(experiment: String, _ body: () throws -> T) throws(StoreError) -> T {
        try guarded {
            try connection.writeTransaction(isolation: .readCommitted) { () throws -> T in
                try lockForWriting(experiment: experiment)
                return try body()
            }
        }
    }

    // MARK: - Writing

    func ingest(_ run: RunIngest, replace: Bool) throws(StoreError) -> IngestOutcome {
        try writing(experiment: run.experiment) { () throws -> IngestOutcome in
            let writer = makeWriter()
            let outcome = try writer.write([run], replace: replace).first ?? .created(metricCount: 0)
            try writer.finish()
            return outcome
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
                // Into a store without metrics, `metric_by_value` is dropped and built after the rows in one sort:
                // kept up to date row by row, in value order, it made an import of 5M rows take 67 s instead of
                // 28 s. The transaction makes the two one (a failed import leaves the index as it was); readers of
                // the store wait for the import to commit, since dropping an index locks its table. Only an import
                // does it: it holds the store's write lock, so no other write waits behind the table lock.
                let empty = try connection.query(SharedSQL.noMetrics).first?.text(0) == "t"
                if empty { try connection.execute("DROP INDEX IF EXISTS metric_by_value") }
                let writer = makeWriter()
                while true {
                    switch next() {
                    case .runs(let runs):
                        for (run, outcome) in zip(runs, try writer.write(runs, replace: replace)) {
                            summary.count(outcome, of: run)
                        }
                    case .end:
                        try writer.finish()
                        if empty { try connection.execute(PostgresMigrations.createMetricByValue) }
                        return
                    case .abort:
                        throw ImportAborted()
                    }
                }
            }
            return summary
        }
    }

    /// A writer over this connection, reading existing runs with `loadRuns` and their series with `loadSeries`.
    private func makeWriter() -> PostgresRunWriter {
        PostgresRunWriter(
            connection: connection,
            loadRuns: { [unowned self] heads, experiment in try self.loadRuns(heads, experiment: experiment) },
            loadSeries: { [unowned self] ids in try self.loadSeries(ids) })
    }

    // MARK: - Managing runs

    /// The ids of the named runs of an experiment, in the order given, with the experiment's id; throws
    /// `unknownExperiment`, or `unknownRun` for the first name that is not there (listing the runs that are).
    private func runIDs(experiment: String, names: [String]) throws -> (experimentID: Int64, runs: [Int64]) {
        let experimentID = try existingExperimentID(experiment)
        let names = names.map(\.nfc)
        var ids: [String: Int64] = [:]
        for head in try runHeads(PostgresSQL.existingRuns, [.int64(experimentID), try .textArray(names)]) {
            ids[head.name] = head.id
        }
        return (experimentID, try names.map { name in
            guard let id = ids[name] else { throw try unknownRun(experiment: experiment, experimentID: experimentID, name: name) }
            return id
        })
    }

    func deleteRuns(experiment: String, names: [String]) throws(StoreError) -> Int {
        try writing(experiment: experiment) { () throws -> Int in
            let (experimentID, ids) = try runIDs(experiment: experiment, names: names)
            let writer = makeWriter()
            let rows = try writer.delete(runIDs: Array(Set(ids)).sorted(), experimentID: experimentID)
            try writer.finish()
            return rows
        }
    }

    func renameRun(experiment: String, from: String, to: String) throws(StoreError) {
        try writing(experiment: experiment) { () throws -> Void in
            let (experimentID, ids) = try runIDs(experiment: experiment, names: [from])
            if !(try runHeads(PostgresSQL.existingRuns, [.int64(experimentID), try .textArray([to.nfc])])).isEmpty {
                throw StoreError.runExists(experiment: experiment, run: to)
            }
            try makeWriter().rename(runID: ids[0], to: to.nfc)
        }
    }

    func changeLabels(experiment: String, runs: [String], set: [Label], remove: [String]) throws(StoreError) {
        try writing(experiment: experiment) { () throws -> Void in
            let (_, ids) = try runIDs(experiment: experiment, names: runs)
            try makeWriter().changeLabels(runIDs: Array(Set(ids)).sorted(), set: set, remove: remove.map(\.nfc))
        }
    }

    func labelCounts(experiment: String) throws(StoreError) -> [LabelCount] {
        try reading {
            let experimentID = try existingExperimentID(experiment)
            return try connection.query(PostgresSQL.labelCounts, [.int64(experimentID)]).map { row in
                LabelCount(key: row.text(0) ?? "", value: row.text(1) ?? "", runCount: Int(try row.int64(2) ?? 0))
            }
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
        try reading { try loadRuns([try existingRun(experiment: experiment, name: name)], experiment: experiment)[0] }
    }

    /// The head of an existing run, found with its experiment in one statement; or `unknownExperiment`, or
    /// `unknownRun` listing the experiment's latest runs.
    private func existingRun(experiment: String, name: String) throws -> RunHead {
        let found = try connection.query(PostgresSQL.experimentAndRun, [.text(experiment.nfc), .text(name.nfc)])
        guard let row = found.first, let experimentID = try row.int64(0) else {
            throw StoreError.unknownExperiment(name: experiment, known: try experimentNames())
        }
        guard !row.isNull(1) else { throw try unknownRun(experiment: experiment, experimentID: experimentID, name: name) }
        return try RunHead(row, from: 1)
    }

    /// The error for a run an experiment lacks, listing its 20 latest runs and how many it has.
    private func unknownRun(experiment: String, experimentID: Int64, name: String) throws -> StoreError {
        let count = try connection.query(PostgresSQL.runCount, [.int64(experimentID)]).first?.int64(0) ?? 0
        let recent = try connection.query(PostgresSQL.recentRunNames, [.int64(experimentID)]).map { $0.text(0) ?? "" }
        return .unknownRun(experiment: experiment, run: name, known: recent, total: Int(count))
    }

    func series(experiment: String, run name: String, metrics: [String]?) throws(StoreError) -> [MetricSeries] {
        try reading {
            let head = try existingRun(experiment: experiment, name: name)
            guard let wanted = metrics?.map(\.nfc) else { return try loadSeries([head.id])[head.id] ?? [] }
            let present = try RunContent.seriesToRead(wanted, of: try loadRuns([head], experiment: experiment)[0])
            guard !present.isEmpty else { return [] }
            return try connection.query(PostgresSQL.namedSeries, [.int64(head.id), try .textArray(present)]).map { row in
                try SeriesCodec.series(row.text(0) ?? "", stored: try row.bytes(1) ?? [], store: location.displayURI)
            }.sorted { $0.metric < $1.metric }
        }
    }

    /// Every series of the runs `ids`, points included, each run's sorted by metric name; runs without any are absent.
    func loadSeries(_ ids: [Int64]) throws -> [Int64: [MetricSeries]] {
        guard !ids.isEmpty else { return [:] }
        var series: [Int64: [MetricSeries]] = [:]
        for row in try connection.query(PostgresSQL.seriesOfRuns, [.integerArray(ids)]) {
            series[try row.int64(0) ?? 0, default: []].append(
                try SeriesCodec.series(row.text(1) ?? "", stored: try row.bytes(2) ?? [], store: location.displayURI))
        }
        return series.mapValues { $0.sorted { $0.metric < $1.metric } }
    }

    /// Loads the labels, sources, metrics (sorted by name; only those named in `metrics`, unless nil), parameters
    /// and series lengths of runs of one experiment, in three statements whatever their number, and one more each
    /// for parameters and series lengths when a run has any (its `extras` say); the runs come back in the order of
    /// `heads`.
    func loadRuns(_ heads: [RunHead], experiment: String, metrics names: [String]? = nil) throws -> [StoredRun] {
        guard !heads.isEmpty else { return [] }
        let ids = PGValue.integerArray(heads.map(\.id))
        var content = RunAssembly()
        for row in try connection.query(PostgresSQL.labelsOfRuns, [ids]) {
            content.labels[try row.int64(0) ?? 0, default: []].append(Label(key: row.text(1) ?? "", value: row.text(2) ?? ""))
        }
        for row in try connection.query(PostgresSQL.sourcesOfRuns, [ids]) {
            content.sources[try row.int64(0) ?? 0, default: []].append(
                MetricsSource(
                    path: row.text(1) ?? "", inputFormat: InputFormat(rawValue: row.text(2) ?? "") ?? .flat,
                    step: row.text(3) ?? "", metricCount: Int(try row.int64(4) ?? 0)))
        }
        let metricRows =
            if let names {
                try connection.query(PostgresSQL.namedMetricsOfRuns, [ids, try .textArray(names)])
            } else {
                try connection.query(PostgresSQL.metricsOfRuns, [ids])
            }
        for row in metricRows {
            content.metrics[try row.int64(0) ?? 0, default: []].append(
                Metric(
                    name: row.text(1) ?? "", value: try row.double(2) ?? .nan,
                    format: MetricFormat(rawValue: Int(try row.int64(3) ?? 0)) ?? .unspecified))
        }
        let withParams = heads.filter { $0.extras.contains(.params) }.map(\.id)
        if !withParams.isEmpty {
            for row in try connection.query(PostgresSQL.paramsOfRuns, [.integerArray(withParams)]) {
                content.params[try row.int64(0) ?? 0, default: []].append(
                    Parameter(key: row.text(1) ?? "", value: row.text(2) ?? ""))
            }
        }
        let withSeries = heads.filter { $0.extras.contains(.series) }.map(\.id)
        if !withSeries.isEmpty {
            for row in try connection.query(PostgresSQL.seriesCountsOfRuns, [.integerArray(withSeries)]) {
                content.seriesCounts[try row.int64(0) ?? 0, default: [:]][row.text(1) ?? ""] = Int(try row.int64(2) ?? 0)
            }
        }
        return content.runs(heads, experiment: experiment)
    }

    /// How many of these runs have each metric; from the kept statistics when they are every run of the experiment.
    private func metricPrevalence(_ heads: [RunHead], wholeExperiment: Bool, experimentID: Int64) throws -> [String: Int] {
        let rows =
            wholeExperiment
            ? try connection.query(SharedSQL.experimentPrevalence, [.int64(experimentID)])
            : try connection.query(PostgresSQL.prevalenceOfRuns, [.integerArray(heads.map(\.id))])
        var prevalence: [String: Int] = [:]
        for row in rows { prevalence[row.text(0) ?? ""] = Int(try row.int64(1) ?? 0) }
        return prevalence
    }

    /// The heads of the runs a statement selects (id, name, created, ingested, extras).
    private func runHeads(_ sql: String, _ parameters: [PGValue]) throws -> [RunHead] {
        try connection.query(sql, parameters).map { try RunHead($0, from: 0) }
    }

    func runs(_ query: RunQuery) throws(StoreError) -> RunPage {
        try reading {
            let experimentID = try existingExperimentID(query.experiment)
            // $1–$8 of `PostgresSQL.runFilter`: the conditions a run must meet, then those it must not.
            let conditions = query.filters.map(LabelCondition.init)
            var filter: [PGValue] = [.int64(experimentID)]
            for present in [true, false] {
                let some = conditions.filter { $0.present == present }
                filter += [
                    try .textArray(some.map(\.key)), try .optionalTextArray(some.map(\.value)),
                    try .optionalTextArray(some.map(\.pattern)),
                ]
            }
            filter.append(query.before.map { .text($0.name) } ?? .null)
            let total =
                query.countMatching ? Int(try connection.query(PostgresSQL.countRuns, filter).first?.int64(0) ?? 0) : 0
            let limit: PGValue = query.limit.map { .int64(Int64($0)) } ?? .null
            var heads: [RunHead]
            if let metric = query.sortMetric {
                // Runs with a number for the metric, by value ...
                let byValue = query.ascending ? PostgresSQL.runsByMetricAscending : PostgresSQL.runsByMetricDescending
                heads = try runHeads(byValue, filter + [limit, .text(metric)])
                /// The room the limit leaves, or nil when it leaves none.
                func room() -> PGValue? {
                    guard let limit = query.limit else { return .null }
                    return heads.count < limit ? .int64(Int64(limit - heads.count)) : nil
                }
                // ... then those whose value is NaN, newest first ...
                if let room = room() {
                    heads += try runHeads(PostgresSQL.runsWithNaNMetric, filter + [room, .text(metric)])
                }
                // ... then the runs without it, newest first.
                if let room = room() {
                    heads += try runHeads(PostgresSQL.runsWithoutMetric, filter + [room, .text(metric)])
                }
            } else {
                heads = try runHeads(PostgresSQL.newestRuns, filter + [limit])
            }
            return try RunPage.assemble(
                query, heads: heads, total: total,
                prevalence: { heads, whole in try metricPrevalence(heads, wholeExperiment: whole, experimentID: experimentID) },
                load: { heads, metrics in try loadRuns(heads, experiment: query.experiment, metrics: metrics) })
        }
    }

    func exportRuns(experiments: [String]?, batchSize: Int, _ body: ([ExportedRun]) -> Bool) throws(StoreError) {
        try reading {
            let names = try experiments.map { $0.map(\.nfc) } ?? experimentNames()
            let experiments = try names.map { (name: $0, id: try existingExperimentID($0)) }
            try RunExport.walk(experiments, batchSize: batchSize, page: { experiment, experimentID, after, limit in
                let heads = try runHeads(PostgresSQL.runsAfter, [.int64(experimentID), .int64(after), .int64(limit)])
                let series = try loadSeries(heads.filter { $0.extras.contains(.series) }.map(\.id))
                let runs = try loadRuns(heads, experiment: experiment)
                return (zip(heads, runs).map { ExportedRun(run: $1, series: series[$0.id] ?? []) }, heads.last?.id)
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
            let statistics = try connection.query(SharedSQL.metricStatistics, [.int64(experimentID)]).map { row in
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

extension RunHead {
    /// The head in a row's columns `first`… (id, name, created, ingested, extras), as every statement that reads
    /// runs gives them.
    init(_ row: PostgresRow, from first: Int) throws {
        id = try row.int64(first) ?? 0
        name = row.text(first + 1) ?? ""
        createdAt = try row.int64(first + 2) ?? 0
        ingestedAt = try row.int64(first + 3) ?? 0
        extras = RunExtras(rawValue: try row.int64(first + 4) ?? 0)
    }
}

/// One label condition of a `RunQuery` as `PostgresSQL.runFilter` takes it: a key, the value a label must equal or
/// the regular expression it must match (a glob's: `Glob.postgresRegex`), and whether a run passes by having such a
/// label (`present`) or by having none.
private struct LabelCondition {
    var key: String
    var value: String?
    var pattern: String?
    var present: Bool

    init(_ filter: LabelFilter) {
        switch filter {
        case .equals(let key, let glob):
            self.init(key: key, glob: glob, present: true)
        case .differs(let key, let glob):
            self.init(key: key, glob: glob, present: false)
        case .has(let key):
            self.init(key: key, value: nil, pattern: nil, present: true)
        case .lacks(let key):
            self.init(key: key, value: nil, pattern: nil, present: false)
        }
    }

    /// A literal glob as the value itself (an equality), any other as its regular expression.
    private init(key: String, glob: Glob, present: Bool) {
        self.init(
            key: key, value: glob.isLiteral ? glob.pattern : nil, pattern: glob.isLiteral ? nil : glob.postgresRegex,
            present: present)
    }

    private init(key: String, value: String?, pattern: String?, present: Bool) {
        self.key = key
        self.value = value
        self.pattern = pattern
        self.present = present
    }
}
