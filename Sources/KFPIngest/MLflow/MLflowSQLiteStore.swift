import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// MLflow's SQLite store (`mlflow.db`), read-only: `experiments`, `runs`, `params`, `tags`, `metrics` (every point;
/// NaN stored as 0 with `is_nan`, ±infinity as ±1.7976931348623157e308, as MLflow's own client returns them) and
/// `latest_metrics` (MLflow's latest value per metric). Histories are listed as MLflow lists them: by timestamp,
/// step, then value (the table keeps no logging order; an exactly repeated point is one row).
final class MLflowSQLiteStore {
    private let database: MLflowDatabase
    private let params: MLflowDatabase.Query
    private let tags: MLflowDatabase.Query
    private let metrics: MLflowDatabase.Query
    private let latest: MLflowDatabase.Query

    /// The first bytes of every SQLite database.
    static let magic = Array("SQLite format 3\u{0}".utf8)

    /// The tables the importer reads.
    static let tables = ["experiments", "runs", "params", "tags", "metrics", "latest_metrics"]

    /// Whether the file at `path` is an SQLite database (by its header).
    static func isSQLite(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: magic.count)
        return pread(descriptor, &header, header.count, 0) == header.count && header == magic
    }

    /// Opens the store read-only and checks that it has MLflow's tables.
    init(path: String) throws(MLflowDatabase.Failure) {
        database = try MLflowDatabase(path: path)
        let found = try database.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        var names = Set<String>()
        while try found.next() { names.insert(found.text(0)) }
        if let missing = Self.tables.first(where: { !names.contains($0) }) {
            let kfpm = names.contains("metric_stat") ? " (it is a kfpm store)" : ""
            throw MLflowDatabase.Failure(message: "not an MLflow tracking store: it has no table '\(missing)'\(kfpm)")
        }
        params = try database.query("SELECT key, value FROM params WHERE run_uuid = ?")
        tags = try database.query("SELECT key, value FROM tags WHERE run_uuid = ?")
        metrics = try database.query(
            "SELECT key, step, timestamp, value, is_nan FROM metrics WHERE run_uuid = ? ORDER BY key, timestamp, step, value, is_nan")
        latest = try database.query("SELECT key, step, timestamp, value, is_nan FROM latest_metrics WHERE run_uuid = ?")
    }

    /// Every run, with its experiment's name, and how many deleted runs and experiments were left out.
    func list(includeDeleted: Bool) throws(MLflowDatabase.Failure) -> (entries: [MLflowRun.Entry], skippedRuns: Int, skippedExperiments: Int) {
        try database.execute("BEGIN")
        defer { try? database.execute("COMMIT") }
        var experiments: [Int64: (name: String, deleted: Bool)] = [:]
        let listExperiments = try database.query("SELECT experiment_id, name, lifecycle_stage FROM experiments")
        while try listExperiments.next() {
            experiments[listExperiments.int64(0)] = (listExperiments.text(1), listExperiments.text(2) == "deleted")
        }
        var entries: [MLflowRun.Entry] = []
        var skippedRuns = 0
        let runs = try database.query(
            "SELECT run_uuid, name, start_time, lifecycle_stage, experiment_id FROM runs")
        var missingNames: [Int] = []
        while try runs.next() {
            guard let experiment = experiments[runs.int64(4)] else { continue }
            let runID = runs.text(0)
            let deleted = experiment.deleted || runs.text(3) == "deleted"
            if deleted && !includeDeleted {
                skippedRuns += 1
                continue
            }
            if runs.isNull(1) || runs.text(1).isEmpty { missingNames.append(entries.count) }
            entries.append(
                MLflowRun.Entry(
                    experiment: experiment.name, runID: runID, name: runs.text(1),
                    startTime: runs.isNull(2) ? nil : runs.int64(2), deleted: deleted, location: "\(database.path):\(runID)"))
        }
        // A run made before MLflow kept names in `runs.name` has its name in the `mlflow.runName` tag only.
        let runName = try database.query("SELECT value FROM tags WHERE run_uuid = ? AND key = 'mlflow.runName'")
        for index in missingNames {
            runName.reset(entries[index].runID)
            if try runName.next() { entries[index].name = runName.text(0) }
        }
        let skippedExperiments = includeDeleted ? 0 : experiments.values.count(where: \.deleted)
        return (entries, skippedRuns, skippedExperiments)
    }

    /// Starts a read of a batch of runs in one snapshot (`finishBatch` ends it), so that a run is read whole
    /// while MLflow keeps logging between batches.
    func startBatch() throws(MLflowDatabase.Failure) { try database.execute("BEGIN") }

    func finishBatch() { try? database.execute("COMMIT") }

    /// A listed run's params, tags and metric histories with MLflow's latest values.
    func read(_ entry: MLflowRun.Entry, storedName: String) throws(MLflowDatabase.Failure) -> MLflowRun {
        var run = MLflowRun(entry: entry, storedName: storedName)
        params.reset(entry.runID)
        while try params.next() { run.params.append((params.text(0), params.text(1))) }
        run.params.sort { $0.key < $1.key }
        tags.reset(entry.runID)
        while try tags.next() { run.tags.append((tags.text(0), tags.text(1))) }
        run.tags.sort { $0.key < $1.key }
        var latestPoints: [String: SeriesPoint] = [:]
        latest.reset(entry.runID)
        while try latest.next() { latestPoints[latest.text(0)] = point(latest) }
        metrics.reset(entry.runID)
        var current: MLflowRun.History?
        var currentKey: [UInt8] = []
        while try metrics.next() {
            // Rows come by key: a key is made into a String once, not once a point.
            if current == nil || !metrics.text(0, equals: currentKey) {
                if let done = current { run.histories.append(done) }
                let key = metrics.text(0)
                currentKey = Array(key.utf8)
                current = MLflowRun.History(key: key, points: [], latest: latestPoints[key])
            }
            current?.points.append(point(metrics))
        }
        if let done = current { run.histories.append(done) }
        return run
    }

    /// A point from a row of `key, step, timestamp, value, is_nan`.
    private func point(_ row: MLflowDatabase.Query) -> SeriesPoint {
        SeriesPoint(step: row.int64(1), value: row.int64(4) != 0 ? .nan : row.double(3), timestamp: row.isNull(2) ? nil : row.int64(2))
    }
}
