import CSQLite

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
