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

}
