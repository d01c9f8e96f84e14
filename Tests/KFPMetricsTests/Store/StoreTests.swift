import CSQLite
import Foundation
import KFPMTestSupport
import Testing

@testable import KFPMetrics

/// The SQLite store: schema rules, atomic and idempotent ingest, refusing what it must not touch.
struct StoreTests {
    private let time = Date(timeIntervalSince1970: 1_800_000_000)

    private func ingest(_ run: String, _ metrics: [Metric], labels: [Label] = [], experiment: String = "Default")
        -> RunIngest
    {
        RunIngest(
            experiment: experiment, run: run, labels: labels, metrics: metrics,
            sources: [MetricsSource(path: "m.json", inputFormat: .kfpV1, step: "", metricCount: metrics.count)],
            time: time)
    }

    private let metrics = [
        Metric(name: "accuracy", value: 0.1 + 0.2, format: .percentage),
        Metric(name: "loss", value: 5e-324, format: .raw),
        Metric(name: "zero", value: -0.0, format: .unspecified),  // stored as 0: SQLite keeps no sign of zero
    ]

    @Test func storesAndReadsBackExactly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteMetricsStore(path: folder.file("s.db"), create: true)
        #expect(try store.ingest(ingest("r1", metrics, labels: [Label(key: "branch", value: "main")]), replace: false)
            == .created(metricCount: 3))
        let run = try store.run(experiment: "Default", name: "r1")
        #expect(run.metrics.count == 3)
        for (stored, original) in zip(run.metrics, metrics) {
            #expect(stored.sameContent(as: original), "\(stored) vs \(original)")
        }
        #expect(run.labels == [Label(key: "branch", value: "main")])
        #expect(run.sources.first?.inputFormat == .kfpV1)
        #expect(run.createdAt == time)
    }

    @Test func nonFiniteValuesRoundTrip() throws {
        let store = try SQLiteMetricsStore(path: ":memory:", create: true)
        let odd = [
            Metric(name: "a", value: .nan, format: .raw), Metric(name: "b", value: .infinity, format: .raw),
            Metric(name: "c", value: -.infinity, format: .raw),
        ]
        _ = try store.ingest(ingest("r", odd), replace: false)
        let values = try store.run(experiment: "Default", name: "r").metrics.map(\.value)
        #expect(values[0].isNaN && values[1] == .infinity && values[2] == -.infinity)
    }

    @Test func sameContentIsUnchangedDifferentIsRefusedUnlessReplace() throws {
        let store = try SQLiteMetricsStore(path: ":memory:", create: true)
        _ = try store.ingest(ingest("r", metrics), replace: false)
        #expect(try store.ingest(ingest("r", metrics), replace: false) == .unchanged(metricCount: 3))

        let changed = [Metric(name: "accuracy", value: 0.3, format: .percentage), metrics[1]]
        #expect {
            try store.ingest(ingest("r", changed), replace: false)
        } throws: { error in
            guard case StoreError.runConflict(_, _, let differences) = error else { return false }
            return differences == ["accuracy: 0.30000000000000004 → 0.3", "zero: 0.0 → (absent)"]
        }
        #expect(try store.run(experiment: "Default", name: "r").metrics.count == 3)
        #expect(try store.ingest(ingest("r", changed), replace: true) == .replaced(metricCount: 2, previousCount: 3))
        #expect(try store.run(experiment: "Default", name: "r").metrics.map(\.value) == [0.3, 5e-324])
    }

    @Test func aFailedIngestStoresNothing() throws {
        let store = try SQLiteMetricsStore(path: ":memory:", create: true)
        // Two metrics with one name break the primary key half-way through the inserts.
        let broken = ingest("r", [metrics[0], metrics[1], metrics[0]], experiment: "New")
        #expect(throws: StoreError.self) { try store.ingest(broken, replace: false) }
        #expect(try store.experimentNames().isEmpty)
    }

    @Test func sameRunNameInTwoExperimentsIsTwoRuns() throws {
        let store = try SQLiteMetricsStore(path: ":memory:", create: true)
        _ = try store.ingest(ingest("r", metrics, experiment: "a"), replace: false)
        _ = try store.ingest(ingest("r", [metrics[0]], experiment: "b"), replace: false)
        #expect(try store.experimentNames() == ["a", "b"])
        #expect(try store.run(experiment: "b", name: "r").metrics.count == 1)
    }

    @Test func unknownRunsAndExperimentsListWhatExists() throws {
        let store = try SQLiteMetricsStore(path: ":memory:", create: true)
        _ = try store.ingest(ingest("r1", metrics), replace: false)
        #expect(throws: StoreError.self) { try store.run(experiment: "Default", name: "r2") }
        do {
            _ = try store.run(experiment: "Default", name: "r2")
        } catch {
            #expect(error.description.contains("its runs: r1"))
        }
        do {
            _ = try store.run(experiment: "nope", name: "r1")
        } catch {
            #expect(error.description.contains("experiments: Default"))
        }
    }

    @Test func schemaHasWALForeignKeysAndVersion() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        _ = try SQLiteMetricsStore(path: folder.file("s.db"), create: true)
        let db = try SQLiteDatabase(path: folder.file("s.db"), mode: .readWrite)
        #expect(try db.pragmaInteger("user_version") == Int64(Migrations.latest))
        #expect(try db.pragmaInteger("application_id") == Migrations.applicationID)
        #expect(try db.prepare("PRAGMA journal_mode").rows([]) { $0.text(at: 0) } == ["wal"])
        // Foreign keys hold in SQL: a metric of no run is refused.
        try db.execute("PRAGMA foreign_keys = ON")
        #expect(throws: SQLiteError.self) {
            try db.execute("INSERT INTO metric(run_id, name_id, value, format) VALUES (99, 99, 1, 1)")
        }
        #expect(throws: SQLiteError.self) {
            try db.execute("INSERT INTO experiment(name, created_at) VALUES (NULL, 0)")
        }
    }

    @Test func readCommandsNeverCreateAStore() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(throws: StoreError.self) { try SQLiteMetricsStore(path: folder.file("none.db"), create: false) }
        #expect(!FileManager.default.fileExists(atPath: folder.file("none.db")))
    }

    @Test func aNewerStoreIsRefusedAndLeftByteForByte() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("s.db")
        _ = try store(at: path)
        let db = try SQLiteDatabase(path: path, mode: .readWrite)
        try db.execute("PRAGMA user_version = \(Migrations.latest + 1)")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            try SQLiteMetricsStore(path: path, create: true)
        } throws: { error in
            guard case StoreError.newerSchema(_, let found, _) = error else { return false }
            return found == Migrations.latest + 1
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    private func store(at path: String) throws -> SQLiteMetricsStore {
        let store = try SQLiteMetricsStore(path: path, create: true)
        _ = try store.ingest(ingest("r", metrics), replace: false)
        return store
    }

    @Test func filesThatAreNotKfpmStoresAreRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let text = folder.file("text.db")
        try Data("hello, this is not a database at all, not even close to one............".utf8)
            .write(to: URL(fileURLWithPath: text))
        #expect {
            try SQLiteMetricsStore(path: text, create: true)
        } throws: { error in
            "\(error)".contains("not an SQLite database")
        }
        let other = folder.file("other.db")
        let db = try SQLiteDatabase(path: other, mode: .readWriteCreate)
        try db.execute("CREATE TABLE t(x)")
        #expect {
            try SQLiteMetricsStore(path: other, create: true)
        } throws: { error in
            "\(error)".contains("not one that kfpm created")
        }
    }

    @Test func everyStatementBindsItsValues() throws {
        // A name full of SQL is stored as text, not run.
        let store = try SQLiteMetricsStore(path: ":memory:", create: true)
        let hostile = "x'); DROP TABLE metric; --"
        _ = try store.ingest(ingest(hostile, [Metric(name: hostile, value: 1, format: .raw)]), replace: false)
        #expect(try store.run(experiment: "Default", name: hostile).metrics.first?.name == hostile)
    }
}
