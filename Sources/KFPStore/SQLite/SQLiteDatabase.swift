import CSQLite
import FoundationEssentials

// MARK: - Errors

/// A failure reported by SQLite, with the statement it came from.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// SQLite's primary result code (`SQLITE_BUSY`, `SQLITE_NOTADB`, …).
    var code: Int32
    var message: String
    var sql: String?

    var description: String {
        sql.map { "\(message) (in: \($0))" } ?? message
    }

    /// True for a store another process holds locked past the busy timeout.
    var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// True when the file is not an SQLite database (or is encrypted or corrupt in its header).
    var isNotADatabase: Bool { code == SQLITE_NOTADB }
    /// True when the database file is damaged.
    var isCorrupt: Bool { code == SQLITE_CORRUPT }
}

// MARK: - Connection

/// A thin wrapper over one SQLite connection: open, prepare, execute, transactions. One error path.
///
/// Not thread-safe; a command owns its connection for its lifetime.
final class SQLiteDatabase {
    private var handle: OpaquePointer?

    /// How the file is opened.
    enum Mode: Sendable {
        /// Read and write, creating the file when missing.
        case readWriteCreate
        /// Read and write an existing file.
        case readWrite
        /// Read a file no one is writing (its WAL is empty), without the shared-memory file WAL mode needs:
        /// for a reader who may not create files beside the store.
        case readImmutable
    }

    /// The file, for the import lock beside it.
    let path: String
    /// How long one statement waits for another connection's lock (SQLite's busy handler), in milliseconds.
    let busyTimeoutMilliseconds: Int32
    /// How transactions retry when SQLite still reports `SQLITE_BUSY` (see `RetryBackoff`).
    var busyRetry: RetryBackoff

    /// Opens a database file (`:memory:` for an in-memory one). Transactions retry on `SQLITE_BUSY` for as long
    /// as the busy timeout, so that the total wait for a lock stays bounded by it.
    init(path: String, mode: Mode, busyTimeoutMilliseconds: Int32 = 10_000) throws(SQLiteError) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.busyRetry = RetryBackoff(budget: .milliseconds(Int64(busyTimeoutMilliseconds)))
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if mode == .readWriteCreate { flags |= SQLITE_OPEN_CREATE }
        var name = path
        if mode == .readImmutable {
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
            name = "file:" + Self.uriEscaped(path) + "?immutable=1"
        }
        let status = sqlite3_open_v2(name, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            handle = nil
            throw SQLiteError(code: status & 0xFF, message: message, sql: nil)
        }
        sqlite3_extended_result_codes(handle, 0)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    }

    /// A path as a `file:` URI's path: `%`, `?` and `#` (and anything not printable ASCII) percent-encoded.
    private static func uriEscaped(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "#") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// Closes the connection so that the store file alone holds every committed write: a connection that wrote
    /// copies the WAL into the file (a passive checkpoint: it waits for no one), and the last connection to close
    /// checkpoints what is left and removes the WAL, as SQLite does by default. A store can then be copied, cached
    /// or uploaded as one file once the commands that use it have exited.
    deinit {
        if wrote { sqlite3_exec(handle, "PRAGMA wal_checkpoint(PASSIVE)", nil, nil, nil) }
        sqlite3_close_v2(handle)
    }

    /// Whether a write transaction committed on this connection.
    private(set) var wrote = false

    /// Builds the error for the last failure on this connection.
    func error(_ status: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: status & 0xFF, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements that take no parameters (schema, pragmas).
    func execute(_ sql: String) throws(SQLiteError) {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(status, sql: sql) }
    }

    /// Compiles one statement; values are always bound, never spliced into the SQL text.
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, sql: sql) }
        return SQLiteStatement(statement, database: self, sql: sql)
    }

    /// Whether a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: - Transactions and busy retries

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`): committed if it returns, rolled back if it throws.
    ///
    /// When another process holds the write lock past SQLite's busy handler, or SQLite reports `SQLITE_BUSY`
    /// without calling it (WAL recovery, a journal-mode switch), the whole transaction is rolled back and run
    /// again after a backoff (`busyRetry`), so `body` must only touch the database. Keep it short: the input is
    /// read and checked before a write transaction starts.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        let result = try retryingOnBusy { () throws -> T in
            try execute("BEGIN IMMEDIATE")
            return try finishTransaction(body)
        }
        wrote = true
        return result
    }

    /// Runs `body` in one read transaction (`BEGIN DEFERRED`), so that all its statements see one snapshot of
    /// the store, retrying on `SQLITE_BUSY` as `writeTransaction` does. Inside an open transaction it runs `body`.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        return try retryingOnBusy { () throws -> T in
            try execute("BEGIN DEFERRED")
            return try finishTransaction(body)
        }
    }

    /// Runs `body` in the transaction just begun: commits if it returns, rolls back if it (or the commit) throws.
    private func finishTransaction<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body`, and runs it again after a backoff while it fails with `SQLITE_BUSY`, until `busyRetry.budget`
    /// has passed since the first attempt; then the last busy error is thrown, unless an import holds the store
    /// (`ImportLock`): then it waits on until the import ends, saying so once through `StoreNotices`, with a fresh
    /// budget from then on (the writers that waited all want the lock then). Inside an open transaction `body`
    /// runs once: the transaction that owns it is the one to retry.
    func retryingOnBusy<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        let clock = ContinuousClock()
        var deadline = clock.now.advanced(by: busyRetry.budget)
        var noticed = false
        var afterImport = false
        // SQLite's own busy handler waits at most until the deadline too, so the total wait stays within budget.
        defer { sqlite3_busy_timeout(handle, busyTimeoutMilliseconds) }
        var attempt = 0
        while true {
            do {
                let remaining = clock.now.duration(to: deadline).components
                let milliseconds = max(1, remaining.seconds * 1000 + remaining.attoseconds / 1_000_000_000_000_000)
                sqlite3_busy_timeout(handle, Int32(min(Int64(busyTimeoutMilliseconds), milliseconds)))
                return try body()
            } catch let error as SQLiteError where error.isBusy {
                let delay = busyRetry.delay(afterAttempt: attempt)
                if clock.now.advanced(by: delay) >= deadline {
                    if ImportLock.isHeld(store: path) {
                        if !noticed {
                            StoreNotices.post("the store '\(path)' is held by an import; waiting for it to finish")
                            noticed = true
                        }
                    } else if noticed && !afterImport {
                        // The import just ended, and every writer that waited for it now takes its turn: a fresh
                        // budget for that, once, rather than what was left of the last one.
                        afterImport = true
                    } else {
                        throw error
                    }
                    deadline = clock.now.advanced(by: busyRetry.budget)
                }
                attempt += 1
                RetryBackoff.sleep(for: delay)
            }
        }
    }

    /// The value of an integer pragma, such as `user_version`. A pragma's name cannot be bound, so it must be
    /// a plain identifier (letters and underscores), which is checked before it goes into the SQL.
    func pragmaInteger(_ name: String) throws(SQLiteError) -> Int64 {
        guard !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isLetter) }) else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "not a pragma name: '\(name)'", sql: nil)
        }
        let statement = try prepare("PRAGMA \(name)")
        guard try statement.step() else { return 0 }
        return statement.int64(at: 0)
    }

    /// The rowid of the last insert on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(handle)) }
}
