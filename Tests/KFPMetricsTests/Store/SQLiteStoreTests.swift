import CSQLite
import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// What only the SQLite backend has: its schema settings, its file, and refusing files it must not touch.
struct SQLiteStoreTests {
    private let time = Date(timeIntervalSince1970: 1_800_000_000)

    private let metrics = [
        Metric(name: "accuracy", value: 0.1 + 0.2, format: .percentage),
        Metric(name: "loss", value: .leastNonzeroMagnitude, format: .raw),
        Metric(name: "zero", value: -0.0, format: .unspecified),  // stored as 0: SQLite keeps no sign of zero
    ]

    @Test func schemaHasWALForeignKeysAndVersion() throws {
        try withTemporaryFolder { folder in
            _ = try SQLiteStore(path: folder.file("s.db"), access: .write)
            let db = try SQLiteDatabase(path: folder.file("s.db"), mode: .readWrite)
            #expect(try db.pragmaInteger("user_version") == Int64(SQLiteMigrations.latest))
            #expect(try db.pragmaInteger("application_id") == SQLiteMigrations.applicationID)
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
    }

    @Test func readCommandsNeverCreateAStore() throws {
        try withTemporaryFolder { folder in
            #expect(throws: StoreError.self) { try SQLiteStore(path: folder.file("none.db"), access: .read) }
            #expect(!FileManager.default.fileExists(atPath: folder.file("none.db")))
        }
    }

    @Test func aNewerStoreIsRefusedAndLeftByteForByte() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("s.db")
            _ = try store(at: path)
            let db = try SQLiteDatabase(path: path, mode: .readWrite)
            try db.execute("PRAGMA user_version = \(SQLiteMigrations.latest + 1)")
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect {
                try SQLiteStore(path: path, access: .write)
            } throws: { error in
                guard case StoreError.newerSchema(_, let found, _) = error else { return false }
                return found == SQLiteMigrations.latest + 1
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    private func store(at path: String) throws -> SQLiteStore {
        let store = try SQLiteStore(path: path, access: .write)
        _ = try store.ingest(Build.ingest("r", metrics), replace: false)
        return store
    }

    @Test func filesThatAreNotKfpmStoresAreRefused() throws {
        try withTemporaryFolder { folder in
            let text = folder.file("text.db")
            try Data("hello, this is not a database at all, not even close to one............".utf8)
                .write(to: URL(fileURLWithPath: text))
            #expect {
                try SQLiteStore(path: text, access: .write)
            } throws: { error in
                "\(error)".contains("not an SQLite database")
            }
            let other = folder.file("other.db")
            let db = try SQLiteDatabase(path: other, mode: .readWriteCreate)
            try db.execute("CREATE TABLE t(x)")
            #expect {
                try SQLiteStore(path: other, access: .write)
            } throws: { error in
                "\(error)".contains("not one that kfpm created")
            }
        }
    }

    /// An import into a store without metrics drops `metric_by_value` and builds it after its rows, in its transaction:
    /// the index is there, holding every row, after the import, and still there after an import that failed.
    @Test func theValueIndexIsBuiltAfterAnImportIntoAnEmptyStoreAndSurvivesOneThatFails() throws {
        try withTemporaryFolder { folder in
            let store = try SQLiteStore(path: folder.file("s.db"), access: .write)
            func indexes() throws -> [String] {
                try store.database.prepare(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metric' AND sql IS NOT NULL"
                ).rows([]) { $0.text(at: 0) }
            }
            #expect(try indexes() == ["metric_by_value"])
            var batches: [ImportBatch] = [.runs([Build.ingest("a", value: 1, experiment: "e")]), .abort]
            #expect(throws: StoreError.self) { try store.importRuns(replace: false) { batches.removeFirst() } }
            #expect(try indexes() == ["metric_by_value"])
            batches = [.runs((0..<50).map { Build.ingest("r\($0)", value: Double($0), experiment: "e") }), .end]
            _ = try store.importRuns(replace: false) { batches.removeFirst() }
            #expect(try indexes() == ["metric_by_value"])
            let indexed = try store.database.prepare("SELECT count(*) FROM metric INDEXED BY metric_by_value WHERE name_id > 0")
                .rows([]) { $0.int(at: 0) }
            #expect(indexed == [50])
        }
    }

    /// The budget: at most 32 bytes of store file per series point (measured: about 14, the unique index and page slack included). 100 runs of 10
    /// metrics logged over 100 steps a second apart, the shape of the MLflow benchmark, against the same runs
    /// without series.
    @Test func seriesTakeAtMost32BytesPerPointOnDisk() throws {
        try withTemporaryFolder { folder in
            var random: UInt64 = 1
            func runs(withSeries: Bool) -> [RunIngest] {
                (0..<100).map { r in
                    let metrics = (0..<10).map { Metric(name: "m\($0)", value: 0.5, format: .raw) }
                    let series = metrics.map { metric in
                        MetricSeries(
                            metric: metric.name,
                            points: (0..<100).map { step in
                                random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                                return SeriesPoint(
                                    step: Int64(step), value: Double(random >> 11) / Double(1 << 53),
                                    timestamp: 1_735_689_600_000 + Int64(r * 100_000 + step * 1000))
                            })
                    }
                    return RunIngest(
                        experiment: "e", run: "run-\(r)", labels: [], metrics: metrics, sources: [], time: time,
                        series: withSeries ? series : [])
                }
            }
            var sizes: [Int] = []
            for withSeries in [false, true] {
                let path = folder.file(withSeries ? "series.db" : "plain.db")
                let store = try SQLiteStore(path: path, access: .write)
                var batches: [ImportBatch] = [.runs(runs(withSeries: withSeries)), .end]
                _ = try store.importRuns(replace: false) { batches.removeFirst() }
                try store.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                sizes.append(try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
            }
            let perPoint = Double(sizes[1] - sizes[0]) / 100_000
            #expect(perPoint <= 32, "\(perPoint) bytes per point")
            #expect(perPoint >= 9, "\(perPoint) bytes per point: the values alone take 8")
        }
    }
}
