import FoundationEssentials
import KFPModel

/// Writes runs inside one open write transaction, a batch at a time with a fixed number of statements per batch
/// (whatever its size): experiments and metric names looked up once and remembered, stored runs read and judged by
/// `RunContent`, new rows added with array parameters and the metric, parameter and series rows with COPY, and the
/// statistics behind `top` (`metric_stat`) gathered in memory and merged once at `finish()`. One ingest uses it for
/// a batch of one run; an import for a hundred thousand runs in batches. It also deletes and renames runs and
/// changes their labels.
///
/// The caller holds the locks that make it the only writer of the experiments it writes (`PostgresStore`).
final class PostgresRunWriter {
    private let connection: PostgresConnection
    /// Reads stored runs, for the re-ingest rule.
    private let loadRuns: ([RunHead], String) throws -> [StoredRun]
    /// Reads the series of stored runs by id, for the re-ingest rule when a stored run has any.
    private let loadSeries: ([Int64]) throws -> [Int64: [MetricSeries]]
    private var experimentIDs: [String: Int64] = [:]
    private var nameIDs: [String: Int64] = [:]
    /// Statistics of the rows written, by (experiment id, name id), to merge into `metric_stat`.
    private var statistics: [StatisticsKey: MetricAccumulator] = [:]
    /// Keys whose stored statistics must be recomputed (a run's metrics were replaced, or the run deleted).
    private var stale: Set<StatisticsKey> = []

    init(
        connection: PostgresConnection, loadRuns: @escaping ([RunHead], String) throws -> [StoredRun],
        loadSeries: @escaping ([Int64]) throws -> [Int64: [MetricSeries]]
    ) {
        self.connection = connection
        self.loadRuns = loadRuns
        self.loadSeries = loadSeries
    }

    // MARK: - Runs

    /// Writes runs (each new, unchanged, given labels it lacked, replaced, or refused as malformed or as a conflict,
    /// which throws) and returns what happened to each, in order. A run named twice is written twice, in order, as
    /// two ingests would.
    func write(_ runs: [RunIngest], replace: Bool) throws -> [IngestOutcome] {
        for run in runs { try RunContent.check(run) }
        var outcomes: [IngestOutcome] = []
        var part: [RunIngest] = []
        var names = Set<[String]>()
        for run in runs {
            if !names.insert([run.experiment, run.run]).inserted {
                outcomes += try writeDistinct(part, replace: replace)
                part = []
                names = [[run.experiment, run.run]]
            }
            part.append(run)
        }
        return outcomes + (try writeDistinct(part, replace: replace))
    }

    /// What to store of one run, once its fate is known.
    private struct Pending {
        var ingest: RunIngest
        /// The stored run's id when it is being replaced; nil for a new run.
        var runID: Int64?
        /// The stored run being replaced.
        var previous: StoredRun?
        var experimentID: Int64
        var created: Int64
    }

    /// Writes runs that are all distinct (experiment, name) pairs.
    private func writeDistinct(_ runs: [RunIngest], replace: Bool) throws -> [IngestOutcome] {
        guard !runs.isEmpty else { return [] }
        var outcomes: [IngestOutcome?] = Array(repeating: nil, count: runs.count)
        var pending: [Int: Pending] = [:]
        var addedLabels: [(runID: Int64, label: Label)] = []
        for (experiment, indices) in Dictionary(grouping: runs.indices, by: { runs[$0].experiment }) {
            let experimentID = try experimentID(experiment, creatingAt: StoreTime.milliseconds(runs[indices[0]].time))
            let rows = try connection.query(
                PostgresSQL.existingRuns, [.int64(experimentID), try .textArray(indices.map { runs[$0].run })])
            var heads: [String: RunHead] = [:]
            for row in rows {
                let head = try RunHead(row, from: 0)
                heads[head.name] = head
            }
            let existing = indices.compactMap { index in heads[runs[index].run].map { (index, $0) } }
            let stored = try loadRuns(existing.map(\.1), experiment)
            let storedSeries = try loadSeries(
                zip(existing, stored).filter { RunContent.needsStoredSeries($0.1) }.map(\.0.1.id))
            for ((index, head), storedRun) in zip(existing, stored) {
                let decision = try RunContent.decide(
                    stored: storedRun, storedSeries: storedSeries[head.id] ?? [], new: runs[index], replace: replace)
                switch decision {
                case .unchanged:
                    outcomes[index] = .unchanged(metricCount: storedRun.metrics.count)
                case .addLabels(let labels):
                    outcomes[index] = .labelsAdded(metricCount: storedRun.metrics.count, labels: labels)
                    addedLabels += labels.map { (head.id, $0) }
                case .replace:
                    outcomes[index] = .replaced(metricCount: runs[index].metrics.count, previousCount: storedRun.metrics.count)
                    pending[index] = Pending(
                        ingest: runs[index], runID: head.id, previous: storedRun, experimentID: experimentID,
                        created: head.createdAt)
                }
            }
            for index in indices where outcomes[index] == nil {
                let time = StoreTime.milliseconds(runs[index].time)
                outcomes[index] = .created(metricCount: runs[index].metrics.count)
                pending[index] = Pending(
                    ingest: runs[index], runID: nil, previous: nil, experimentID: experimentID,
                    created: runs[index].createdAt.map(StoreTime.milliseconds) ?? time)
            }
        }
        let toWrite = pending.sorted { $0.key < $1.key }.map(\.value)
        try resolveNames(Set(toWrite.flatMap { ($0.ingest.metrics + ($0.previous?.metrics ?? [])).map(\.name) }))
        try clearReplaced(toWrite.filter { $0.runID != nil })
        try insert(try addRuns(toWrite))
        try addLabels(addedLabels)
        return outcomes.map { $0 ?? .unchanged(metricCount: 0) }
    }

    /// Removes the labels, sources, metrics, parameters and series of runs about to be replaced, moves their ingest
    /// time, sets what they will have, and marks the statistics of every name they had or will have for recomputing.
    private func clearReplaced(_ replaced: [Pending]) throws {
        guard !replaced.isEmpty else { return }
        let ids = PGValue.integerArray(replaced.compactMap(\.runID))
        for statement in [
            PostgresSQL.deleteMetrics, PostgresSQL.deleteParams, PostgresSQL.deleteSeries, PostgresSQL.deleteLabels,
            PostgresSQL.deleteSources,
        ] {
            try connection.run(statement, [ids])
        }
        try connection.run(
            PostgresSQL.touchRuns,
            [
                ids, .integerArray(replaced.map { StoreTime.milliseconds($0.ingest.time) }),
                .integerArray(replaced.map { RunExtras($0.ingest).rawValue }),
            ])
        for run in replaced {
            for metric in (run.previous?.metrics ?? []) + run.ingest.metrics {
                stale.insert(StatisticsKey(experimentID: run.experimentID, nameID: nameIDs[metric.name] ?? 0))
            }
        }
    }

    /// Adds the new runs among `pending` in their order (so that their ids follow it) and returns every pending run
    /// with its id.
    private func addRuns(_ pending: [Pending]) throws -> [(run: Pending, id: Int64)] {
        let new = pending.filter { $0.runID == nil }
        var ids: [[String]: Int64] = [:]
        if !new.isEmpty {
            let rows = try connection.query(
                PostgresSQL.addRuns,
                [
                    .integerArray(new.map(\.experimentID)), try .textArray(new.map(\.ingest.run)),
                    .integerArray(new.map(\.created)), .integerArray(new.map { StoreTime.milliseconds($0.ingest.time) }),
                    .integerArray(new.map { RunExtras($0.ingest).rawValue }),
                ])
            for row in rows { ids[[row.text(1) ?? "", row.text(2) ?? ""]] = try row.int64(0) }
        }
        return try pending.map { run in
            if let id = run.runID { return (run, id) }
            guard let id = ids[[String(run.experimentID), run.ingest.run]] else {
                throw PostgresError(kind: .misuse, message: "the new run '\(run.ingest.run)' got no id")
            }
            return (run, id)
        }
    }

    /// Adds labels to runs: (run id, label) pairs.
    private func addLabels(_ labels: [(runID: Int64, label: Label)]) throws {
        guard !labels.isEmpty else { return }
        try connection.run(
            PostgresSQL.addLabels,
            [
                .integerArray(labels.map(\.runID)), try .textArray(labels.map(\.label.key)),
                try .textArray(labels.map(\.label.value)),
            ])
    }

    /// Inserts the labels, sources, metrics, parameters and series of runs with their ids, and counts new runs into
    /// the statistics.
    private func insert(_ runs: [(run: Pending, id: Int64)]) throws {
        try addLabels(runs.flatMap { run in run.run.ingest.labels.map { (run.id, $0) } })
        let sources = runs.flatMap { run in run.run.ingest.sources.enumerated().map { (run.id, Int64($0.offset), $0.element) } }
        if !sources.isEmpty {
            try connection.run(
                PostgresSQL.addSources,
                [
                    .integerArray(sources.map(\.0)), .integerArray(sources.map(\.1)), try .textArray(sources.map(\.2.path)),
                    try .textArray(sources.map(\.2.inputFormat.rawValue)), try .textArray(sources.map(\.2.step)),
                    .integerArray(sources.map { Int64($0.2.metricCount) }),
                ])
        }
        if runs.contains(where: { !$0.run.ingest.params.isEmpty }) {
            try connection.copyIn(PostgresSQL.copyParams) { writer in
                for (run, id) in runs {
                    for param in run.ingest.params {
                        writer.append(id)
                        try writer.append(param.key)
                        try writer.append(param.value)
                        try writer.endRow()
                    }
                }
            }
        }
        if runs.contains(where: { !$0.run.ingest.series.isEmpty }) {
            try connection.copyIn(PostgresSQL.copySeries) { writer in
                for (run, id) in runs {
                    // Each series is of one of the run's metrics (`RunContent.check`), whose name has an id by now.
                    for series in run.ingest.series {
                        writer.append(id)
                        writer.append(nameIDs[series.metric] ?? 0)
                        writer.append(Int64(series.points.count))
                        writer.append(bytes: SeriesCodec.encode(series.points))
                        try writer.endRow()
                    }
                }
            }
        }
        guard runs.contains(where: { !$0.run.ingest.metrics.isEmpty }) else { return }
        try connection.copyIn(PostgresSQL.copyMetrics) { writer in
            for (run, id) in runs {
                // In name-id order, so that the primary key (run_id, name_id) only ever grows: PostgreSQL then adds
                // each key at the right edge of its index without searching for its place.
                let metrics = run.ingest.metrics.map { (nameID: nameIDs[$0.name] ?? 0, metric: $0) }.sorted { $0.nameID < $1.nameID }
                for (nameID, metric) in metrics {
                    writer.append(id)
                    writer.append(nameID)
                    writer.append(metric.value)
                    writer.append(Int64(metric.format.rawValue))
                    try writer.endRow()
                    // A replaced run's keys are all stale: recomputed from the rows at the end.
                    if run.runID == nil {
                        statistics[StatisticsKey(experimentID: run.experimentID, nameID: nameID), default: MetricAccumulator()]
                            .add(value: metric.value, format: metric.format.rawValue, run: id, created: run.created)
                    }
                }
            }
        }
    }

    // MARK: - Managing runs

    /// Deletes runs of one experiment with every row they have, and marks the statistics of every metric they had for
    /// recomputing at `finish()`. Returns how many metric rows went.
    func delete(runIDs: [Int64], experimentID: Int64) throws -> Int {
        guard !runIDs.isEmpty else { return 0 }
        let ids = PGValue.integerArray(runIDs)
        // `metric`, `run_param` and `metric_series` have no foreign key to cascade through; labels and sources do.
        let removed = try connection.query(PostgresSQL.deleteMetrics, [ids])
        for row in removed { stale.insert(StatisticsKey(experimentID: experimentID, nameID: try row.int64(0) ?? 0)) }
        try connection.run(PostgresSQL.deleteParams, [ids])
        try connection.run(PostgresSQL.deleteSeries, [ids])
        try connection.run(PostgresSQL.deleteRuns, [ids])
        return removed.count
    }

    /// Gives a run a new name (checked to be free by the caller).
    func rename(runID: Int64, to name: String) throws {
        try connection.run(PostgresSQL.renameRun, [.int64(runID), .text(name)])
    }

    /// Removes the label keys `remove` from runs, then sets the labels `set` on them (a key given twice: its last
    /// value), as the SQLite store does one run at a time.
    func changeLabels(runIDs: [Int64], set: [Label], remove: [String]) throws {
        guard !runIDs.isEmpty else { return }
        let ids = PGValue.integerArray(runIDs)
        if !remove.isEmpty { try connection.run(PostgresSQL.removeLabels, [ids, try .textArray(remove)]) }
        var last: [String: String] = [:]
        for label in set { last[label.key] = label.value }
        guard !last.isEmpty else { return }
        let keys = last.keys.sorted()
        try connection.run(PostgresSQL.setLabels, [ids, try .textArray(keys), try .textArray(keys.map { last[$0] ?? "" })])
    }

    // MARK: - Experiments and names

    /// The id of an experiment, added when missing.
    private func experimentID(_ name: String, creatingAt time: Int64) throws -> Int64 {
        if let id = experimentIDs[name] { return id }
        var id = try connection.query(PostgresSQL.experimentID, [.text(name)]).first?.int64(0)
        if id == nil { id = try connection.query(PostgresSQL.addExperiment, [.text(name), .int64(time)]).first?.int64(0) }
        guard let id else { throw PostgresError(kind: .misuse, message: "the experiment '\(name)' got no id") }
        experimentIDs[name] = id
        return id
    }

    /// Finds the ids of metric names, adding the missing ones in byte order (so that concurrent writers of other
    /// experiments adding the same names wait for each other in one order, never in a cycle).
    private func resolveNames(_ names: Set<String>) throws {
        let unknown = names.filter { nameIDs[$0] == nil }
        guard !unknown.isEmpty else { return }
        func remember(_ rows: PostgresRows) throws {
            for row in rows { nameIDs[row.text(0) ?? ""] = try row.int64(1) }
        }
        try remember(try connection.query(PostgresSQL.metricNameIDs, [try .textArray(unknown)]))
        let missing = unknown.filter { nameIDs[$0] == nil }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !missing.isEmpty else { return }
        try remember(try connection.query(PostgresSQL.addMetricNames, [try .textArray(missing)]))
        // Names another writer added (and committed) while this one waited were skipped: read their ids.
        let skipped = missing.filter { nameIDs[$0] == nil }
        if !skipped.isEmpty { try remember(try connection.query(PostgresSQL.metricNameIDs, [try .textArray(skipped)])) }
    }

    // MARK: - Statistics

    /// Writes the statistics gathered, recomputing the stale rows from the stored values; call once, before the
    /// transaction commits.
    func finish() throws {
        var rows = statistics.filter { !stale.contains($0.key) }
        if !stale.isEmpty {
            let keys = stale.sorted { ($0.experimentID, $0.nameID) < ($1.experimentID, $1.nameID) }
            let arrays: [PGValue] = [.integerArray(keys.map(\.experimentID)), .integerArray(keys.map(\.nameID))]
            try connection.run(PostgresSQL.deleteStatistics, arrays)
            for row in try connection.query(PostgresSQL.statisticsRows, arrays) {
                let key = StatisticsKey(experimentID: try row.int64(0) ?? 0, nameID: try row.int64(1) ?? 0)
                rows[key, default: MetricAccumulator()].add(
                    value: try row.double(4) ?? .nan, format: Int(try row.int64(5) ?? 0), run: try row.int64(2) ?? 0,
                    created: try row.int64(3) ?? 0)
            }
        }
        let merged = rows.filter { $0.value.count > 0 }.sorted {
            ($0.key.experimentID, $0.key.nameID) < ($1.key.experimentID, $1.key.nameID)
        }
        guard !merged.isEmpty else { return }
        let values = merged.map(\.value)
        try connection.run(
            PostgresSQL.mergeStatistics,
            [
                .integerArray(merged.map(\.key.experimentID)), .integerArray(merged.map(\.key.nameID)),
                .integerArray(values.map { Int64($0.count) }), .integerArray(values.map { Int64($0.finiteCount) }),
                .doubleArray(values.map { Optional($0.sum) }), .doubleArray(values.map { $0.min?.value }),
                .integerArray(values.map { $0.min?.run }), .doubleArray(values.map { $0.max?.value }),
                .integerArray(values.map { $0.max?.run }), .integerArray(values.map { $0.latest?.created ?? 0 }),
                .integerArray(values.map { $0.latest?.run ?? 0 }), .doubleArray(values.map { Optional($0.latest?.value ?? .nan) }),
                .integerArray(values.map { Int64($0.latest?.format ?? 0) }),
            ])
    }
}
