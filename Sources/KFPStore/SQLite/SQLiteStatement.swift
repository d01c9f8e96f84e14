import CSQLite

/// A value to bind to a statement parameter.
enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// One compiled statement: bind, step, read typed columns, reset.
final class SQLiteStatement {
    let statement: OpaquePointer
    let database: SQLiteDatabase
    let sql: String

    init(_ statement: OpaquePointer, database: SQLiteDatabase, sql: String) {
        self.statement = statement
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(statement)
    }

    /// Resets the statement and binds `values` to parameters 1…n.
    @discardableResult
    func bind(_ values: [SQLiteValue]) throws(SQLiteError) -> SQLiteStatement {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let status: Int32
            switch value {
            case .integer(let v): status = sqlite3_bind_int64(statement, index, v)
            case .real(let v): status = sqlite3_bind_double(statement, index, v)
            case .null: status = sqlite3_bind_null(statement, index)
            case .blob(let bytes):
                status = bytes.withUnsafeBytes { csqlite_bind_blob_transient(statement, index, $0.baseAddress, Int32($0.count)) }
            case .text(let v):
                var text = v
                status = text.withUTF8 { buffer in
                    buffer.withMemoryRebound(to: CChar.self) {
                        csqlite_bind_text_transient(statement, index, $0.baseAddress, Int32($0.count))
                    }
                }
            }
            guard status == SQLITE_OK else { throw database.error(status, sql: sql) }
        }
        return self
    }

    /// Advances to the next row; false when done.
    func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(statement)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(status, sql: sql)
            sqlite3_reset(statement)
            throw error
        }
    }

    /// Runs a statement that returns no rows, with `values` bound.
    func run(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
    }

    /// Reads every row with `values` bound, mapping each through `row`.
    func rows<T>(_ values: [SQLiteValue] = [], _ row: (SQLiteStatement) throws -> T) throws -> [T] {
        try bind(values)
        var result: [T] = []
        while try step() { result.append(try row(self)) }
        return result
    }

    func int64(at column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func int(at column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
    func double(at column: Int32) -> Double { sqlite3_column_double(statement, column) }
    func isNull(at column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    /// A BLOB column's bytes (empty for NULL or an empty blob).
    func blob(at column: Int32) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(statement, column) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func text(at column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}

// MARK: - Typed binding

/// Typed binding for hot loops: no array of values per row, no reset of bindings that are all set anyway.
extension SQLiteStatement {
    /// Binds an integer to parameter `index` (1-based).
    @inline(__always)
    func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(statement, index, value)
    }

    /// Binds a double, or NULL for NaN (which SQLite cannot store as a REAL).
    @inline(__always)
    func bind(_ value: Double, at index: Int32) {
        if value.isNaN { sqlite3_bind_null(statement, index) } else { sqlite3_bind_double(statement, index, value) }
    }

    /// Binds an integer, or NULL for nil.
    @inline(__always)
    func bind(optional value: Int64?, at index: Int32) {
        if let value { sqlite3_bind_int64(statement, index, value) } else { sqlite3_bind_null(statement, index) }
    }

    /// Binds UTF-8 text (copied by SQLite), without making a `String` of it.
    func bind(text: UnsafeBufferPointer<UInt8>, at index: Int32) throws(SQLiteError) {
        let status = text.withMemoryRebound(to: CChar.self) { chars in
            // No address (an empty buffer) would bind NULL, not empty text.
            guard let base = chars.baseAddress else { return csqlite_bind_text_transient(statement, index, "", 0) }
            return csqlite_bind_text_transient(statement, index, base, Int32(chars.count))
        }
        guard status == SQLITE_OK else { throw database.error(status, sql: sql) }
    }

    /// Runs the statement once with the values bound so far, then resets it for the next row.
    @inline(__always)
    func runBound() throws(SQLiteError) {
        let status = sqlite3_step(statement)
        guard status == SQLITE_DONE || status == SQLITE_ROW else {
            let error = database.error(status, sql: sql)
            sqlite3_reset(statement)
            throw error
        }
        sqlite3_reset(statement)
    }
}
