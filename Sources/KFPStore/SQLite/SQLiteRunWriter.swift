import FoundationEssentials
import KFPModel

/// Writes runs inside one open write transaction: prepared statements reused across runs, names and
/// experiments looked up once, and the per-metric statistics (`metric_stat`) merged in memory and written once
/// at `finish()`. One ingest uses it for one run; an import for a hundred thousand.
final class SQLiteRunWriter {
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
    private let addMetric: SQLiteStatement
    private let addParam: SQLiteStatement
    private let addSeries: SQLiteStatement
    private let deletes: [SQLiteStatement]
    private var experimentIDs: [String: Int64] = [:]
    private var nameIDs: [String: Int64] = [:]
    /// Statistics of the rows written, by (experiment id, name id), to merge into `metric_stat`.
    private var statistics: [StatisticsKey: MetricAccumulator] = [:]
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
        addName = try database.prepare("INSERT INTO metric_name(name) VALUES (?)")
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
            try insertContent(ingest, runID: runID, experimentID: experimentID, created: created)
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
        for metric in stored.metrics + ingest.metrics {
            stale.insert(StatisticsKey(experimentID: experimentID, nameID: try nameID(metric.name)))
        }
        try insertContent(ingest, runID: existingID, experimentID: experimentID, created: created)
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
        let merge = try database.prepare(Self.mergeStatistics)
        for (key, accumulator) in statistics where !stale.contains(key) {
            try merge.run(accumulator.values(key))
        }
        guard !stale.isEmpty else { return }
        let clear = try database.prepare("DELETE FROM metric_stat WHERE experiment_id = ? AND name_id = ?")
        let rows = try database.prepare(
            """
            SELECT m.run_id, r.created_at, m.value, m.format FROM metric m JOIN run r ON r.id = m.run_id
            WHERE m.name_id = ? AND r.experiment_id = ?
            """)
        for key in stale {
            try clear.run([.integer(key.experimentID), .integer(key.nameID)])
            var accumulator = MetricAccumulator()
            try rows.bind([.integer(key.nameID), .integer(key.experimentID)])
            while try rows.step() {
                accumulator.add(
                    value: rows.isNull(at: 2) ? .nan : rows.double(at: 2), format: rows.int(at: 3), run: rows.int64(at: 0),
                    created: rows.int64(at: 1))
            }
            if accumulator.count > 0 { try merge.run(accumulator.values(key)) }
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

    private func nameID(_ name: String) throws -> Int64 {
        if let id = nameIDs[name] { return id }
        var id = try findName.rows([.text(name)]) { $0.int64(at: 0) }.first
        if id == nil {
            try addName.run([.text(name)])
            id = database.lastInsertRowID
        }
        nameIDs[name] = id
        return id ?? 0
    }

    /// Inserts a run's labels, parameters, sources, metrics and series, and counts the metrics into the
    /// statistics.
    private func insertContent(_ ingest: RunIngest, runID: Int64, experimentID: Int64, created: Int64) throws {
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
        addMetric.bind(runID, at: 1)
        for metric in ingest.metrics {
            let nameID = try nameID(metric.name)
            let format = metric.format.rawValue
            addMetric.bind(nameID, at: 2)
            addMetric.bind(metric.value, at: 3)
            addMetric.bind(Int64(format), at: 4)
            try addMetric.runBound()
            statistics[StatisticsKey(experimentID: experimentID, nameID: nameID), default: MetricAccumulator()]
                .add(value: metric.value, format: format, run: runID, created: created)
        }
        // After the metrics: each series references its metric's row.
        for series in ingest.series {
            try addSeries.run([
                .integer(runID), .integer(try nameID(series.metric)), .integer(Int64(series.points.count)),
                .blob(SeriesCodec.encode(series.points)),
            ])
        }
    }

    /// Merges gathered statistics into a stored row (or inserts it). In an UPDATE, column names mean the old
    /// row's values, so the order of the assignments does not matter.
    private static let mergeStatistics = """
        INSERT INTO metric_stat(experiment_id, name_id, run_count, finite_count, finite_sum, min_value, min_run,
            max_value, max_run, latest_created, latest_run, latest_value, latest_format)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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

extension MetricAccumulator {
    /// The parameters of `mergeStatistics` for the row `key` (a NaN latest value as NULL, which SQLite cannot store).
    func values(_ key: StatisticsKey) -> [SQLiteValue] {
        let latest = latest ?? (0, 0, .nan, 0)
        return [
            .integer(key.experimentID), .integer(key.nameID), .integer(Int64(count)), .integer(Int64(finiteCount)),
            .real(sum), min.map { .real($0.value) } ?? .null, min.map { .integer($0.run) } ?? .null,
            max.map { .real($0.value) } ?? .null, max.map { .integer($0.run) } ?? .null, .integer(latest.created),
            .integer(latest.run), latest.value.isNaN ? .null : .real(latest.value), .integer(Int64(latest.format)),
        ]
    }
}
