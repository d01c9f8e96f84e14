import Foundation
@testable import KFPModel
@testable import KFPStore
import KFPMTestSupport
import Testing

/// Every value type through parameters, prepared statements and COPY, and back: doubles to the bit.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresValueTests {
    static let doubles: [Double] = [
        0, -0.0, 1, -1, 0.1, 1.0 / 3, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 2.2250738585072014e-308, 1.7976931348623157e308,
        -1.7976931348623157e308, 123456789.123456789, 1e16, 1e-7, .pi, .infinity, -.infinity, .nan,
        Double(bitPattern: 0x3FF0_0000_0000_0001),
    ]
    static let integers: [Int64] = [0, 1, -1, .max, .min, .max - 1, .min + 1, 4_294_967_296]
    static let texts: [String] = [
        "", "plain", "tab\there", "new\nline", "cr\rlf\r\n", "back\\slash", "\\N", "\\.", "quote ' \" ",
        "unicode: héllo wörld ✓ 日本語 🚀 \u{1F469}\u{200D}\u{1F4BB}", "controls \u{01}\u{07}\u{08}\u{0B}\u{0C}\u{1B}\u{7F}",
        "trailing space ", String(repeating: "long ", count: 2000),
    ]

    /// The same double (NaN equals NaN, -0 differs from +0).
    static func same(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return a.isNaN ? b.isNaN : a.bitPattern == b.bitPattern
    }

    @Test func doublesThroughParameters() throws {
        let connection = try TestCluster.connect()
        for value in Self.doubles {
            let rows = try connection.query("SELECT $1, $1::text", [.double(value)])
            #expect(rows.columnType(0) == PGTypeOID.float8)
            #expect(Self.same(try rows[0].double(0), value), "\(value) came back as \(rows[0].text(0) ?? "NULL")")
            if case .double(let back) = rows[0].value(0) { #expect(Self.same(back, value)) } else { Issue.record() }
        }
    }

    @Test func everyTypeThroughATable() throws {
        let connection = try TestCluster.connect()
        let table = TestCluster.uniqueName("values")
        try connection.execute("CREATE TEMP TABLE \(table) (id serial, i bigint, d double precision, t text)")
        let count = max(Self.doubles.count, Self.integers.count, Self.texts.count)
        let insert = try connection.prepare("INSERT INTO \(table) (i, d, t) VALUES ($1, $2, $3)")
        for index in 0..<count {
            try insert.run([
                .int64(Self.integers[index % Self.integers.count]), .double(Self.doubles[index % Self.doubles.count]),
                .text(Self.texts[index % Self.texts.count]),
            ])
        }
        try connection.run("INSERT INTO \(table) (i, d, t) VALUES ($1, $2, $3)", [.null, .null, .null])
        let rows = try connection.query("SELECT i, d, t FROM \(table) ORDER BY id")
        #expect(rows.count == count + 1)
        for index in 0..<count {
            let row = rows[index]
            #expect(try row.int64(0) == Self.integers[index % Self.integers.count])
            #expect(Self.same(try row.double(1), Self.doubles[index % Self.doubles.count]))
            #expect(row.text(2) == Self.texts[index % Self.texts.count])
        }
        let last = rows[count]
        #expect(last.isNull(0) && last.isNull(1) && last.isNull(2))
        #expect(try last.int64(0) == nil && last.double(1) == nil && last.text(2) == nil)
        #expect(last.value(0) == .null)
        // The same prepared statement is returned for the same SQL.
        #expect(try connection.prepare("INSERT INTO \(table) (i, d, t) VALUES ($1, $2, $3)").sql == insert.sql)
    }

    @Test func everyTypeThroughCopy() throws {
        let connection = try TestCluster.connect()
        let table = TestCluster.uniqueName("copied")
        try connection.execute("CREATE TEMP TABLE \(table) (n int, i bigint, d double precision, t text)")
        let count = max(Self.doubles.count, Self.integers.count, Self.texts.count)
        var rows: [[PGValue]] = (0..<count).map { index in
            [
                .int64(Int64(index)), .int64(Self.integers[index % Self.integers.count]),
                .double(Self.doubles[index % Self.doubles.count]), .text(Self.texts[index % Self.texts.count]),
            ]
        }
        rows.append([.int64(Int64(count)), .null, .null, .null])
        let copied = try connection.copyIn("COPY \(table) (n, i, d, t) FROM STDIN", rows: rows)
        #expect(copied == count + 1)
        let back = try connection.query("SELECT i, d, t FROM \(table) ORDER BY n")
        for index in 0..<count {
            #expect(try back[index].int64(0) == Self.integers[index % Self.integers.count])
            #expect(Self.same(try back[index].double(1), Self.doubles[index % Self.doubles.count]))
            #expect(back[index].text(2) == Self.texts[index % Self.texts.count])
        }
        #expect(back[count].isNull(0) && back[count].isNull(1) && back[count].isNull(2))
    }

    @Test func integerExtremesAndTypedValues() throws {
        let connection = try TestCluster.connect()
        let rows = try connection.query(
            "SELECT $1::bigint, $2::bigint, 42::int2, 7::int4, 1.5::float4, 2.5::numeric, true, NULL::text",
            [.int64(.max), .int64(.min)])
        #expect(try rows[0].int64(0) == .max)
        #expect(try rows[0].int64(1) == .min)
        #expect(rows[0].value(2) == .int64(42))
        #expect(rows[0].value(3) == .int64(7))
        #expect(rows[0].value(4) == .double(1.5))
        #expect(rows[0].value(5) == .text("2.5"))
        #expect(rows[0].value(6) == .text("t"))
        #expect(rows[0].value(7) == .null)
        #expect(rows.columnName(0) == "int8")
        #expect(throws: PostgresError.self) { try rows[0].int64(5) }
    }

    @Test func textWithNULIsRefused() throws {
        let connection = try TestCluster.connect()
        #expect(throws: PostgresError.self) { try connection.query("SELECT $1", [.text("a\u{0}b")]) }
        #expect(throws: PostgresError.self) {
            try connection.copyIn("COPY (SELECT 1) TO STDOUT", rows: [[.text("x")]])
        }
        try connection.execute("CREATE TEMP TABLE nul_test (t text)")
        #expect(throws: PostgresError.self) {
            try connection.copyIn("COPY nul_test FROM STDIN", rows: [[.text("a\u{0}b")]])
        }
        // The connection is still usable after a refused COPY.
        #expect(try connection.query("SELECT count(*) FROM nul_test")[0].int64(0) == 0)
    }

    @Test func copyTextEscaping() throws {
        let connection = try TestCluster.connect()
        try connection.execute("CREATE TEMP TABLE escape_test (a text, b bigint, c double precision, d text)")
        var written = ""
        try connection.copyIn("COPY escape_test FROM STDIN") { writer in
            try writer.append("a\tb\nc\\d\re")
            writer.append(Int64(-9_223_372_036_854_775_808))
            writer.append(-0.0)
            writer.appendNull()
            written = writer.pendingText
            try writer.endRow()
        }
        #expect(written == "a\\tb\\nc\\\\d\\re\t-9223372036854775808\t-0.0\t\\N")
    }

    /// `bytea` goes in through COPY (a series' blob) and comes back byte for byte, whatever the server's
    /// `bytea_output` default: the session asks for hex.
    @Test func bytesThroughCopyAndBack() throws {
        let connection = try TestCluster.connect()
        try connection.execute("CREATE TEMP TABLE bytes_test (n int, b bytea)")
        let blobs: [[UInt8]] = [[], [0], [0x5C, 0x78, 0x30], Array(0...255), SeriesCodec.encode([SeriesPoint(step: 1, value: .nan)])]
        try connection.copyIn("COPY bytes_test FROM STDIN") { writer in
            for (n, blob) in blobs.enumerated() {
                writer.append(Int64(n))
                writer.append(bytes: blob)
                try writer.endRow()
            }
        }
        try connection.execute("SET bytea_output = 'escape'; SET bytea_output = 'hex'")
        let rows = try connection.query("SELECT b FROM bytes_test ORDER BY n")
        #expect(try rows.map { try $0.bytes(0) } == blobs)
        #expect(try connection.query("SELECT NULL::bytea")[0].bytes(0) == nil)
        #expect(throws: PostgresError.self) { try connection.query("SELECT 'x'::text")[0].bytes(0) }
    }

    /// Text arrays with NULL elements, as the label filter binds them: a text "NULL" stays text.
    @Test func textArraysWithNulls() throws {
        let connection = try TestCluster.connect()
        let rows = try connection.query(
            "SELECT t IS NULL, t FROM unnest($1::text[]) AS x(t)", [try .optionalTextArray(["a,b", nil, "NULL", "{\"}", ""])])
        #expect(rows.map { [$0.text(0) ?? "", $0.text(1) ?? "-"] } == [["f", "a,b"], ["t", "-"], ["f", "NULL"], ["f", "{\"}"], ["f", ""]])
    }

    /// A glob's regular expression: an escape for every character that is not an ASCII letter or digit, sets as
    /// SQLite reads them; what it matches on the server is the contract suite's (`labelGlobsSelectWhatGlobMatches`).
    @Test func globsAsRegularExpressions() throws {
        #expect(Glob("feat-*").postgresRegex == "^feat\\u002d.*$")
        #expect(Glob("a?[^x-z]").postgresRegex == "^a.[^\\u0078-\\u007a]$")
        #expect(Glob("a[b").postgresRegex == "^a[\\u005b]b$")
        #expect(Glob("[]a-]").postgresRegex == "^[\\u005d\\u0061\\u002d]$")
        #expect(Glob("[z-a]").postgresRegex == "^[\\u007a]$")
        #expect(Glob("[^z-a]").postgresRegex == "^[^\\u007a]$")
        #expect(Glob("😀*").postgresRegex == "^\\U0001f600.*$")
        // A set never closed (which `sqlGlob` rules out) matches nothing, as in SQLite.
        let connection = try TestCluster.connect()
        let never = try connection.query("SELECT 'x' ~ $1, '' ~ $1", [.text(".^")])
        #expect(never[0].text(0) == "f" && never[0].text(1) == "f")
    }

    @Test func copyErrorsRollBackTheCopy() throws {
        let connection = try TestCluster.connect()
        try connection.execute("CREATE TEMP TABLE copy_fail (n int PRIMARY KEY)")
        do {
            try connection.copyIn("COPY copy_fail FROM STDIN", rows: [[.int64(1)], [.int64(2)], [.int64(1)]])
            Issue.record("a duplicate key was copied")
        } catch let error as PostgresError {
            #expect(error.sqlState == "23505")
            #expect(error.detail == "Key (n)=(1) already exists.")
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try connection.copyIn("COPY copy_fail FROM STDIN") { writer in
                writer.append(Int64(5))
                try writer.endRow()
                throw Stop()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM copy_fail")[0].int64(0) == 0)
        #expect(!connection.isInTransaction)
    }
}
