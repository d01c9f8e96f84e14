import CSQLite
import FoundationEssentials
import KFPModel

/// The embedded store: one SQLite file in WAL mode, foreign keys on, a busy timeout, numbered migrations.
final class SQLiteStore: MetricsStore {
    /// The path it was opened with, for messages.
    let path: String
    private(set) var database: SQLiteDatabase
    /// Statements prepared once per connection and reused (a gate reads twenty runs).
    private var statements: [String: SQLiteStatement] = [:]

    /// A prepared statement for `sql`, compiled on first use.
    private func cached(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try database.prepare(sql)
        statements[sql] = statement
        return statement
    }

    /// The schema version, and the one it was upgraded from when opening it did so.
    var schema = SchemaStatus(version: SQLiteMigrations.latest, upgradedFrom: nil)

    /// Opens the store at `path`. For writing, a missing file becomes a new store and an older schema is
    /// upgraded; for reading, the store must exist at the current schema, and nothing in the file is changed.
    /// Waiting for another process's lock is bounded by `busyTimeoutMilliseconds` per transaction, retries
    /// included; past it comes `StoreError.busy`.
    init(path: String, access: StoreAccess, busyTimeoutMilliseconds: Int32 = 10_000) throws(StoreError) {
        self.path = path
        try Self.checkFile(path, access: access)
        database = try Self.connect(path, mode: access.creates ? .readWriteCreate : .readWrite, busyTimeoutMilliseconds)
        do {
            try prepare(access)
        } catch .cannotWrite where access == .read && !FileManager.default.fileExists(atPath: path + "-wal") {
            // A reader who may not write beside the store (another user's store in a shared folder) cannot make
            // the shared-memory file WAL mode needs; when no one is writing (no WAL), the file alone is the store.
            database = try Self.connect(path, mode: .readImmutable, busyTimeoutMilliseconds)
            try prepare(access)
        }
    }

    /// Opens the connection, a failure said as what it means for the user.
    private static func connect(
        _ path: String, mode: SQLiteDatabase.Mode, _ busyTimeoutMilliseconds: Int32
    ) throws(StoreError) -> SQLiteDatabase {
        do {
            return try SQLiteDatabase(path: path, mode: mode, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            throw storeError(error, path: path)
        }
    }

    /// Runs `body`, turning SQLite failures into store errors.
    func guarded<T>(_ body: () throws -> T) throws(StoreError) -> T {
        try StoreError.guarding(store: path, translate: { ($0 as? SQLiteError).map { Self.storeError($0, path: path) } }, body)
    }

    /// Runs a read in one read transaction (one snapshot, however many statements), retried on `SQLITE_BUSY`,
    /// turning SQLite failures into store errors.
    private func reading<T>(_ body: () throws -> T) throws(StoreError) -> T {
        try guarded { try database.readTransaction(body) }
    }

    // MARK: - Writing

    func ingest(_ ingest: RunIngest, replace: Bool) throws(StoreError) -> IngestOutcome {
        try guarded {
            // As in an import: the writer takes every id from its own inserts and lookups, and deletes a replaced
            // run's rows itself, so the foreign keys hold by construction. Checking them anyway costs two parent
            // lookups per metric and statistics row, and makes each multi-row INSERT keep a statement journal (a
            // copy of every page it touches, to undo just that statement): a third of the store time of a run of
            // 800,000 metrics. They come back on when the write ends.
            try database.execute("PRAGMA foreign_keys = OFF")
            defer { try? database.execute("PRAGMA foreign_keys = ON") }
            // `metric_by_value` is kept up to date row by row: one run's rows come in name order, so its entries
            // are appended (an import drops and rebuilds it instead: `withMetricIndexAfterRows`).
            return try database.writeTransaction { () throws -> IngestOutcome in
                let writer = try makeWriter()
                let outcome = try writer.write(ingest, replace: replace)
                try writer.finish()
                return outcome
            }
        }
    }

    func importRuns(replace: Bool, next: () -> ImportBatch) throws(StoreError) -> ImportSummary {
        try guarded {
            var summary = ImportSummary()
            // The writer takes every run id and name id from its own inserts, so the foreign keys hold by
            // construction; checking them row by row would cost a third of the import. They stay on for the
            // other writes (deleting, renaming and labelling runs, whose deletes cascade; migrations), and come
            // back on when the import ends.
            try database.execute("PRAGMA foreign_keys = OFF")
            defer { try? database.execute("PRAGMA foreign_keys = ON") }
            var started = false
            // Other writers wait for the import rather than give up after the busy timeout (`ImportLock`).
            let importLock = ImportLock.hold(store: path)
            defer { importLock?.release() }
            try database.writeTransaction { () throws -> Void in
                // A transaction that hit SQLITE_BUSY is run again, but an import's batches are pulled once:
                // fail cleanly (everything rolled back) rather than store a partial import.
                guard !started else { throw StoreError.busy(store: path) }
                started = true
                try withMetricIndexAfterRows {
                    let writer = try makeWriter()
                    while true {
                        switch next() {
                        case .runs(let runs):
                            for run in runs { summary.count(try writer.write(run, replace: replace), of: run) }
                        case .end:
                            try writer.finish()
                            return
                        case .abort:
                            throw ImportAborted()
                        }
                    }
                }
            }
            // An import can leave a WAL as large as the data; fold it back into the store and truncate it.
            try? database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return summary
        }
    }

    /// Runs an import, inside its transaction; into a store without metrics, `metric_by_value` is dropped first and
    /// built after the rows, in one sort, rather than updated row by row in value order (many runs' values of a
    /// metric interleave: a page touched per row, 2.9x the time of an import of 5M rows). The transaction makes the
    /// two one: it commits both or neither. Not for one run (`ingest`), whose entries are appended in name order:
    /// rebuilding them would cost a sort (0.4 s for 805,000 metrics).
    private func withMetricIndexAfterRows<T>(_ write: () throws -> T) throws -> T {
        let empty = try cached(SharedSQL.noMetrics).rows([]) { $0.int(at: 0) == 1 }.first ?? false
        guard empty else { return try write() }
        try database.execute("DROP INDEX IF EXISTS metric_by_value")
        let result = try write()
        try database.execute("PRAGMA threads = \(Self.sortThreads)")
        try database.execute(SQLiteMigrations.createMetricByValue)
        return result
    }

    /// The worker threads SQLite may use to sort (`PRAGMA threads`; 0 by default) when an import builds
    /// `metric_by_value`: the sort takes a quarter of an import of 5M rows, and by then the import's readers are
    /// done, so the other cores are free. One fewer than the cores, at most 7.
    private static let sortThreads = max(0, min(7, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// A writer over this connection, reading existing runs with `loadRun`.
    private func makeWriter() throws -> SQLiteRunWriter {
        try SQLiteRunWriter(
            database: database,
            loadRun: { [unowned self] id, experiment, name in try self.loadRun(id: id, experiment: experiment, name: name) },
            loadSeries: { [unowned self] id in try self.loadSeries(runID: id) })
    }

    // MARK: - Reading

    /// The id of an existing experiment, or `unknownExperiment` listing those that exist.
    private func existingExperimentID(_ experiment: String) throws -> Int64 {
        guard
            let id = try cached(RunStatements.experimentID)
                .rows([.text(experiment.nfc)], { $0.int64(at: 0) }).first
        else {
            throw StoreError.unknownExperiment(name: experiment, known: try experimentNames())
        }
        return id
    }

    func run(experiment: String, name: String) throws(StoreError) -> StoredRun {
        try reading {
            try loadRun(id: try existingRunID(experiment: experiment, name: name), experiment: experiment, name: name)
        }
    }

    /// The id of an existing run, or `unknownRun` listing the experiment's latest runs.
    private func existingRunID(experiment: String, name: String) throws -> Int64 {
        let experimentID = try existingExperimentID(experiment)
        guard
            let runID = try cached(RunStatements.runID)
                .rows([.integer(experimentID), .text(name.nfc)], { $0.int64(at: 0) }).first
        else {
            let count = try database.prepare("SELECT count(*) FROM run WHERE experiment_id = ?")
                .rows([.integer(experimentID)]) { $0.int(at: 0) }.first ?? 0
            let recent = try database.prepare(
                "SELECT name FROM run WHERE experiment_id = ? ORDER BY created_at DESC, id DESC LIMIT 20"
            ).rows([.integer(experimentID)]) { $0.text(at: 0) }
            throw StoreError.unknownRun(experiment: experiment, run: name, known: recent, total: count)
        }
        return runID
    }

    func series(experiment: String, run name: String, metrics: [String]?) throws(StoreError) -> [MetricSeries] {
        try reading {
            let id = try existingRunID(experiment: experiment, name: name)
            guard let wanted = metrics?.map(\.nfc) else { return try loadSeries(runID: id) }
            let run = try loadRun(id: id, experiment: experiment, name: name)
            return try RunContent.seriesToRead(wanted, of: run).map { metric in
                let blob = try cached(RunStatements.oneSeries).rows([.integer(id), .text(metric)]) { $0.blob(at: 0) }.first
                return try SeriesCodec.series(metric, stored: blob ?? [], store: path)
            }
        }
    }

    /// Every series of a run, sorted by metric name.
    private func loadSeries(runID: Int64) throws -> [MetricSeries] {
        try cached(RunStatements.allSeries).rows([.integer(runID)]) { ($0.text(at: 0), $0.blob(at: 1)) }
            .map { try SeriesCodec.series($0.0, stored: $0.1, store: path) }
            .sorted { $0.metric < $1.metric }
    }

    func exportRuns(experiments: [String]?, batchSize: Int, _ body: ([ExportedRun]) -> Bool) throws(StoreError) {
        try reading {
            let names = try experiments.map { $0.map(\.nfc) } ?? experimentNames()
            let experiments = try names.map { (name: $0, id: try existingExperimentID($0)) }
            try RunExport.walk(experiments, batchSize: batchSize, page: { experiment, experimentID, after, limit in
                let heads = try cached(RunStatements.runsAfter)
                    .rows([.integer(experimentID), .integer(after), .integer(limit)], Self.runHead)
                let runs = try zip(heads, loadRuns(heads, experiment: experiment)).map { head, run in
                    ExportedRun(run: run, series: RunContent.needsStoredSeries(run) ? try loadSeries(runID: head.id) : [])
                }
                return (runs, heads.last?.id)
            }, body)
        }
    }

    /// The statements that read runs, named so that a test can check their query plans. Those that read many
    /// runs at once take the run ids as a JSON array (`?1`) and visit it first (`CROSS JOIN` fixes that order),
    /// so that each run costs a seek by its key, never a scan.
    enum RunStatements {
        /// A run's head (`RunHead`): the columns every statement that selects runs gives first.
        static let head = "SELECT id, name, created_at, ingested_at, extras FROM run WHERE id = ?"
        static let labels = """
            SELECT l.run_id, l.key, l.value FROM json_each(?) j CROSS JOIN run_label l ON l.run_id = j.value
            """
        static let sources = """
            SELECT s.run_id, s.position, s.path, s.input_format, s.step, s.metric_count
            FROM json_each(?) j CROSS JOIN run_source s ON s.run_id = j.value
            """
        static let metrics = """
            SELECT m.run_id, n.name, m.value, m.format FROM json_each(?) j CROSS JOIN metric m ON m.run_id = j.value
            JOIN metric_name n ON n.id = m.name_id
            """
        /// The metrics of many runs whose name ids are in the JSON array `?2`: a seek per run and name.
        static let namedMetrics = """
            SELECT m.run_id, n.name, m.value, m.format FROM json_each(?1) j CROSS JOIN json_each(?2) k
            CROSS JOIN metric m ON m.run_id = j.value AND m.name_id = k.value JOIN metric_name n ON n.id = m.name_id
            """
        /// How many of many runs have each metric.
        static let prevalence = """
            SELECT n.name, count(*) FROM json_each(?) j CROSS JOIN metric m ON m.run_id = j.value
            JOIN metric_name n ON n.id = m.name_id GROUP BY m.name_id
            """
        static let params = """
            SELECT p.run_id, p.key, p.value FROM json_each(?) j CROSS JOIN run_param p ON p.run_id = j.value
            """
        static let seriesCounts = """
            SELECT s.run_id, n.name, s.point_count FROM json_each(?) j CROSS JOIN metric_series s ON s.run_id = j.value
            JOIN metric_name n ON n.id = s.name_id
            """
        static let allSeries = """
            SELECT n.name, s.points FROM metric_series s JOIN metric_name n ON n.id = s.name_id WHERE s.run_id = ?
            """
        static let oneSeries = """
            SELECT s.points FROM metric_series s
            WHERE s.run_id = ? AND s.name_id = (SELECT id FROM metric_name WHERE name = ?)
            """
        static let experimentID = "SELECT id FROM experiment WHERE name = ?"
        static let runID = "SELECT id FROM run WHERE experiment_id = ? AND name = ?"
        static let metricNameID = "SELECT id FROM metric_name WHERE name = ?"
        /// Up to a batch of an experiment's runs stored after a run id, in the order they were stored.
        static let runsAfter = """
            SELECT id, name, created_at, ingested_at, extras FROM run WHERE experiment_id = ? AND id > ? ORDER BY id LIMIT ?
            """
        static let all = [
            experimentID, runID, metricNameID, head, labels, sources, metrics, namedMetrics, prevalence,
            SharedSQL.experimentPrevalence, params, seriesCounts, allSeries, oneSeries, runsAfter,
        ]
    }

    /// A run's head from a row's first five columns (id, name, created, ingested, extras).
    private static func runHead(_ row: SQLiteStatement) -> RunHead {
        RunHead(
            id: row.int64(at: 0), name: row.text(at: 1), createdAt: row.int64(at: 2), ingestedAt: row.int64(at: 3),
            extras: RunExtras(rawValue: row.int64(at: 4)))
    }

    /// Loads a run's labels, sources, metrics (sorted by name), parameters and series lengths.
    private func loadRun(id: Int64, experiment: String, name: String) throws -> StoredRun {
        let head = try cached(RunStatements.head).rows([.integer(id)], Self.runHead).first
            ?? RunHead(id: id, name: name, createdAt: 0, ingestedAt: 0, extras: [])
        return try loadRuns([head], experiment: experiment)[0]
    }

    /// Loads the labels, sources, metrics (sorted by name; only those named in `metrics`, unless nil), parameters
    /// and series lengths of runs of one experiment, a statement per table whatever their number (parameters and
    /// series lengths only for runs whose `extras` say they have any); the runs come back in the order of `heads`.
    private func loadRuns(_ heads: [RunHead], experiment: String, metrics names: [String]? = nil) throws -> [StoredRun] {
        guard !heads.isEmpty else { return [] }
        let ids = SQLiteValue.text(Self.jsonArray(heads.map(\.id)))
        var content = RunAssembly()
        for (run, label) in try cached(RunStatements.labels).rows([ids], {
            ($0.int64(at: 0), Label(key: $0.text(at: 1), value: $0.text(at: 2)))
        }) {
            content.labels[run, default: []].append(label)
        }
        var positions: [Int64: [(Int, MetricsSource)]] = [:]
        for row in try cached(RunStatements.sources).rows([ids], {
            ($0.int64(at: 0), $0.int(at: 1), MetricsSource(
                path: $0.text(at: 2), inputFormat: InputFormat(rawValue: $0.text(at: 3)) ?? .flat, step: $0.text(at: 4),
                metricCount: $0.int(at: 5)))
        }) {
            positions[row.0, default: []].append((row.1, row.2))
        }
        content.sources = positions.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
        let metricRows: SQLiteStatement
        var values = [ids]
        if let names {
            let nameIDs = try names.compactMap { try cached(RunStatements.metricNameID).rows([.text($0)]) { $0.int64(at: 0) }.first }
            metricRows = try cached(RunStatements.namedMetrics)
            values.append(.text(Self.jsonArray(nameIDs)))
        } else {
            metricRows = try cached(RunStatements.metrics)
        }
        for (run, metric) in try metricRows.rows(values, {
            ($0.int64(at: 0), Metric(
                name: $0.text(at: 1), value: $0.isNull(at: 2) ? .nan : $0.double(at: 2),
                format: MetricFormat(rawValue: $0.int(at: 3)) ?? .unspecified))
        }) {
            content.metrics[run, default: []].append(metric)
        }
        let withParams = heads.filter { $0.extras.contains(.params) }.map(\.id)
        if !withParams.isEmpty {
            for (run, param) in try cached(RunStatements.params).rows([.text(Self.jsonArray(withParams))], {
                ($0.int64(at: 0), Parameter(key: $0.text(at: 1), value: $0.text(at: 2)))
            }) {
                content.params[run, default: []].append(param)
            }
        }
        let withSeries = heads.filter { $0.extras.contains(.series) }.map(\.id)
        if !withSeries.isEmpty {
            for row in try cached(RunStatements.seriesCounts).rows([.text(Self.jsonArray(withSeries))], {
                ($0.int64(at: 0), $0.text(at: 1), $0.int(at: 2))
            }) {
                content.seriesCounts[row.0, default: [:]][row.1] = row.2
            }
        }
        // Keys are unique in a run and stored in NFC, whose Swift order is SQLite's byte order.
        content.labels = content.labels.mapValues { $0.sorted { $0.key < $1.key } }
        content.params = content.params.mapValues { $0.sorted { $0.key < $1.key } }
        return content.runs(heads, experiment: experiment)
    }

    /// How many of these runs have each metric; from the kept statistics when they are every run of the experiment.
    private func metricPrevalence(_ heads: [RunHead], wholeExperiment: Bool, experimentID: Int64) throws -> [String: Int] {
        let rows =
            wholeExperiment
            ? try cached(SharedSQL.experimentPrevalence).rows([.integer(experimentID)]) { ($0.text(at: 0), $0.int(at: 1)) }
            : try cached(RunStatements.prevalence).rows([.text(Self.jsonArray(heads.map(\.id)))]) {
                ($0.text(at: 0), $0.int(at: 1))
            }
        return Dictionary(rows, uniquingKeysWith: +)
    }

    /// Integers as a JSON array, for `json_each`.
    private static func jsonArray(_ values: [Int64]) -> String {
        var text = "["
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            text += String(value)
        }
        return text + "]"
    }

    func experimentNames() throws(StoreError) -> [String] {
        try reading {
            try database.prepare("SELECT name FROM experiment ORDER BY name").rows([]) { $0.text(at: 0) }
        }
    }

    func experimentSummaries() throws(StoreError) -> [ExperimentSummary] {
        try reading {
            try database.prepare(
                """
                SELECT e.name, count(r.id), min(r.created_at), max(r.created_at)
                FROM experiment e LEFT JOIN run r ON r.experiment_id = e.id
                GROUP BY e.id ORDER BY e.name
                """
            ).rows([]) {
                ExperimentSummary(
                    name: $0.text(at: 0), runCount: $0.int(at: 1),
                    firstRun: $0.isNull(at: 2) ? nil : StoreTime.date($0.int64(at: 2)),
                    latestRun: $0.isNull(at: 3) ? nil : StoreTime.date($0.int64(at: 3)))
            }
        }
    }

    /// The columns of a selected run's head (`runHead`), from `run r`.
    private static let headColumns = "r.id, r.name, r.created_at, r.ingested_at, r.extras"

    func runs(_ query: RunQuery) throws(StoreError) -> RunPage {
        try reading {
            let experimentID = try existingExperimentID(query.experiment)
            // The runs in scope (the experiment's, before a run), then the label conditions: as `IN` lists in
            // `filter`, and as one expression on a run (`EXISTS` lookups by its key) in `passes`.
            var filter = "r.experiment_id = ?"
            var values: [SQLiteValue] = [.integer(experimentID)]
            if let before = query.before {
                filter += " AND (r.created_at, r.id) < (SELECT created_at, id FROM run WHERE experiment_id = ? AND name = ?)"
                values += [.integer(experimentID), .text(before.name)]
            }
            let scope = filter, scopeValues = values
            var passes = "1"
            var passValues: [SQLiteValue] = []
            for condition in query.filters {
                let (negated, test, bound): (Bool, String, [SQLiteValue]) =
                    switch condition {
                    case .equals(let key, let value) where value.isLiteral:
                        (false, "key = ? AND value = ?", [.text(key), .text(value.pattern)])
                    case .equals(let key, let value): (false, "key = ? AND value GLOB ?", [.text(key), .text(value.sqlGlob)])
                    case .differs(let key, let value): (true, "key = ? AND value GLOB ?", [.text(key), .text(value.sqlGlob)])
                    case .has(let key): (false, "key = ?", [.text(key)])
                    case .lacks(let key): (true, "key = ?", [.text(key)])
                    }
                filter += " AND r.id \(negated ? "NOT IN" : "IN") (SELECT run_id FROM run_label WHERE \(test))"
                passes += " AND \(negated ? "NOT EXISTS" : "EXISTS") (SELECT 1 FROM run_label l WHERE l.run_id = r.id AND \(test))"
                values += bound
                passValues += bound
            }
            let total =
                query.countMatching
                ? try database.prepare("SELECT count(*) FROM run r WHERE \(filter)").rows(values) { $0.int(at: 0) }.first ?? 0
                : 0
            let limit = query.limit.map { SQLiteValue.integer(Int64($0)) } ?? .integer(-1)
            let newestFirst = "ORDER BY r.created_at DESC, r.id DESC LIMIT ?"
            var selected: [RunHead]
            if let metric = query.sortMetric {
                // Runs with a number for the metric, by value: metric_by_value gives them in that order, so that the
                // limit stops the walk (ties, newest first, are sorted among themselves) ...
                let order = query.ascending ? "ASC" : "DESC"
                let nameID: SQLiteValue = .text(metric)
                let withMetric = "FROM metric m JOIN run r ON r.id = m.run_id WHERE m.name_id = (SELECT id FROM metric_name WHERE name = ?)"
                selected = try database.prepare(
                    """
                    SELECT \(Self.headColumns) \(withMetric) AND m.value IS NOT NULL AND \(filter)
                    ORDER BY m.value \(order), r.created_at DESC, r.id DESC LIMIT ?
                    """
                ).rows([nameID] + values + [limit], Self.runHead)
                /// The room the limit leaves, or nil when it leaves none.
                func room() -> SQLiteValue? {
                    guard let limit = query.limit else { return .integer(-1) }
                    return selected.count < limit ? .integer(Int64(limit - selected.count)) : nil
                }
                // ... then those whose value is NaN (stored as NULL), newest first ...
                if let room = room() {
                    selected += try database.prepare(
                        "SELECT \(Self.headColumns) \(withMetric) AND m.value IS NULL AND \(filter) \(newestFirst)"
                    ).rows([nameID] + values + [room], Self.runHead)
                }
                // ... then the runs without it, newest first.
                if let room = room() {
                    selected += try database.prepare(
                        """
                        SELECT \(Self.headColumns) FROM run r WHERE \(filter) AND NOT EXISTS (SELECT 1 FROM metric m
                            WHERE m.run_id = r.id AND m.name_id = (SELECT id FROM metric_name WHERE name = ?))
                        \(newestFirst)
                        """
                    ).rows(values + [nameID, room], Self.runHead)
                }
            } else if let wanted = query.limit, !query.filters.isEmpty,
                let newest = try newestPassing(scope, scopeValues, passes, passValues, limit: wanted)
            {
                selected = newest
            } else {
                selected = try database.prepare("SELECT \(Self.headColumns) FROM run r WHERE \(filter) \(newestFirst)")
                    .rows(values + [limit], Self.runHead)
            }
            return try RunPage.assemble(
                query, heads: selected, total: total,
                prevalence: { heads, whole in try metricPrevalence(heads, wholeExperiment: whole, experimentID: experimentID) },
                load: { heads, metrics in try loadRuns(heads, experiment: query.experiment, metrics: metrics) })
        }
    }

    /// How many of the newest runs `newestPassing` looks at before it leaves the search to the `IN` form.
    private static let newestRunsWalked: Int64 = 2048

    /// The newest `limit` runs in `scope` that pass the label conditions `passes`, found by walking the newest runs
    /// in time order and checking each (a lookup of its labels by key), which stops at the limit: cheap when many
    /// runs pass, as a gate's baseline label usually does (`window:20:branch=main`; the `IN` form lists all 10,000
    /// matching runs of the benchmark's store first). Nil when the newest `newestRunsWalked` runs hold fewer:
    /// listing the runs that pass first is then the cheaper way, the fewer pass.
    private func newestPassing(
        _ scope: String, _ scopeValues: [SQLiteValue], _ passes: String, _ passValues: [SQLiteValue], limit: Int
    ) throws -> [RunHead]? {
        let walk = try database.prepare(
            "SELECT \(Self.headColumns), \(passes) FROM run r WHERE \(scope) ORDER BY r.created_at DESC, r.id DESC LIMIT ?")
        try walk.bind(passValues + scopeValues + [.integer(Self.newestRunsWalked)])
        var found: [RunHead] = []
        var walked: Int64 = 0
        while found.count < limit, try walk.step() {
            walked += 1
            if walk.int64(at: 5) == 1 { found.append(Self.runHead(walk)) }
        }
        return found.count == limit || walked < Self.newestRunsWalked ? found : nil
    }

    func metricStatistics(experiment: String) throws(StoreError) -> [MetricStatistics] {
        try reading {
            let experimentID = try existingExperimentID(experiment)
            let statistics = try database.prepare(SharedSQL.metricStatistics).rows([.integer(experimentID)]) { row in
                MetricStatistics(
                    name: row.text(at: 0), format: MetricFormat(rawValue: row.int(at: 10)) ?? .unspecified,
                    runCount: row.int(at: 1), finiteSum: row.double(at: 2), finiteCount: row.int(at: 3),
                    min: row.isNull(at: 4) ? nil : row.double(at: 4), minRun: row.isNull(at: 5) ? nil : row.text(at: 5),
                    max: row.isNull(at: 6) ? nil : row.double(at: 6), maxRun: row.isNull(at: 7) ? nil : row.text(at: 7),
                    latest: row.isNull(at: 8) ? .nan : row.double(at: 8), latestRun: row.text(at: 9))
            }
            return MetricStatistics.inTopOrder(statistics)
        }
    }

    /// A metric's values in an experiment, newest first: found through `metric_by_value`, not a scan.
    static let historyStatement = """
        SELECT r.name, r.created_at, m.value, m.format FROM metric m JOIN run r ON r.id = m.run_id
        WHERE m.name_id = (SELECT id FROM metric_name WHERE name = ?) AND r.experiment_id = ?
        ORDER BY r.created_at DESC, r.id DESC
        """

    func history(experiment: String, metric: String, limit: Int?) throws(StoreError) -> [HistoryPoint] {
        try reading {
            let experimentID = try existingExperimentID(experiment)
            var sql = Self.historyStatement
            var values: [SQLiteValue] = [.text(metric.nfc), .integer(experimentID)]
            if let limit {
                sql += " LIMIT ?"
                values.append(.integer(Int64(limit)))
            }
            let points = try database.prepare(sql).rows(values) {
                HistoryPoint(
                    run: $0.text(at: 0), createdAt: StoreTime.date($0.int64(at: 1)),
                    value: $0.isNull(at: 2) ? .nan : $0.double(at: 2),
                    format: MetricFormat(rawValue: $0.int(at: 3)) ?? .unspecified)
            }
            if points.isEmpty {
                let known = try metricStatistics(experiment: experiment).map(\.name)
                throw StoreError.unknownMetric(
                    experiment: experiment, metric: metric, known: Array(known.prefix(20)), total: known.count)
            }
            return points.reversed()
        }
    }

    // MARK: - Managing runs

    /// The ids of the named runs of an experiment, in the order given; throws `unknownRun` for the first name
    /// that is not there (listing what is).
    private func runIDs(experiment: String, names: [String]) throws -> (experimentID: Int64, runs: [Int64]) {
        let experimentID = try existingExperimentID(experiment)
        let ids = try names.map { name -> Int64 in
            guard let id = try cached(RunStatements.runID).rows([.integer(experimentID), .text(name.nfc)], { $0.int64(at: 0) }).first
            else {
                _ = try run(experiment: experiment, name: name)  // throws unknownRun with the runs that exist
                return 0
            }
            return id
        }
        return (experimentID, ids)
    }

    func deleteRuns(experiment: String, names: [String]) throws(StoreError) -> Int {
        try guarded {
            try database.writeTransaction { () throws -> Int in
                let (experimentID, ids) = try runIDs(experiment: experiment, names: names)
                let writer = try makeWriter()
                var rows = 0
                for id in Set(ids) { rows += try writer.delete(runID: id, experimentID: experimentID) }
                try writer.finish()
                return rows
            }
        }
    }

    func renameRun(experiment: String, from: String, to: String) throws(StoreError) {
        try guarded {
            try database.writeTransaction { () throws -> Void in
                let (experimentID, ids) = try runIDs(experiment: experiment, names: [from])
                if try cached(RunStatements.runID).rows([.integer(experimentID), .text(to.nfc)], { $0.int64(at: 0) }).first != nil {
                    throw StoreError.runExists(experiment: experiment, run: to)
                }
                try database.prepare("UPDATE run SET name = ? WHERE id = ?").run([.text(to.nfc), .integer(ids[0])])
            }
        }
    }

    func changeLabels(experiment: String, runs: [String], set: [Label], remove: [String]) throws(StoreError) {
        try guarded {
            try database.writeTransaction { () throws -> Void in
                let (_, ids) = try runIDs(experiment: experiment, names: runs)
                let upsert = try database.prepare(
                    "INSERT INTO run_label(run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value")
                let delete = try database.prepare("DELETE FROM run_label WHERE run_id = ? AND key = ?")
                for id in Set(ids) {
                    for key in remove { try delete.run([.integer(id), .text(key.nfc)]) }
                    for label in set { try upsert.run([.integer(id), .text(label.key), .text(label.value)]) }
                }
            }
        }
    }

    func labelCounts(experiment: String) throws(StoreError) -> [LabelCount] {
        try reading {
            let experimentID = try existingExperimentID(experiment)
            return try database.prepare(
                """
                SELECT l.key, l.value, count(*) FROM run_label l JOIN run r ON r.id = l.run_id
                WHERE r.experiment_id = ? GROUP BY l.key, l.value ORDER BY l.key, l.value
                """
            ).rows([.integer(experimentID)]) { LabelCount(key: $0.text(at: 0), value: $0.text(at: 1), runCount: $0.int(at: 2)) }
        }
    }
}
