import CSQLite
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only connection to an MLflow SQLite store: opened with `SQLITE_OPEN_READONLY`, so the file is never
/// written whatever happens, and only the few queries the importer runs. Not kfpm's store wrapper (that lives in
/// KFPStore, behind the store interface): an MLflow database is an input, read like a metrics file.
final class MLflowDatabase {
    private var handle: OpaquePointer?
    let path: String

    /// A failure of SQLite, in its words.
    struct Failure: Error {
        var message: String
    }

    /// Opens `path` read-only; a writer holding the database locked is waited for up to 10 s.
    init(path: String) throws(Failure) {
        self.path = path
        let status = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            handle = nil
            throw Failure(message: message)
        }
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs statements without results (`BEGIN`, `COMMIT`).
    func execute(_ sql: String) throws(Failure) {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw failure() }
    }

    /// Compiles a query.
    func query(_ sql: String) throws(Failure) -> Query {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else { throw failure() }
        return Query(statement: statement, database: self)
    }

    fileprivate func failure() -> Failure { Failure(message: String(cString: sqlite3_errmsg(handle))) }

    /// One compiled query: bind a text parameter, then step through the rows reading typed columns.
    final class Query {
        private let statement: OpaquePointer
        private let database: MLflowDatabase

        fileprivate init(statement: OpaquePointer, database: MLflowDatabase) {
            self.statement = statement
            self.database = database
        }

        deinit { sqlite3_finalize(statement) }

        /// Resets the query with its one parameter (a run id), or none.
        func reset(_ text: String? = nil) {
            sqlite3_reset(statement)
            if let text {
                var copy = text
                _ = copy.withUTF8 { buffer in
                    buffer.withMemoryRebound(to: CChar.self) {
                        csqlite_bind_text_transient(statement, 1, $0.baseAddress, Int32($0.count))
                    }
                }
            }
        }

        /// The next row; false at the end.
        func next() throws(Failure) -> Bool {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw database.failure()
            }
        }

        func text(_ column: Int32) -> String {
            guard let pointer = sqlite3_column_text(statement, column) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(statement, column))), as: UTF8.self)
        }

        /// Whether a text column holds exactly these bytes (no String made: for a column that repeats row by row).
        func text(_ column: Int32, equals bytes: [UInt8]) -> Bool {
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count == bytes.count else { return false }
            guard count > 0, let pointer = sqlite3_column_text(statement, column) else { return count == 0 }
            return bytes.withUnsafeBytes { raw in raw.baseAddress.map { memcmp($0, pointer, count) == 0 } ?? false }
        }

        func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
        func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    }
}
