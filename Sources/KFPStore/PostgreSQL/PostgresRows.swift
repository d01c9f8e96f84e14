import CLibPQ

// MARK: - Values

/// A value sent as a statement parameter or a COPY field, or read back from a row. Values travel in PostgreSQL's
/// text format; `double` is written as Swift's shortest round-trip text and read back exactly (see `textForm`).
package enum PGValue: Sendable, Equatable {
    case int64(Int64)
    case double(Double)
    case text(String)
    case null

    /// The parameter type sent with the value: `int8` and `float8` for numbers, so that `SELECT $1 + 1` or
    /// `greatest($1, x)` type as expected; "unspecified" for text and NULL, so the server infers the type from the
    /// context (a `text`, `timestamptz` or `jsonb` column alike).
    var parameterType: Oid {
        switch self {
        case .int64: PGTypeOID.int8
        case .double: PGTypeOID.float8
        case .text, .null: 0
        }
    }

    /// The value's text form, or nil for NULL. Text with a NUL character is refused: PostgreSQL cannot store it, and
    /// libpq takes parameters as C strings, so it would cut the text short without a word.
    func textForm() throws(PostgresError) -> String? {
        switch self {
        case .int64(let value): return String(value)
        case .double(let value): return PGValue.text(of: value)
        case .null: return nil
        case .text(let value):
            guard !value.utf8.contains(0) else {
                throw PostgresError(kind: .misuse, message: "text with a NUL character cannot be stored in PostgreSQL")
            }
            return value
        }
    }

    /// A double as PostgreSQL's `float8` input reads it back to the same bits: the shortest text that round-trips
    /// ("0.1", "-0.0", "5e-324", "1.7976931348623157e+308"), and the server's spellings of the special values.
    /// PostgreSQL has a single NaN, so the sign and payload of a NaN are not kept.
    package static func text(of value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return value.description
    }
}

// MARK: - Array parameters

/// Arrays sent as one parameter in PostgreSQL's array text form (`{"a","b"}`, `{1,NULL}`), for statements that take
/// many rows in one round trip (`INSERT … SELECT * FROM unnest($1::bigint[], $2::text[])`, `WHERE name = ANY($1)`).
/// The SQL casts the parameter to its array type; the values are bound, never spliced into the SQL.
extension PGValue {
    /// A `text[]`: every element double-quoted with `\` and `"` escaped, so that no text (`NULL`, `{`, `,`) can be
    /// read as anything but itself. Text with a NUL character is refused, as for a single text parameter.
    static func textArray<S: Sequence>(_ values: S) throws(PostgresError) -> PGValue where S.Element == String {
        try optionalTextArray(values.map { Optional($0) })
    }

    /// A `text[]` whose nil elements are NULL (unquoted; any text is quoted, so a text "NULL" stays text).
    static func optionalTextArray<S: Sequence>(_ values: S) throws(PostgresError) -> PGValue where S.Element == String? {
        var literal = "{"
        var first = true
        for value in values {
            if !first { literal += "," }
            first = false
            guard let value else {
                literal += "NULL"
                continue
            }
            guard !value.utf8.contains(0) else {
                throw PostgresError(kind: .misuse, message: "text with a NUL character cannot be stored in PostgreSQL")
            }
            literal += "\""
            for character in value.unicodeScalars {
                if character == "\\" || character == "\"" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return .text(literal + "}")
    }

    /// A `bigint[]` (or `integer[]`, `smallint[]` after a cast); nil elements are NULL.
    static func integerArray<S: Sequence>(_ values: S) -> PGValue where S.Element == Int64? {
        .text("{" + values.map { $0.map { String($0) } ?? "NULL" }.joined(separator: ",") + "}")
    }

    /// A `bigint[]` without NULLs.
    static func integerArray<S: Sequence>(_ values: S) -> PGValue where S.Element == Int64 {
        integerArray(values.map { Optional($0) })
    }

    /// A `float8[]`, each value exact (see `text(of:)`, which spells NaN and the infinities as the server reads
    /// them); nil elements are NULL.
    static func doubleArray<S: Sequence>(_ values: S) -> PGValue where S.Element == Double? {
        .text("{" + values.map { $0.map(PGValue.text(of:)) ?? "NULL" }.joined(separator: ",") + "}")
    }
}

/// The type OIDs PGStore sends or reads (pg_type.oid, fixed in every PostgreSQL).
package enum PGTypeOID {
    package static let bool: Oid = 16
    package static let int8: Oid = 20
    package static let int2: Oid = 21
    package static let int4: Oid = 23
    package static let text: Oid = 25
    package static let oid: Oid = 26
    package static let float4: Oid = 700
    package static let float8: Oid = 701
    package static let varchar: Oid = 1043
    package static let numeric: Oid = 1700
}

// MARK: - Rows

/// The rows of one statement's result (a `PGresult`), in text format; freed when the last reference goes.
///
/// Like the connection it came from, it is not thread-safe: read it on the thread that ran the statement.
package final class PostgresRows: RandomAccessCollection {
    private let pq: LibPQ
    fileprivate let result: OpaquePointer
    /// The statement, for errors from the typed readers.
    fileprivate let sql: String
    /// The number of rows.
    package let count: Int
    /// The number of columns.
    package let columnCount: Int

    init(pq: LibPQ, result: OpaquePointer, sql: String) {
        self.pq = pq
        self.result = result
        self.sql = sql
        self.count = Int(pq.ntuples(result))
        self.columnCount = Int(pq.nfields(result))
    }

    deinit {
        pq.clear(result)
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }
    package subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < count, "row \(position) out of 0..<\(count)")
        return PostgresRow(rows: self, row: Int32(position))
    }

    /// The rows an INSERT, UPDATE, DELETE, MERGE, COPY or SELECT touched (`PQcmdTuples`); 0 for other commands.
    package var affectedRows: Int {
        pq.cmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }

    /// The name of a column (0-based).
    package func columnName(_ column: Int) -> String {
        pq.fname(result, Int32(column)).map { String(cString: $0) } ?? ""
    }

    /// The type OID of a column (0-based); see `PGTypeOID`.
    package func columnType(_ column: Int) -> Oid {
        pq.ftype(result, Int32(column))
    }

    // MARK: - Cell access

    fileprivate func checkColumn(_ column: Int) {
        precondition(column >= 0 && column < columnCount, "column \(column) out of 0..<\(columnCount)")
    }

    fileprivate func isNull(_ row: Int32, _ column: Int) -> Bool {
        checkColumn(column)
        return pq.getisnull(result, row, Int32(column)) != 0
    }

    /// The cell's bytes (valid while `self` lives), or nil for NULL.
    fileprivate func withCell<T>(_ row: Int32, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        guard !isNull(row, column), let pointer = pq.getvalue(result, row, Int32(column)) else { return nil }
        let length = Int(pq.getlength(result, row, Int32(column)))
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            body(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    fileprivate func typeError(_ row: Int32, _ column: Int, expected: String) -> PostgresError {
        let text = withCell(row, column) { String(decoding: $0, as: UTF8.self) } ?? "NULL"
        return PostgresError(
            kind: .misuse,
            message: "column \(column) (\(columnName(column))) of row \(row) is not \(expected): '\(text.prefix(40))'",
            sql: sql)
    }
}

/// One row of a `PostgresRows`, with typed readers. Columns are 0-based; readers return nil for NULL.
package struct PostgresRow {
    fileprivate let rows: PostgresRows
    fileprivate let row: Int32

    /// Whether the cell is NULL.
    package func isNull(_ column: Int) -> Bool {
        rows.isNull(row, column)
    }

    /// The cell as text (any type has one), or nil for NULL.
    package func text(_ column: Int) -> String? {
        rows.withCell(row, column) { String(decoding: $0, as: UTF8.self) }
    }

    /// The cell as a 64-bit integer (int2, int4, int8, or any text that is one), or nil for NULL.
    package func int64(_ column: Int) throws(PostgresError) -> Int64? {
        guard let text = text(column) else { return nil }
        guard let value = Int64(text) else { throw rows.typeError(row, column, expected: "an integer") }
        return value
    }

    /// The cell as a double, exactly: PostgreSQL 12 and later print float8 as the shortest text that reads back to
    /// the same bits (the connection also sets `extra_float_digits = 3`, which older servers need for that), and
    /// `NaN`, `Infinity` and `-Infinity` read back as such. Nil for NULL.
    package func double(_ column: Int) throws(PostgresError) -> Double? {
        guard let text = text(column) else { return nil }
        guard let value = Double(text) else { throw rows.typeError(row, column, expected: "a number") }
        return value
    }

    /// The cell of a `bytea` column as its bytes, from the hex text form the session asks for (`\x0a1b…`), or nil
    /// for NULL.
    package func bytes(_ column: Int) throws(PostgresError) -> [UInt8]? {
        if isNull(column) { return nil }
        let decoded = rows.withCell(row, column) { cell -> [UInt8]? in
            guard cell.count >= 2, cell.count % 2 == 0, cell[0] == UInt8(ascii: "\\"), cell[1] == UInt8(ascii: "x") else {
                return nil
            }
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
                default: nil
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity(cell.count / 2 - 1)
            var i = 2
            while i < cell.count {
                guard let high = nibble(cell[i]), let low = nibble(cell[i + 1]) else { return nil }
                out.append(high << 4 | low)
                i += 2
            }
            return out
        }
        guard let decoded = decoded ?? nil else { throw rows.typeError(row, column, expected: "bytea in hex") }
        return decoded
    }

    /// The cell as a `PGValue` chosen by the column's type: integers as `.int64`, float4/float8 as `.double`,
    /// everything else (numeric included, which a double may not hold exactly) as `.text`.
    package func value(_ column: Int) -> PGValue {
        guard let text = text(column) else { return .null }
        switch rows.columnType(column) {
        case PGTypeOID.int2, PGTypeOID.int4, PGTypeOID.int8:
            return Int64(text).map(PGValue.int64) ?? .text(text)
        case PGTypeOID.float4, PGTypeOID.float8:
            return Double(text).map(PGValue.double) ?? .text(text)
        default:
            return .text(text)
        }
    }
}
