import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Connection

/// A thin, synchronous wrapper over one libpq connection: connect, execute, query with parameters, prepared
/// statements, transactions retried on serialization failures and deadlocks, COPY FROM STDIN, advisory locks.
/// One error path: `PostgresError`.
///
/// Not thread-safe (libpq connections are not): a command owns its connection for its lifetime, like
/// `SQLiteDatabase`. Every call blocks until the server answers; connecting blocks for at most the connect timeout
/// (per host tried).
package final class PostgresConnection {
    private let pq: LibPQ
    private let handle: OpaquePointer
    /// Where the connection goes; its `displayURI` is what messages show.
    package let location: PostgresLocation
    /// How transactions are retried after a serialization failure (40001) or a deadlock (40P01).
    package var retry: RetryBackoff
    /// How many times a transaction was run again on this connection (for tests and diagnostics).
    package private(set) var retryCount = 0
    /// Names of the statements prepared on this connection, by SQL text.
    private var preparedNames: [String: String] = [:]

    /// Opens a connection to the store at `uri` (`postgresql://…` or `postgres://…`; see `PostgresLocation`).
    package convenience init(uri: String, retry: RetryBackoff = RetryBackoff(budget: .seconds(10))) throws(PostgresError) {
        try self.init(location: PostgresLocation(uri), retry: retry)
    }

    /// Connects (loading libpq on first use), then sets the session up in one round trip: UTF-8, exact float output,
    /// `bytea` in hex (what `PostgresRow.bytes` reads), and the store's schema as the whole `search_path`, so that unqualified names never land in `public` (the
    /// schema may not exist yet: the store creates it, under an advisory lock).
    package init(location: PostgresLocation, retry: RetryBackoff = RetryBackoff(budget: .seconds(10))) throws(PostgresError) {
        let pq = try LibPQ.shared()
        guard let handle = pq.connectdb(location.connectionURI) else {
            throw PostgresError(kind: .connect, message: "out of memory", store: location.displayURI)
        }
        guard pq.status(handle) == CONNECTION_OK else {
            let error = PostgresConnection.connectError(libpqMessage: pq.errorText(handle), location: location)
            pq.finish(handle)
            throw error
        }
        _ = pq.setNoticeProcessor(handle, discardNotices, nil)
        self.pq = pq
        self.handle = handle
        self.location = location
        self.retry = retry
        // The schema is bound, as the quoted identifier `search_path` reads, not spliced into the SQL.
        _ = try query(
            """
            SELECT set_config('client_encoding', 'UTF8', false), set_config('extra_float_digits', '3', false),
                set_config('bytea_output', 'hex', false), set_config('search_path', $1, false)
            """, [.text(location.quotedSchema)])
    }

    deinit {
        pq.finish(handle)
    }

    // MARK: - Session facts

    /// The server's version as a number (150020 for 15.20).
    package var serverVersion: Int { Int(pq.serverVersion(handle)) }
    /// The process id of the server backend serving this connection (for `pg_terminate_backend`, logs).
    package var backendPID: Int32 { pq.backendPID(handle) }
    /// Whether the connection still works as far as libpq knows (false once it was lost).
    package var isConnected: Bool { pq.status(handle) == CONNECTION_OK }
    /// Whether a transaction block is open (`BEGIN` ran, no `COMMIT`/`ROLLBACK` yet), failed or not.
    package var isInTransaction: Bool {
        let status = pq.transactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    // MARK: - Statements

    /// Runs one or more statements that take no parameters (schema changes, SET), separated by semicolons. Outside a
    /// transaction they run as one implicit transaction; the first failure stops the rest.
    package func execute(_ sql: String) throws(PostgresError) {
        let result = pq.exec(handle, sql)
        pq.clear(try check(result, sql: sql))
    }

    /// Runs one statement with `parameters` bound to `$1…$n` (never spliced into the SQL) and returns its rows.
    package func query(_ sql: String, _ parameters: [PGValue] = []) throws(PostgresError) -> PostgresRows {
        let result = try withParameters(parameters, sql: sql) { types, values in
            pq.execParams(handle, sql, Int32(parameters.count), types, values, nil, nil, 0)
        }
        return PostgresRows(pq: pq, result: try check(result, sql: sql), sql: sql)
    }

    /// Runs one statement with `parameters` and returns how many rows it inserted, updated or deleted.
    @discardableResult
    package func run(_ sql: String, _ parameters: [PGValue] = []) throws(PostgresError) -> Int {
        try query(sql, parameters).affectedRows
    }

    /// Prepares `sql` once per connection (`PQprepare`, parameter types inferred by the server) for statements run
    /// many times: the server parses and plans it once. Preparing the same SQL again returns the same statement.
    /// Prepared statements live as long as the connection (they survive a rollback).
    package func prepare(_ sql: String) throws(PostgresError) -> PostgresStatement {
        if let name = preparedNames[sql] { return PostgresStatement(connection: self, name: name, sql: sql) }
        let name = "kfpm_\(preparedNames.count + 1)"
        pq.clear(try check(pq.prepare(handle, name, sql, 0, nil), sql: sql))
        preparedNames[sql] = name
        return PostgresStatement(connection: self, name: name, sql: sql)
    }

    /// Runs the prepared statement `name` with `parameters` (see `PostgresStatement`).
    fileprivate func queryPrepared(name: String, sql: String, _ parameters: [PGValue]) throws(PostgresError)
        -> PostgresRows
    {
        let result = try withParameters(parameters, sql: sql) { _, values in
            pq.execPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        return PostgresRows(pq: pq, result: try check(result, sql: sql), sql: sql)
    }

    /// Calls `body` with the parameter types and their text forms as C strings (nil for NULL), valid for the call.
    private func withParameters(
        _ parameters: [PGValue], sql: String,
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) -> OpaquePointer?
    ) throws(PostgresError) -> OpaquePointer? {
        guard parameters.count <= Int(UInt16.max) else {
            throw PostgresError(kind: .misuse, message: "more than 65535 parameters in one statement", sql: sql)
        }
        if parameters.isEmpty { return body(nil, nil) }
        // All texts in one buffer, each followed by a NUL, so that one allocation serves the whole statement.
        var storage: [CChar] = [0]
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard let text = try parameter.textForm() else {
                offsets.append(nil)
                continue
            }
            offsets.append(storage.count)
            storage.append(contentsOf: text.utf8.map { CChar(bitPattern: $0) })
            storage.append(0)
        }
        let types = parameters.map(\.parameterType)
        return storage.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in offset.map { base + $0 } }
            return types.withUnsafeBufferPointer { types in
                values.withUnsafeBufferPointer { values in body(types.baseAddress, values.baseAddress) }
            }
        }
    }

    // MARK: - Results and errors

    /// Returns `result` when it is a success (rows, a command, an empty query or the start of a COPY), and otherwise
    /// frees it and throws its error.
    @discardableResult
    private func check(_ result: OpaquePointer?, sql: String?, copyIn: Bool = false) throws(PostgresError)
        -> OpaquePointer
    {
        guard let result else { throw failure(nil, sql: sql) }
        let status = pq.resultStatus(result)
        let isCopy = status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            if copyIn == (status == PGRES_COPY_IN) { return result }
            // libpq leaves a COPY state by itself at the next command (ending a COPY IN with an error).
            pq.clear(result)
            throw PostgresError(
                kind: .misuse,
                message: copyIn || !isCopy
                    ? "copyIn needs a COPY … FROM STDIN statement"
                    : "COPY … FROM STDIN runs only through copyIn, and COPY … TO STDOUT not at all",
                sql: sql)
        default:
            let error = failure(result, sql: sql)
            pq.clear(result)
            throw error
        }
    }

    /// The error for a failed result (or for no result at all): the server's fields when it sent them, libpq's
    /// text otherwise. A connection that libpq now reports as bad makes it a `.connectionLost`.
    private func failure(_ result: OpaquePointer?, sql: String?) -> PostgresError {
        let lost = isLost(result)
        var error = PostgresError(kind: lost ? .connectionLost : .server, message: "", sql: sql)
        if lost { error.store = location.displayURI }
        var libpqText = pq.errorText(handle)
        if let result {
            error.sqlState = pq.errorField(result, CLIBPQ_DIAG_SQLSTATE)
            error.detail = pq.errorField(result, CLIBPQ_DIAG_MESSAGE_DETAIL)
            error.hint = pq.errorField(result, CLIBPQ_DIAG_MESSAGE_HINT)
            if let primary = pq.errorField(result, CLIBPQ_DIAG_MESSAGE_PRIMARY) {
                error.message = primary
                return error
            }
            libpqText = pq.resultErrorMessage(result).map { String(cString: $0) } ?? libpqText
        }
        let (message, more) = PostgresConnection.split(libpqText)
        error.message = message.isEmpty ? "the server did not answer" : message
        if error.detail == nil, !more.isEmpty { error.detail = more }
        return error
    }

    /// Whether the failure that produced `result` broke the connection. libpq marks the connection bad
    /// (`CONNECTION_BAD`) when it notices, but not always before it returns the error: when the server was killed,
    /// the failed write comes back as "server closed the connection unexpectedly" with the status still OK. So an
    /// error libpq made itself (no SQLSTATE) is followed by `PQconsumeInput`, which reads the socket's end-of-file
    /// without sending anything and so settles the status; and a FATAL or PANIC from the server ends the session too.
    private func isLost(_ result: OpaquePointer?) -> Bool {
        if pq.status(handle) == CONNECTION_BAD { return true }
        if let result {
            if let severity = pq.errorField(result, CLIBPQ_DIAG_SEVERITY), severity == "FATAL" || severity == "PANIC" {
                return true
            }
            if pq.errorField(result, CLIBPQ_DIAG_SQLSTATE) != nil { return false }
        }
        _ = pq.consumeInput(handle)
        return pq.status(handle) == CONNECTION_BAD
    }

    /// Splits a libpq message into its first line and the rest (tab-indented continuation lines included), without
    /// "ERROR:  " / "FATAL:  " prefixes.
    private static func split(_ text: String) -> (first: String, rest: String) {
        let lines = text.split(separator: "\n").map { stripSeverity(String($0).trimmingWhitespace()) }.filter { !$0.isEmpty }
        return (lines.first ?? "", lines.dropFirst().joined(separator: " "))
    }

    private static func stripSeverity(_ line: String) -> String {
        for prefix in ["ERROR:  ", "FATAL:  ", "PANIC:  "] where line.hasPrefix(prefix) {
            return String(line.dropFirst(prefix.count))
        }
        return line
    }

    /// The error for a failed `PQconnectdb`, from libpq's message with the password scrubbed out.
    ///
    /// libpq 15 writes one line per address tried, `connection to server at "h" (addr), port p failed: reason`, or
    /// `… on socket "/dir/.s.PGSQL.p" failed: …`, with tab-indented hints ("Is the server running …?"). When the
    /// server itself refused the session (`FATAL:  password authentication failed for user "u"`,
    /// `FATAL:  permission denied for database "d"` with a `DETAIL:` line), the server's reason is the message.
    package static func connectError(libpqMessage text: String, location: PostgresLocation) -> PostgresError {
        let lines = location.redacting(text).split(separator: "\n").map(String.init)
        var reasons: [String] = []
        var details: [String] = []
        var hints: [String] = []
        for line in lines {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            if line.hasPrefix("\t") {
                hints.append(trimmed)
            } else if trimmed.hasPrefix("DETAIL:  ") {
                details.append(String(trimmed.dropFirst("DETAIL:  ".count)))
            } else if trimmed.hasPrefix("HINT:  ") {
                hints.append(String(trimmed.dropFirst("HINT:  ".count)))
            } else if let fatal = trimmed.firstByteRange(of: "FATAL:  ") {
                reasons.append(String(trimmed[fatal.upperBound...]))
            } else {
                reasons.append(trimmed)
            }
        }
        var uniqueReasons: [String] = []
        for reason in reasons where !uniqueReasons.contains(reason) { uniqueReasons.append(reason) }
        return PostgresError(
            kind: .connect, message: uniqueReasons.isEmpty ? "unknown error" : uniqueReasons.joined(separator: "; "),
            detail: details.isEmpty ? nil : details.joined(separator: " "),
            hint: hints.isEmpty ? nil : hints.joined(separator: " "), store: location.displayURI)
    }

    // MARK: - Transactions

    /// How a transaction sees concurrent ones (`BEGIN ISOLATION LEVEL …`).
    package enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` in one read-write transaction: committed if it returns, rolled back if it throws.
    ///
    /// The default isolation is SERIALIZABLE: the outcome is that of some one-at-a-time order of the transactions,
    /// as with SQLite's single writer, so read-then-write logic (find or create an experiment, check a run name)
    /// stays correct without row locks. Conflicts surface as serialization failures (40001) or deadlocks (40P01);
    /// then the whole transaction is rolled back and `body` runs again after a backoff (`retry`), so `body` must only
    /// touch the database (or reset what else it touches). Inside an open transaction it just runs `body`.
    ///
    /// If `body` catches a statement's error and returns, the transaction is aborted all the same: it is rolled back
    /// and this throws.
    package func writeTransaction<T>(isolation: IsolationLevel = .serializable, _ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        return try retryingTransaction { () throws -> T in
            try execute("BEGIN ISOLATION LEVEL \(isolation.rawValue) READ WRITE")
            return try finishTransaction(body)
        }
    }

    /// Runs `body` in one read-only transaction on a single snapshot (REPEATABLE READ READ ONLY): every statement
    /// sees the store as it was at the first one, and it never fails because of writers, nor waits for them but
    /// behind the table lock of an import into a store without metrics (`PostgresStore.importRuns`). Retried
    /// like `writeTransaction`; inside an open transaction it just runs `body`.
    package func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        return try retryingTransaction { () throws -> T in
            try execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return try finishTransaction(body)
        }
    }

    /// Runs `body` in the transaction just begun: commits if it returns, rolls back if it (or the commit) throws.
    private func finishTransaction<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            if pq.transactionStatus(handle) == PQTRANS_INERROR {
                throw PostgresError(
                    kind: .misuse, message: "the transaction failed on an error that was caught; it was rolled back")
            }
            try execute("COMMIT")
            return result
        } catch {
            rollbackQuietly()
            throw error
        }
    }

    /// Rolls the open transaction back, if there is one and the connection still works; errors are dropped (the
    /// error that led here is the one to report, and a lost connection rolls back on the server by itself).
    private func rollbackQuietly() {
        guard pq.status(handle) == CONNECTION_OK, isInTransaction else { return }
        if let result = pq.exec(handle, "ROLLBACK") { pq.clear(result) }
    }

    /// Runs `body` (a whole transaction), and runs it again after a backoff while it fails with a serialization
    /// failure or a deadlock, until `retry.budget` would be passed; then the last such error is thrown. Other errors,
    /// a lost connection among them, are thrown at once. Inside an open transaction `body` runs once.
    package func retryingTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as PostgresError where error.isRetryable {
                let delay = retry.delay(afterAttempt: attempt)
                guard start.duration(to: clock.now) + delay < retry.budget else { throw error }
                attempt += 1
                retryCount += 1
                RetryBackoff.sleep(for: delay)
            }
        }
    }

    // MARK: - Advisory locks

    /// Takes the transaction-scoped advisory lock `key` (`pg_advisory_xact_lock`), waiting for it; it is released
    /// at COMMIT or ROLLBACK. Use it to serialize what SERIALIZABLE does not cover, such as creating the schema.
    ///
    /// Under REPEATABLE READ or SERIALIZABLE the snapshot is taken by the first statement, which may be this lock
    /// itself: data committed by the holder before it released the lock is then not visible (and SERIALIZABLE may
    /// fail with 40001 and retry). DDL checks (`CREATE … IF NOT EXISTS`) see the catalog as it is now, so they are
    /// safe; for data, take the lock in a READ COMMITTED transaction.
    package func advisoryLock(_ key: Int64) throws(PostgresError) {
        guard isInTransaction else {
            throw PostgresError(kind: .misuse, message: "pg_advisory_xact_lock needs an open transaction")
        }
        _ = try query("SELECT pg_advisory_xact_lock($1)", [.int64(key)])
    }

    /// Takes the transaction-scoped advisory lock `key` if no one holds it (`pg_try_advisory_xact_lock`).
    package func tryAdvisoryLock(_ key: Int64) throws(PostgresError) -> Bool {
        guard isInTransaction else {
            throw PostgresError(kind: .misuse, message: "pg_try_advisory_xact_lock needs an open transaction")
        }
        return try query("SELECT pg_try_advisory_xact_lock($1)", [.int64(key)]).first?.text(0) == "t"
    }

    /// A stable lock key for a name (64-bit FNV-1a of "kfpm:" + name), the same in every process and version.
    package static func advisoryKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ("kfpm:" + name).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }

    // MARK: - COPY FROM STDIN

    /// Runs `sql`, a `COPY table (columns) FROM STDIN` in text format, and streams the rows `write` produces
    /// (see `PostgresCopyWriter`). Returns the number of rows copied. All or nothing: if `write` throws or a row is
    /// rejected, the COPY fails as a whole (and so does an enclosing transaction).
    @discardableResult
    package func copyIn(_ sql: String, _ write: (PostgresCopyWriter) throws -> Void) throws -> Int {
        pq.clear(try check(pq.exec(handle, sql), sql: sql, copyIn: true))
        let writer = PostgresCopyWriter(connection: self)
        do {
            try write(writer)
            try writer.flush()
        } catch {
            _ = pq.putCopyEnd(handle, "kfpm: the COPY was abandoned")
            drainResults()
            throw error
        }
        guard pq.putCopyEnd(handle, nil) == 1 else {
            let error = failure(nil, sql: sql)
            drainResults()
            throw error
        }
        // The COPY's own result, then nil; anything else is read and dropped.
        var outcome: Result<Int, PostgresError>?
        while let result = pq.getResult(handle) {
            if outcome != nil || pq.resultStatus(result) == PGRES_COPY_IN {
                pq.clear(result)
                if outcome == nil { break }
                continue
            }
            do {
                outcome = .success(PostgresRows(pq: pq, result: try check(result, sql: sql), sql: sql).affectedRows)
            } catch {
                outcome = .failure(error)
            }
        }
        return try (outcome ?? .failure(failure(nil, sql: sql))).get()
    }

    /// `copyIn` with rows of values, each row's values in the order of the COPY's columns.
    @discardableResult
    package func copyIn<Rows: Sequence>(_ sql: String, rows: Rows) throws -> Int where Rows.Element == [PGValue] {
        try copyIn(sql) { writer in
            for row in rows {
                for value in row { try writer.append(value) }
                try writer.endRow()
            }
        }
    }

    /// Sends a chunk of COPY data (`PQputCopyData`).
    fileprivate func putCopyData(_ bytes: UnsafeBufferPointer<UInt8>) throws(PostgresError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let sent = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            pq.putCopyData(handle, $0, Int32(bytes.count))
        }
        guard sent == 1 else { throw failure(nil, sql: "COPY … FROM STDIN") }
    }

    /// Reads and frees the results left after an abandoned or failed COPY.
    private func drainResults() {
        var remaining = 16
        while remaining > 0, let result = pq.getResult(handle) {
            pq.clear(result)
            remaining -= 1
        }
    }
}

// MARK: - Prepared statements

/// A statement prepared on one connection (`PostgresConnection.prepare`), run with new parameters each time.
package struct PostgresStatement {
    fileprivate let connection: PostgresConnection
    fileprivate let name: String
    /// The statement's SQL.
    package let sql: String

    /// Runs the statement with `parameters` bound to `$1…$n` and returns its rows.
    package func query(_ parameters: [PGValue] = []) throws(PostgresError) -> PostgresRows {
        try connection.queryPrepared(name: name, sql: sql, parameters)
    }

    /// Runs the statement with `parameters` and returns how many rows it inserted, updated or deleted.
    @discardableResult
    package func run(_ parameters: [PGValue] = []) throws(PostgresError) -> Int {
        try query(parameters).affectedRows
    }
}

// MARK: - COPY rows

/// Writes rows in COPY's text format into a buffer that is sent to the server in 256 KiB chunks: fields separated
/// by tabs, rows ended by newlines, `\N` for NULL, and backslash, tab, newline and carriage return in text escaped
/// as `\\`, `\t`, `\n`, `\r` (so a text of `\.` can never end the data early).
package final class PostgresCopyWriter {
    private unowned let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    /// The number of rows ended so far.
    package private(set) var rowCount = 0
    /// The buffer size at which `endRow` sends the data.
    private static let chunkSize = 256 * 1024

    fileprivate init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(PostgresCopyWriter.chunkSize + 4096)
    }

    @inline(__always)
    private func separate() {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }

    /// Appends an integer field.
    package func append(_ value: Int64) {
        separate()
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = digits.count
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            buffer.append(contentsOf: UnsafeMutableBufferPointer(rebasing: digits[index...]))
        }
    }

    /// Appends a double field, exactly (see `PGValue.text(of:)`).
    package func append(_ value: Double) {
        separate()
        buffer.append(contentsOf: PGValue.text(of: value).utf8)
    }

    /// Appends a text field, escaped. Text with a NUL character is refused (PostgreSQL cannot store it).
    package func append(_ value: String) throws(PostgresError) {
        separate()
        var text = value
        let hasNUL = text.withUTF8 { bytes -> Bool in
            var plain = true
            for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\\") {
                plain = false
                break
            }
            if plain {
                buffer.append(contentsOf: bytes)
                return false
            }
            for byte in bytes {
                switch byte {
                case 0: return true
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
            return false
        }
        if hasNUL {
            throw PostgresError(kind: .misuse, message: "text with a NUL character cannot be stored in PostgreSQL")
        }
    }

    /// Appends a `bytea` field: its hex text form (`\x0a1b…`), with the backslash escaped for COPY.
    package func append(bytes: [UInt8]) {
        separate()
        buffer.reserveCapacity(buffer.count + 3 + bytes.count * 2)
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        let digits = Array("0123456789abcdef".utf8)
        for byte in bytes {
            buffer.append(digits[Int(byte >> 4)])
            buffer.append(digits[Int(byte & 0x0F)])
        }
    }

    /// Appends a NULL field (`\N`).
    package func appendNull() {
        separate()
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
    }

    /// Appends a field of any kind.
    package func append(_ value: PGValue) throws(PostgresError) {
        switch value {
        case .int64(let value): append(value)
        case .double(let value): append(value)
        case .text(let value): try append(value)
        case .null: appendNull()
        }
    }

    /// Ends the current row; sends the buffer when it is full.
    package func endRow() throws(PostgresError) {
        buffer.append(UInt8(ascii: "\n"))
        fieldsInRow = 0
        rowCount += 1
        if buffer.count >= PostgresCopyWriter.chunkSize { try flush() }
    }

    /// The bytes written and not yet sent (for tests of the escaping).
    package var pendingText: String { String(decoding: buffer, as: UTF8.self) }

    /// Sends what the buffer holds.
    fileprivate func flush() throws(PostgresError) {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBufferPointer { bytes throws(PostgresError) in try connection.putCopyData(bytes) }
        buffer.removeAll(keepingCapacity: true)
    }
}
