import FoundationEssentials
import KFPModel

/// Writes runs inside one open write transaction: prepared statements reused across runs, names and
/// experiments looked up once, and the per-metric statistics (`metric_stat`) merged in memory and written in key
/// order. One ingest uses it for one run; an import for a hundred thousand.
///
/// Rows are written in batches of `batchSize` per statement (a statement's fixed cost is about that of a row),
/// and in key order: new names in byte order, so that their ids, and with them the keys of the run's rows and
/// statistics, come in order too. Every B-tree is then appended to rather than split at random places. A run of
/// 800,000 new names took 12 s to store with one statement per row and its statistics in hash order (7 s of
/// it the statistics), and takes under 2 s this way.
final class SQLiteRunWriter {
    /// Rows per multi-row INSERT (13 parameters each for `metric_stat`: within SQLite's oldest limit of 999).
    ///
    /// A statement that writes several rows and may abort half-way makes SQLite copy every page it touches into a
    /// statement journal first, to undo just that statement: 650 MB of copies for a run of 800,000 metrics. The
    /// multi-row statements say OR FAIL (or OR IGNORE) and run without foreign-key checks (see
    /// `SQLiteStore.ingest`), so they need no such journal: a failure throws, and the whole transaction is
    /// rolled back anyway.
    static let batchSize = 64
    /// Names remembered across runs; a larger run is looked up in the store (it is in key order, so that is cheap).
    static let nameCacheLimit = 1 << 16
    /// Statistics kept in memory before they are merged into the store, so that a run of a million new names
    /// does not hold a million accumulators.
    static let statisticsLimit = 1 << 14

    private let database: SQLiteDatabase
    private let findExperiment: SQLiteStatement
    private let addExperiment: SQLiteStatement
    private let findRun: SQLiteStatement
    private let addRun: SQLiteStatement
    private let touchRun: SQLiteStatement
    private let addLabel: SQLiteStatement
    private let addSource: SQLiteStatement
    private let findName: SQLiteStatement
    private let addName: SQLiteStatement
    /// The batch statements (`batchSize` rows each), prepared when a run first has a whole batch.
    private var addNames: SQLiteStatement?
    private let addMetric: SQLiteStatement
    /// `batchSize` metric rows at once.
    private var addMetrics: SQLiteStatement?
    private let addParam: SQLiteStatement
    private let addSeries: SQLiteStatement
    private let deletes: [SQLiteStatement]
    /// The statements that merge statistics into `metric_stat`, one row and `batchSize` rows at a time.
    private var mergeStatistic: SQLiteStatement?
    /// `batchSize` statistics rows at once.
    private var mergeStatistics: SQLiteStatement?
    private var experimentIDs: [String: Int64] = [:]
    /// Names' ids, up to `nameCacheLimit` of them.
    private var nameIDs: [String: Int64] = [:]
    /// The id the next new name gets: one past the largest in the store, read when first needed.
    private var nextNameID: Int64?
    /// Statistics of the rows written, per (experiment id, name id) in the order first written, to merge into
    /// `metric_stat`.
    private var statistics: [(key: StatisticsKey, accumulator: MetricAccumulator)] = []
    /// The entry of each key of `statistics`, for the entries of runs before the one being written (a run's own
    /// keys differ from each other, or its rows would not have been stored).
    private var statisticsIndex: [StatisticsKey: Int] = [:]
    /// Keys whose stored statistics must be recomputed (a run's metrics were replaced).
    private var stale: Set<StatisticsKey> = []
    /// Reads a stored run when it exists already.
    private let loadRun: (Int64, String, String) throws -> StoredRun
    /// Reads every series of a stored run (by id), to compare with a new ingest of it.
    private let loadSeries: (Int64) throws -> [MetricSeries]

    init(
        database: SQLiteDatabase, loadRun: @escaping (Int64, String, String) throws -> StoredRun,
        loadSeries: @escaping (Int64) throws -> [MetricSeries]
    ) throws {
        self.database = database
        self.loadRun = loadRun
        self.loadSeries = loadSeries
        findExperiment = try database.prepare("SELECT id FROM experiment WHERE name = ?")
        addExperiment = try database.prepare("INSERT INTO experiment(name, created_at) VALUES (?, ?)")
        findRun = try database.prepare("SELECT id FROM run WHERE experiment_id = ? AND name = ?")
        addRun = try database.prepare(
            "INSERT INTO run(experiment_id, name, created_at, ingested_at, extras) VALUES (?, ?, ?, ?, ?)")
        touchRun = try database.prepare("UPDATE run SET ingested_at = ?, extras = ? WHERE id = ?")
        addLabel = try database.prepare("INSERT INTO run_label(run_id, key, value) VALUES (?, ?, ?)")
        addSource = try database.prepare(
            "INSERT INTO run_source(run_id, position, path, input_format, step, metric_count) VALUES (?, ?, ?, ?, ?, ?)")
        findName = try database.prepare("SELECT id FROM metric_name WHERE name = ?")
        addName = try database.prepare("INSERT INTO metric_name(id, name) VALUES (?, ?)")
        addMetric = try database.prepare("INSERT INTO metric(run_id, name_id, value, format) VALUES (?, ?, ?, ?)")
        addParam = try database.prepare("INSERT INTO run_param(run_id, key, value) VALUES (?, ?, ?)")
        addSeries = try database.prepare(
            "INSERT INTO metric_series(run_id, name_id, point_count, points) VALUES (?, ?, ?, ?)")
        deletes = try [
            database.prepare("DELETE FROM metric_series WHERE run_id = ?"),
            database.prepare("DELETE FROM run_param WHERE run_id = ?"),
            database.prepare("DELETE FROM metric WHERE run_id = ?"),
            database.prepare("DELETE FROM run_label WHERE run_id = ?"),
            database.prepare("DELETE FROM run_source WHERE run_id = ?"),
        ]
    }

    /// Writes one run: new, unchanged (identical content), replaced, or refused as a conflict.
    func write(_ ingest: RunIngest, replace: Bool) throws -> IngestOutcome {
        try RunContent.check(ingest)
        let time = StoreTime.milliseconds(ingest.time)
        let created = ingest.createdAt.map(StoreTime.milliseconds) ?? time
        let experimentID = try experimentID(ingest.experiment, creatingAt: time)
        let existing = try findRun.rows([.integer(experimentID), .text(ingest.run)]) { $0.int64(at: 0) }.first
        guard let existingID = existing else {
            try addRun.run([
                .integer(experimentID), .text(ingest.run), .integer(created), .integer(time), .integer(RunExtras(ingest).rawValue),
            ])
            let runID = database.lastInsertRowID
            let ids = try nameIDs(of: ingest.metrics)
            try insertContent(ingest, ids: ids, runID: runID, experimentID: experimentID, created: created)
            return .created(metricCount: ingest.metrics.count)
        }
        let stored = try loadRun(existingID, ingest.experiment, ingest.run)
        let storedSeries = RunContent.needsStoredSeries(stored) ? try loadSeries(existingID) : []
        switch try RunContent.decide(stored: stored, storedSeries: storedSeries, new: ingest, replace: replace) {
        case .unchanged: return .unchanged(metricCount: stored.metrics.count)
        case .addLabels(let labels):
            for label in labels { try addLabel.run([.integer(existingID), .text(label.key), .text(label.value)]) }
            return .labelsAdded(metricCount: stored.metrics.count, labels: labels)
        case .replace: break
        }
        for delete in deletes { try delete.run([.integer(existingID)]) }
        try touchRun.run([.integer(time), .integer(RunExtras(ingest).rawValue), .integer(existingID)])
        // Statistics of every name the run had or has are recomputed from the rows at the end.
        for metric in stored.metrics {
            stale.insert(StatisticsKey(experimentID: experimentID, nameID: try nameID(metric.name)))
        }
        let ids = try nameIDs(of: ingest.metrics)
        for id in ids { stale.insert(StatisticsKey(experimentID: experimentID, nameID: id)) }
        try insertContent(ingest, ids: ids, runID: existingID, experimentID: experimentID, created: created)
        return .replaced(metricCount: ingest.metrics.count, previousCount: stored.metrics.count)
    }

    /// Deletes a run and its rows; the statistics of every metric it had are recomputed at `finish()`.
    func delete(runID: Int64, experimentID: Int64) throws -> Int {
        let names = try database.prepare("SELECT name_id FROM metric WHERE run_id = ?").rows([.integer(runID)]) { $0.int64(at: 0) }
        for nameID in names { stale.insert(StatisticsKey(experimentID: experimentID, nameID: nameID)) }
        try database.prepare("DELETE FROM run WHERE id = ?").run([.integer(runID)])
        return names.count
    }

    /// Writes the statistics gathered; call once, before the transaction commits.
    func finish() throws {
        try flushStatistics()
        guard !stale.isEmpty else { return }
        let clear = try database.prepare("DELETE FROM metric_stat WHERE experiment_id = ? AND name_id = ?")
        let rows = try database.prepare(
            """
            SELECT m.run_id, r.created_at, m.value, m.format FROM metric m JOIN run r ON r.id = m.run_id
            WHERE m.name_id = ? AND r.experiment_id = ?
            """)
        for key in stale.sorted() {
            try clear.run([.integer(key.experimentID), .integer(key.nameID)])
            var accumulator = MetricAccumulator()
            try rows.bind([.integer(key.nameID), .integer(key.experimentID)])
            while try rows.step() {
                accumulator.add(
                    value: rows.isNull(at: 2) ? .nan : rows.double(at: 2), format: rows.int(at: 3), run: rows.int64(at: 0),
                    created: rows.int64(at: 1))
            }
            if accumulator.count > 0 { try merge([(key, accumulator)][...]) }
        }
    }

    // MARK: - Pieces

    private func experimentID(_ name: String, creatingAt time: Int64) throws -> Int64 {
        if let id = experimentIDs[name] { return id }
        var id = try findExperiment.rows([.text(name)]) { $0.int64(at: 0) }.first
        if id == nil {
            try addExperiment.run([.text(name), .integer(time)])
            id = database.lastInsertRowID
        }
        experimentIDs[name] = id
        return id ?? 0
    }

    /// The id the next new name gets.
    private func newNameID() throws -> Int64 {
        if let id = nextNameID { return id }
        let largest = try database.prepare("SELECT max(id) FROM metric_name").rows([]) { $0.int64(at: 0) }.first
        nextNameID = (largest ?? 0) + 1
        return (largest ?? 0) + 1
    }

    /// Remembers a name's id, up to `nameCacheLimit` names.
    private func remember(_ name: String, _ id: Int64) {
        if nameIDs.count < Self.nameCacheLimit { nameIDs[name] = id }
    }

    /// The id of one name, stored if new.
    private func nameID(_ name: String) throws -> Int64 {
        if let id = nameIDs[name] { return id }
        var id = try findName.rows([.text(name)]) { $0.int64(at: 0) }.first
        if id == nil {
            let new = try newNameID()
            try addName.run([.integer(new), .text(name)])
            nextNameID = new + 1
            id = new
        }
        remember(name, id ?? 0)
        return id ?? 0
    }

    /// The id of every name of a run, storing the new ones: in byte order, so that the name index is appended to
    /// and the new ids follow the names' order; a batch at a time while whole batches are left.
    private func nameIDs(of metrics: MetricList) throws -> [Int64] {
        var ids = [Int64](repeating: 0, count: metrics.count)
        var missing: [Int] = []
        if nameIDs.isEmpty {
            missing = Array(metrics.indices)
        } else {
            for position in metrics.indices {
                if let id = nameIDs[String(metrics.name(at: position))] {
                    ids[position] = id
                } else {
                    missing.append(position)
                }
            }
        }
        if missing.isEmpty { return ids }
        missing = metrics.sortedByNameBytes(missing)
        var start = 0
        while missing.count - start >= Self.batchSize {
            let batch = missing[start..<(start + Self.batchSize)]
            start += Self.batchSize
            let first = try newNameID()
            // A name already stored is skipped; the batch's ids are then looked up one by one.
            let placeholders = Self.namePlaceholders
            let addNames =
                try addNames ?? database.prepare("INSERT OR IGNORE INTO metric_name(id, name) VALUES \(placeholders)")
            self.addNames = addNames
            try metrics.withNameStorage { bytes, ends in
                for (i, position) in batch.enumerated() {
                    addNames.bind(first + Int64(i), at: Int32(2 * i + 1))
                    try addNames.bind(text: MetricList.name(at: position, bytes, ends), at: Int32(2 * i + 2))
                }
            }
            try addNames.runBound()
            let added = database.changes
            if added == batch.count {
                for (i, position) in batch.enumerated() { ids[position] = first + Int64(i) }
                nextNameID = first + Int64(batch.count)
            } else {
                // Some names were stored already: find each; the ids of names skipped stay unused.
                if added > 0 { nextNameID = first + Int64(batch.count) }
                for position in batch {
                    let name = String(metrics.name(at: position))
                    ids[position] = try findName.rows([.text(name)]) { $0.int64(at: 0) }.first ?? 0
                }
            }
            for position in batch where nameIDs.count < Self.nameCacheLimit {
                remember(String(metrics.name(at: position)), ids[position])
            }
        }
        for position in missing[start...] {
            ids[position] = try nameID(String(metrics.name(at: position)))
        }
        return ids
    }

    /// Inserts a run's labels, parameters, sources, metrics (with their names' `ids`) and series, and counts the
    /// metrics into the statistics.
    private func insertContent(
        _ ingest: RunIngest, ids: [Int64], runID: Int64, experimentID: Int64, created: Int64
    ) throws {
        for label in ingest.labels {
            try addLabel.run([.integer(runID), .text(label.key), .text(label.value)])
        }
        for param in ingest.params {
            try addParam.run([.integer(runID), .text(param.key), .text(param.value)])
        }
        for (position, source) in ingest.sources.enumerated() {
            try addSource.run([
                .integer(runID), .integer(Int64(position)), .text(source.path), .text(source.inputFormat.rawValue),
                .text(source.step), .integer(Int64(source.metricCount)),
            ])
        }
        try insertMetrics(ingest.metrics, ids: ids, runID: runID, experimentID: experimentID, created: created)
        // After the metrics: each series references its metric's row.
        for series in ingest.series {
            try addSeries.run([
                .integer(runID), .integer(try nameID(series.metric)), .integer(Int64(series.points.count)),
                .blob(SeriesCodec.encode(series.points)),
            ])
        }
    }

    /// Inserts a run's metric rows in name id order, a batch at a time, and counts them into the statistics.
    private func insertMetrics(
        _ metrics: MetricList, ids: [Int64], runID: Int64, experimentID: Int64, created: Int64
    ) throws {
        // In name id order: the rows' keys, (run, name) and (name, run), then only grow.
        var order = Array(metrics.indices)
        if !zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) {
            order = zip(ids, order).sorted { $0.0 < $1.0 }.map(\.1)
        }
        // Entries of earlier runs, which this run's keys may have.
        var earlier = statistics.count
        for entry in statisticsIndex.count..<earlier { statisticsIndex[statistics[entry].key] = entry }
        var start = 0
        while start < order.count {
            let batch = order[start..<Swift.min(start + Self.batchSize, order.count)]
            start += batch.count
            if batch.count == Self.batchSize {
                let placeholders = Self.metricPlaceholders
                let addMetrics = try addMetrics ?? database.prepare(
                    "INSERT OR FAIL INTO metric(run_id, name_id, value, format) VALUES \(placeholders)")
                self.addMetrics = addMetrics
                for (i, position) in batch.enumerated() {
                    bindMetric(addMetrics, at: Int32(4 * i + 1), runID, ids[position], metrics, position)
                }
                try addMetrics.runBound()
            } else {
                for position in batch {
                    bindMetric(addMetric, at: 1, runID, ids[position], metrics, position)
                    try addMetric.runBound()
                }
            }
            for position in batch {
                let key = StatisticsKey(experimentID: experimentID, nameID: ids[position])
                let entry = earlier > 0 ? statisticsIndex[key] ?? statistics.count : statistics.count
                if entry == statistics.count { statistics.append((key, MetricAccumulator())) }
                statistics[entry].accumulator.add(
                    value: metrics.value(at: position), format: metrics.format(at: position).rawValue, run: runID,
                    created: created)
            }
            if statistics.count >= Self.statisticsLimit {
                try flushStatistics()
                earlier = 0
            }
        }
    }

    /// Binds one metric row (run, name id, value, format) from parameter `first` on.
    private func bindMetric(
        _ statement: SQLiteStatement, at first: Int32, _ runID: Int64, _ nameID: Int64, _ metrics: MetricList,
        _ position: Int
    ) {
        statement.bind(runID, at: first)
        statement.bind(nameID, at: first + 1)
        statement.bind(metrics.value(at: position), at: first + 2)
        statement.bind(Int64(metrics.format(at: position).rawValue), at: first + 3)
    }

    // MARK: - Statistics

    /// Merges the statistics gathered into `metric_stat` (but not those of stale keys, recomputed at the end)
    /// and forgets them; merging is associative, so this may happen any number of times.
    private func flushStatistics() throws {
        var entries = stale.isEmpty ? statistics : statistics.filter { !stale.contains($0.key) }
        statistics.removeAll(keepingCapacity: true)
        statisticsIndex.removeAll(keepingCapacity: true)
        // In key order, so that the table is appended to (a run's new names come in order already).
        if !zip(entries, entries.dropFirst()).allSatisfy({ $0.key < $1.key }) { entries.sort { $0.key < $1.key } }
        try merge(entries[...])
    }

    /// Merges statistics into stored rows (or inserts them), a batch at a time.
    private func merge(_ entries: ArraySlice<(key: StatisticsKey, accumulator: MetricAccumulator)>) throws {
        var start = entries.startIndex
        while start < entries.endIndex {
            let batch = entries[start..<Swift.min(start + Self.batchSize, entries.endIndex)]
            start += batch.count
            if batch.count == Self.batchSize {
                let statement = try mergeStatistics ?? database.prepare(Self.mergeStatement(rows: Self.batchSize))
                mergeStatistics = statement
                for (i, (key, accumulator)) in batch.enumerated() {
                    accumulator.bind(key, to: statement, at: Int32(MetricAccumulator.columns * i + 1))
                }
                try statement.runBound()
            } else {
                let statement = try mergeStatistic ?? database.prepare(Self.mergeStatement(rows: 1))
                mergeStatistic = statement
                for (key, accumulator) in batch {
                    accumulator.bind(key, to: statement, at: 1)
                    try statement.runBound()
                }
            }
        }
    }

    // MARK: - Statements

    /// The parameters of a multi-row VALUES clause: `rows` rows of `columns` `?` each. Only `?`, commas, spaces
    /// and parentheses, so it is safe to splice into SQL.
    private static func placeholders(rows: Int, columns: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// The VALUES parameters of the batch statement of names.
    private static let namePlaceholders = placeholders(rows: batchSize, columns: 2)
    /// The VALUES parameters of the batch statement of metric rows.
    private static let metricPlaceholders = placeholders(rows: batchSize, columns: 4)

    /// Merges gathered statistics into stored rows (or inserts them), `rows` rows per statement. In an UPDATE,
    /// column names mean the old row's values, so the order of the assignments does not matter. (OR FAIL: see
    /// `batchSize`.)
    private static func mergeStatement(rows count: Int) -> String {
        let placeholders = Self.placeholders(rows: count, columns: MetricAccumulator.columns)
        return """
        INSERT OR FAIL INTO metric_stat(experiment_id, name_id, run_count, finite_count, finite_sum, min_value, min_run,
            max_value, max_run, latest_created, latest_run, latest_value, latest_format)
        VALUES \(placeholders)
        ON CONFLICT (experiment_id, name_id) DO UPDATE SET
            run_count = run_count + excluded.run_count,
            finite_count = finite_count + excluded.finite_count,
            finite_sum = finite_sum + excluded.finite_sum,
            min_value = CASE WHEN excluded.min_value < min_value OR min_value IS NULL THEN excluded.min_value ELSE min_value END,
            min_run = CASE WHEN excluded.min_value < min_value OR min_value IS NULL THEN excluded.min_run ELSE min_run END,
            max_value = CASE WHEN excluded.max_value > max_value OR max_value IS NULL THEN excluded.max_value ELSE max_value END,
            max_run = CASE WHEN excluded.max_value > max_value OR max_value IS NULL THEN excluded.max_run ELSE max_run END,
            latest_value = CASE WHEN (excluded.latest_created, excluded.latest_run) > (latest_created, latest_run)
                THEN excluded.latest_value ELSE latest_value END,
            latest_format = CASE WHEN (excluded.latest_created, excluded.latest_run) > (latest_created, latest_run)
                THEN excluded.latest_format ELSE latest_format END,
            latest_run = CASE WHEN (excluded.latest_created, excluded.latest_run) > (latest_created, latest_run)
                THEN excluded.latest_run ELSE latest_run END,
            latest_created = max(latest_created, excluded.latest_created)
        """
    }
}

/// The accumulator as parameters of the SQLite merge statement.
extension MetricAccumulator {
    /// The number of parameters `bind` sets: one row of the merge statement.
    static let columns = 13

    /// Binds the merge statement's parameters for `key`, from parameter `first` on.
    func bind(_ key: StatisticsKey, to statement: SQLiteStatement, at first: Int32) {
        let latest = latest ?? (0, 0, .nan, 0)
        statement.bind(key.experimentID, at: first)
        statement.bind(key.nameID, at: first + 1)
        statement.bind(Int64(count), at: first + 2)
        statement.bind(Int64(finiteCount), at: first + 3)
        statement.bind(sum, at: first + 4)
        statement.bind(min?.value ?? .nan, at: first + 5)  // NaN binds NULL
        statement.bind(optional: min?.run, at: first + 6)
        statement.bind(max?.value ?? .nan, at: first + 7)
        statement.bind(optional: max?.run, at: first + 8)
        statement.bind(latest.created, at: first + 9)
        statement.bind(latest.run, at: first + 10)
        statement.bind(latest.value, at: first + 11)
        statement.bind(Int64(latest.format), at: first + 12)
    }
}
