import CSQLite
import Foundation

/// The embedded store: one SQLite file in WAL mode, foreign keys on, a busy timeout, numbered migrations.
package final class SQLiteMetricsStore: MetricsStore {
    /// The path it was opened with, for messages.
    package let path: String
    private let database: SQLiteDatabase

    /// Opens the store at `path`. With `create`, a missing file becomes a new store; without, it is an error
    /// (read commands never create a store).
    package init(path: String, create: Bool) throws(StoreError) {
        self.path = path
        if !create && path != ":memory:" && !FileManager.default.fileExists(atPath: path) {
            throw .notFound(path: path)
        }
        do {
            database = try SQLiteDatabase(path: path, mode: create ? .readWriteCreate : .readWrite)
        } catch {
            throw Self.storeError(error, path: path)
        }
        try prepare()
    }

    /// Maps a SQLite failure to what it means for the user.
    private static func storeError(_ error: SQLiteError, path: String) -> StoreError {
        switch error.code {
        case SQLITE_NOTADB: .notAStore(path: path, reason: "the file is not an SQLite database")
        case SQLITE_CORRUPT: .corrupt(path: path, detail: error.message)
        case SQLITE_BUSY, SQLITE_LOCKED: .busy(path: path)
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_FULL, SQLITE_IOERR:
            .cannotWrite(path: path, detail: error.message)
        default: .database(path: path, error: error)
        }
    }

    /// Runs `body`, turning SQLite failures into store errors.
    private func guarded<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as SQLiteError {
            throw Self.storeError(error, path: path)
        } catch {
            throw .database(path: path, error: SQLiteError(code: SQLITE_ERROR, message: "\(error)", sql: nil))
        }
    }

    // MARK: - Opening and migrations

    /// Checks that the file is a kfpm store of a schema we know, sets the connection up, and migrates it.
    private func prepare() throws(StoreError) {
        try guarded {
            let version = try database.pragmaInteger("user_version")
            let applicationID = try database.pragmaInteger("application_id")
            if applicationID != Migrations.applicationID {
                let tables = try database.prepare("SELECT count(*) FROM sqlite_master")
                _ = try tables.step()
                if tables.int(at: 0) > 0 || version != 0 {
                    throw StoreError.notAStore(
                        path: path, reason: "it is an SQLite database, but not one that kfpm created")
                }
            }
            if version > Migrations.latest {
                throw StoreError.newerSchema(path: path, found: Int(version), supported: Migrations.latest)
            }
            try database.execute("PRAGMA foreign_keys = ON")
            if version < Migrations.latest {
                try migrate(from: Int(version))
            }
            if try database.prepare("PRAGMA journal_mode").rows([], { $0.text(at: 0) }).first != "wal" {
                try database.execute("PRAGMA journal_mode = WAL")
            }
            try database.execute("PRAGMA synchronous = NORMAL")
        }
    }

    /// Applies the missing migrations, each with its version bump, in one transaction.
    private func migrate(from version: Int) throws {
        try database.writeTransaction {
            // Another process may have migrated while we waited for the lock.
            let current = Int(try database.pragmaInteger("user_version"))
            guard current < Migrations.latest else { return }
            for step in Migrations.steps[current...] {
                try database.execute(step)
            }
            try database.execute("PRAGMA application_id = \(Migrations.applicationID)")
            try database.execute("PRAGMA user_version = \(Migrations.latest)")
        }
    }

    // MARK: - Writing

    package func ingest(_ ingest: RunIngest, replace: Bool) throws(StoreError) -> IngestOutcome {
        try guarded {
            try database.writeTransaction { () throws -> IngestOutcome in
                let time = Self.milliseconds(ingest.time)
                let experimentID = try experimentID(named: ingest.experiment, creatingAt: time)
                let existing = try database.prepare("SELECT id FROM run WHERE experiment_id = ? AND name = ?")
                    .rows([.integer(experimentID), .text(ingest.run)]) { $0.int64(at: 0) }.first
                var previousCount = 0
                let runID: Int64
                if let existingID = existing {
                    let stored = try loadRun(id: existingID, experiment: ingest.experiment, name: ingest.run)
                    let differences = Self.differences(stored: stored, new: ingest)
                    if differences.isEmpty { return .unchanged(metricCount: stored.metrics.count) }
                    guard replace else {
                        throw StoreError.runConflict(
                            experiment: ingest.experiment, run: ingest.run, differences: differences)
                    }
                    previousCount = stored.metrics.count
                    for table in ["metric", "run_label", "run_source"] {
                        try database.prepare("DELETE FROM \(table) WHERE run_id = ?").run([.integer(existingID)])
                    }
                    try database.prepare("UPDATE run SET ingested_at = ? WHERE id = ?")
                        .run([.integer(time), .integer(existingID)])
                    runID = existingID
                } else {
                    try database.prepare(
                        "INSERT INTO run(experiment_id, name, created_at, ingested_at) VALUES (?, ?, ?, ?)"
                    ).run([.integer(experimentID), .text(ingest.run), .integer(time), .integer(time)])
                    runID = database.lastInsertRowID
                }
                try insertContent(of: ingest, runID: runID)
                return existing == nil
                    ? .created(metricCount: ingest.metrics.count)
                    : .replaced(metricCount: ingest.metrics.count, previousCount: previousCount)
            }
        }
    }

    /// The id of an experiment, created if missing.
    private func experimentID(named name: String, creatingAt time: Int64) throws -> Int64 {
        if let id = try database.prepare("SELECT id FROM experiment WHERE name = ?").rows([.text(name)], {
            $0.int64(at: 0)
        }).first {
            return id
        }
        try database.prepare("INSERT INTO experiment(name, created_at) VALUES (?, ?)").run([.text(name), .integer(time)])
        return database.lastInsertRowID
    }

    /// Inserts a run's labels, sources and metrics (names interned in `metric_name`).
    private func insertContent(of ingest: RunIngest, runID: Int64) throws {
        let label = try database.prepare("INSERT INTO run_label(run_id, key, value) VALUES (?, ?, ?)")
        for item in ingest.labels {
            try label.run([.integer(runID), .text(item.key), .text(item.value)])
        }
        let source = try database.prepare(
            "INSERT INTO run_source(run_id, position, path, input_format, step, metric_count) VALUES (?, ?, ?, ?, ?, ?)")
        for (position, item) in ingest.sources.enumerated() {
            try source.run([
                .integer(runID), .integer(Int64(position)), .text(item.path), .text(item.inputFormat.rawValue),
                .text(item.step), .integer(Int64(item.metricCount)),
            ])
        }
        let findName = try database.prepare("SELECT id FROM metric_name WHERE name = ?")
        let addName = try database.prepare("INSERT INTO metric_name(name) VALUES (?)")
        let metric = try database.prepare("INSERT INTO metric(run_id, name_id, value, format) VALUES (?, ?, ?, ?)")
        for item in ingest.metrics {
            var nameID = try findName.rows([.text(item.name)]) { $0.int64(at: 0) }.first
            if nameID == nil {
                try addName.run([.text(item.name)])
                nameID = database.lastInsertRowID
            }
            let value: SQLiteValue = item.value.isNaN ? .null : .real(item.value)
            try metric.run([.integer(runID), .integer(nameID ?? 0), value, .integer(Int64(item.format.rawValue))])
        }
    }

    /// What differs between a stored run and a new ingest of it, one line per difference; empty when the same.
    static func differences(stored: StoredRun, new: RunIngest) -> [String] {
        var lines: [String] = []
        let old = Dictionary(stored.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let fresh = Dictionary(new.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in Set(old.keys).union(fresh.keys).sorted() {
            switch (old[name], fresh[name]) {
            case (let a?, let b?) where !a.sameContent(as: b):
                let formats = a.format == b.format ? "" : " (format \(a.format.name) → \(b.format.name))"
                lines.append("\(name): \(ValueText.exact(a.value)) → \(ValueText.exact(b.value))\(formats)")
            case (let a?, nil): lines.append("\(name): \(ValueText.exact(a.value)) → (absent)")
            case (nil, let b?): lines.append("\(name): (absent) → \(ValueText.exact(b.value))")
            default: break
            }
        }
        let oldLabels = Dictionary(stored.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let newLabels = Dictionary(new.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        for key in Set(oldLabels.keys).union(newLabels.keys).sorted() where oldLabels[key] != newLabels[key] {
            lines.append("label \(key): \(oldLabels[key] ?? "(absent)") → \(newLabels[key] ?? "(absent)")")
        }
        return lines
    }

    // MARK: - Reading

    /// The id of an existing experiment, or `unknownExperiment` listing those that exist.
    private func existingExperimentID(_ experiment: String) throws -> Int64 {
        guard
            let id = try database.prepare(RunStatements.experimentID)
                .rows([.text(experiment)], { $0.int64(at: 0) }).first
        else {
            throw StoreError.unknownExperiment(name: experiment, known: try experimentNames())
        }
        return id
    }

    package func run(experiment: String, name: String) throws(StoreError) -> StoredRun {
        try guarded {
            let experimentID = try existingExperimentID(experiment)
            guard
                let runID = try database.prepare(RunStatements.runID)
                    .rows([.integer(experimentID), .text(name)], { $0.int64(at: 0) }).first
            else {
                let count = try database.prepare("SELECT count(*) FROM run WHERE experiment_id = ?")
                    .rows([.integer(experimentID)]) { $0.int(at: 0) }.first ?? 0
                let recent = try database.prepare(
                    "SELECT name FROM run WHERE experiment_id = ? ORDER BY created_at DESC, id DESC LIMIT 20"
                ).rows([.integer(experimentID)]) { $0.text(at: 0) }
                throw StoreError.unknownRun(experiment: experiment, run: name, known: recent, total: count)
            }
            return try loadRun(id: runID, experiment: experiment, name: name)
        }
    }

    /// The statements that read one run, named so that a test can check their query plans.
    package enum RunStatements {
        package static let times = "SELECT created_at, ingested_at FROM run WHERE id = ?"
        package static let labels = "SELECT key, value FROM run_label WHERE run_id = ? ORDER BY key"
        package static let sources =
            "SELECT path, input_format, step, metric_count FROM run_source WHERE run_id = ? ORDER BY position"
        package static let metrics = """
            SELECT n.name, m.value, m.format FROM metric m JOIN metric_name n ON n.id = m.name_id
            WHERE m.run_id = ? ORDER BY n.name
            """
        package static let experimentID = "SELECT id FROM experiment WHERE name = ?"
        package static let runID = "SELECT id FROM run WHERE experiment_id = ? AND name = ?"
        package static let all = [experimentID, runID, times, labels, sources, metrics]
    }

    /// Loads a run's labels, sources and metrics (sorted by name).
    private func loadRun(id: Int64, experiment: String, name: String) throws -> StoredRun {
        let times = try database.prepare(RunStatements.times)
            .rows([.integer(id)]) { ($0.int64(at: 0), $0.int64(at: 1)) }.first ?? (0, 0)
        let labels = try database.prepare(RunStatements.labels)
            .rows([.integer(id)]) { Label(key: $0.text(at: 0), value: $0.text(at: 1)) }
        let sources = try database.prepare(RunStatements.sources).rows([.integer(id)]) {
            MetricsSource(
                path: $0.text(at: 0), inputFormat: InputFormat(rawValue: $0.text(at: 1)) ?? .flat,
                step: $0.text(at: 2), metricCount: $0.int(at: 3))
        }
        let metrics = try database.prepare(RunStatements.metrics).rows([.integer(id)]) {
            Metric(
                name: $0.text(at: 0), value: $0.isNull(at: 1) ? .nan : $0.double(at: 1),
                format: MetricFormat(rawValue: $0.int(at: 2)) ?? .unspecified)
        }
        return StoredRun(
            experiment: experiment, name: name, labels: labels, metrics: metrics, sources: sources,
            createdAt: Self.date(times.0), ingestedAt: Self.date(times.1))
    }

    package func experimentNames() throws(StoreError) -> [String] {
        try guarded {
            try database.prepare("SELECT name FROM experiment ORDER BY name").rows([]) { $0.text(at: 0) }
        }
    }

    package func experimentSummaries() throws(StoreError) -> [ExperimentSummary] {
        try guarded {
            try database.prepare(
                """
                SELECT e.name, count(r.id), min(r.created_at), max(r.created_at)
                FROM experiment e LEFT JOIN run r ON r.experiment_id = e.id
                GROUP BY e.id ORDER BY e.name
                """
            ).rows([]) {
                ExperimentSummary(
                    name: $0.text(at: 0), runCount: $0.int(at: 1),
                    firstRun: $0.isNull(at: 2) ? nil : Self.date($0.int64(at: 2)),
                    latestRun: $0.isNull(at: 3) ? nil : Self.date($0.int64(at: 3)))
            }
        }
    }

    package func runs(_ query: RunQuery) throws(StoreError) -> RunPage {
        try guarded {
            let experimentID = try existingExperimentID(query.experiment)
            var filter = "r.experiment_id = ?"
            var values: [SQLiteValue] = [.integer(experimentID)]
            for label in query.labels {
                filter += " AND r.id IN (SELECT run_id FROM run_label WHERE key = ? AND value = ?)"
                values += [.text(label.key), .text(label.value)]
            }
            if let before = query.before {
                filter += " AND (r.created_at, r.id) < (SELECT created_at, id FROM run WHERE experiment_id = ? AND name = ?)"
                values += [.integer(experimentID), .text(before.name)]
            }
            let total = try database.prepare("SELECT count(*) FROM run r WHERE \(filter)").rows(values) { $0.int(at: 0) }
                .first ?? 0
            var sql: String
            var bound: [SQLiteValue]
            if let metric = query.sortMetric {
                // Runs without the metric (or with NaN) sort last either way.
                let order = query.ascending ? "ASC" : "DESC"
                sql = """
                    SELECT r.id, r.name FROM run r
                    LEFT JOIN metric m ON m.run_id = r.id
                        AND m.name_id = (SELECT id FROM metric_name WHERE name = ?)
                    WHERE \(filter)
                    ORDER BY m.value IS NULL, m.value \(order), r.created_at DESC, r.id DESC
                    """
                bound = [.text(metric)] + values
            } else {
                sql = "SELECT r.id, r.name FROM run r WHERE \(filter) ORDER BY r.created_at DESC, r.id DESC"
                bound = values
            }
            if let limit = query.limit {
                sql += " LIMIT ?"
                bound.append(.integer(Int64(limit)))
            }
            let selected = try database.prepare(sql).rows(bound) { ($0.int64(at: 0), $0.text(at: 1)) }
            let runs = try selected.map { try loadRun(id: $0.0, experiment: query.experiment, name: $0.1) }
            return RunPage(runs: runs, totalMatching: total)
        }
    }

    package func metricStatistics(experiment: String) throws(StoreError) -> [MetricStatistics] {
        try guarded {
            let experimentID = try existingExperimentID(experiment)
            /// Running aggregates of one metric over the experiment's rows.
            struct Accumulator {
                var count = 0
                var finiteCount = 0
                var sum = 0.0
                var min: (value: Double, run: Int64)?
                var max: (value: Double, run: Int64)?
                var latest: (created: Int64, run: Int64, value: Double, format: Int)?
            }
            var accumulators: [Int64: Accumulator] = [:]
            let rows = try database.prepare(
                """
                SELECT m.name_id, m.value, m.format, r.id, r.created_at
                FROM run r JOIN metric m ON m.run_id = r.id WHERE r.experiment_id = ?
                """)
            try rows.bind([.integer(experimentID)])
            while try rows.step() {
                let nameID = rows.int64(at: 0)
                let value = rows.isNull(at: 1) ? Double.nan : rows.double(at: 1)
                let runID = rows.int64(at: 3)
                let created = rows.int64(at: 4)
                var a = accumulators[nameID, default: Accumulator()]
                a.count += 1
                if value.isFinite {
                    a.finiteCount += 1
                    a.sum += value
                    if a.min.map({ value < $0.value }) ?? true { a.min = (value, runID) }
                    if a.max.map({ value > $0.value }) ?? true { a.max = (value, runID) }
                }
                if a.latest.map({ (created, runID) > ($0.created, $0.run) }) ?? true {
                    a.latest = (created, runID, value, rows.int(at: 2))
                }
                accumulators[nameID] = a
            }
            let names = Dictionary(
                uniqueKeysWithValues: try database.prepare(
                    "SELECT DISTINCT n.id, n.name FROM metric_name n JOIN metric m ON m.name_id = n.id JOIN run r ON r.id = m.run_id WHERE r.experiment_id = ?"
                ).rows([.integer(experimentID)]) { ($0.int64(at: 0), $0.text(at: 1)) })
            var runNames: [Int64: String] = [:]
            let runName = try database.prepare("SELECT name FROM run WHERE id = ?")
            func nameOfRun(_ id: Int64) throws -> String {
                if let known = runNames[id] { return known }
                let name = try runName.rows([.integer(id)]) { $0.text(at: 0) }.first ?? "?"
                runNames[id] = name
                return name
            }
            var result: [MetricStatistics] = []
            for (nameID, a) in accumulators {
                guard let latest = a.latest else { continue }
                result.append(
                    MetricStatistics(
                        name: names[nameID] ?? "?", format: MetricFormat(rawValue: latest.format) ?? .unspecified,
                        runCount: a.count, min: a.min?.value, minRun: try a.min.map { try nameOfRun($0.run) },
                        max: a.max?.value, maxRun: try a.max.map { try nameOfRun($0.run) },
                        mean: a.finiteCount > 0 ? a.sum / Double(a.finiteCount) : nil,
                        latest: latest.value, latestRun: try nameOfRun(latest.run)))
            }
            return result.sorted { ($1.runCount, $0.name) < ($0.runCount, $1.name) }
        }
    }

    /// A metric's values in an experiment, newest first: found through `metric_by_name`, not a scan.
    package static let historyStatement = """
        SELECT r.name, r.created_at, m.value, m.format FROM metric m JOIN run r ON r.id = m.run_id
        WHERE m.name_id = (SELECT id FROM metric_name WHERE name = ?) AND r.experiment_id = ?
        ORDER BY r.created_at DESC, r.id DESC
        """

    package func history(experiment: String, metric: String, limit: Int?) throws(StoreError) -> [HistoryPoint] {
        try guarded {
            let experimentID = try existingExperimentID(experiment)
            var sql = Self.historyStatement
            var values: [SQLiteValue] = [.text(metric), .integer(experimentID)]
            if let limit {
                sql += " LIMIT ?"
                values.append(.integer(Int64(limit)))
            }
            let points = try database.prepare(sql).rows(values) {
                HistoryPoint(
                    run: $0.text(at: 0), createdAt: Self.date($0.int64(at: 1)),
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

    // MARK: - Time

    /// Times are stored as integer milliseconds since 1970 (UTC).
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
