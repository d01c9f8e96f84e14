import Foundation
import KFPMTestSupport
import Testing

/// Every SQL statement binds its values: no SQL in Sources/ is built by interpolating or concatenating anything
/// but the reviewed compile-time fragments below.
struct SQLBindingTests {
    /// An interpolation in SQL that was reviewed: what it splices and why that cannot carry user data.
    struct Allowed: Hashable {
        var file: String
        var expression: String
        var reason: String
    }

    /// The reviewed splices. Anything else interpolated into SQL fails the test.
    static let allowList: [Allowed] = [
        Allowed(
            file: "SQLiteStore.swift", expression: "filter",
            reason: "built only from the fixed fragments 'r.experiment_id = ?', ' AND r.id [NOT] IN (SELECT … key = ? "
                + "[AND value = ? | AND value GLOB ?])' and ' AND (r.created_at, r.id) < (SELECT … name = ?)'; every value "
                + "is bound"),
        Allowed(
            file: "SQLiteStore.swift", expression: "scope",
            reason: "the first fixed fragments of 'filter' ('r.experiment_id = ?' and the `before` condition); every "
                + "value is bound"),
        Allowed(
            file: "SQLiteStore.swift", expression: "passes",
            reason: "'1' and the fixed fragments ' AND [NOT] EXISTS (SELECT 1 FROM run_label l WHERE l.run_id = r.id "
                + "AND key = ? [AND value = ? | AND value GLOB ?])'; every value is bound"),
        Allowed(
            file: "SQLiteStore.swift", expression: "test",
            reason: "one of three fixed conditions on run_label ('key = ?', with 'AND value = ?' or 'AND value GLOB "
                + "?'); every value is bound"),
        Allowed(
            file: "SQLiteStore.swift", expression: "negated ? \"NOT IN\" : \"IN\"",
            reason: "the keyword IN or NOT IN, chosen by a Bool"),
        Allowed(
            file: "SQLiteStore.swift", expression: "negated ? \"NOT EXISTS\" : \"EXISTS\"",
            reason: "the keyword EXISTS or NOT EXISTS, chosen by a Bool"),
        Allowed(
            file: "SQLiteStore.swift", expression: "Self.sortThreads",
            reason: "an Int computed from the number of cores (PRAGMA takes no bound parameters)"),
        Allowed(
            file: "SQLiteStore.swift", expression: "order",
            reason: "the keyword ASC or DESC, chosen by a Bool"),
        Allowed(
            file: "SQLiteStore.swift", expression: "newestFirst",
            reason: "a constant ORDER BY … LIMIT ? clause; the limit is bound"),
        Allowed(
            file: "SQLiteStore.swift", expression: "Self.headColumns",
            reason: "a constant list of the run table's columns (id, name, created_at, ingested_at, extras)"),
        Allowed(
            file: "SQLiteStore.swift", expression: "withMetric",
            reason: "a constant FROM … WHERE fragment (a metric's rows joined to their runs); the metric name is bound"),
        Allowed(
            file: "SQLiteMigrations.swift", expression: "createMetricByValue",
            reason: "a constant CREATE INDEX statement of the same file, shared by migration 4 and the writes that "
                + "build the index after their rows"),
        Allowed(
            file: "PostgresMigrations.swift", expression: "createMetricByValue",
            reason: "a constant CREATE INDEX statement of the same file, shared by step 4 and the import that builds "
                + "the index after its rows"),
        Allowed(
            file: "PostgresSQL.swift", expression: "order",
            reason: "the keyword ASC or DESC, from the two constants runsByMetricAscending and runsByMetricDescending"),
        Allowed(
            file: "SQLiteDatabase.swift", expression: "name",
            reason: "a pragma name (pragmaInteger), which SQL cannot bind; checked to be letters and underscores"),
        Allowed(
            file: "SQLiteRunWriter.swift", expression: "placeholders",
            reason: "the `?` parameters of a multi-row VALUES clause (SQLiteRunWriter.placeholders: only ?, commas, "
                + "spaces and parentheses, from integer counts); every value is bound"),
        Allowed(
            file: "SQLiteMigrations.swift", expression: "applicationID",
            reason: "an integer constant; PRAGMA application_id takes no bound parameter"),
        Allowed(
            file: "SQLiteMigrations.swift", expression: "latest",
            reason: "the number of migrations, an integer; PRAGMA user_version takes no bound parameter"),
        Allowed(
            file: "PostgresSQL.swift", expression: "runFilter",
            reason: "a constant WHERE fragment of the same file, spliced at compile time into the four run queries "
                + "that share it; its values (label conditions as arrays, a glob as a regular expression) are the bound "
                + "parameters $1–$8"),
        Allowed(
            file: "PostgresConnection.swift", expression: "isolation.rawValue",
            reason: "an isolation level keyword from a closed enum (READ COMMITTED, REPEATABLE READ, SERIALIZABLE)"),
        Allowed(
            file: "PostgresStore+Opening.swift", expression: "location.quotedSchema",
            reason: "CREATE SCHEMA takes no bound identifier; the schema name was checked to be a plain lowercase "
                + "identifier (PostgresLocation.checkSchemaName) and is double-quoted"),
    ]

    // MARK: - Scanning

    /// One way SQL text was put together from something other than a literal.
    struct Finding: Hashable, CustomStringConvertible {
        var file: String
        var line: Int
        var kind: String
        var expression: String
        var description: String { "\(file):\(line): \(kind) `\(expression)`" }
    }

    /// A string literal of the source: its text outside interpolations, its interpolated expressions, and
    /// where it ends, so that what follows it can be checked.
    struct Literal {
        var text: String
        var interpolations: [String]
        var line: Int
        var start: Int
        var end: Int
    }

    /// Upper-case SQL keywords or a bound parameter mark a literal as SQL (messages are lower-case prose).
    static func isSQL(_ text: String) -> Bool {
        let keywords = [
            "SELECT ", "INSERT ", "UPDATE ", "DELETE ", "PRAGMA ", "CREATE ", "DROP ", "ALTER ", "BEGIN", "COMMIT",
            "ROLLBACK", " WHERE ", "ORDER BY", " LIMIT", " AND ", " FROM ", "VALUES",
        ]
        return keywords.contains { text.contains($0) } || text.contains(/[ (,=]\?/)
    }

    /// The string literals of Swift source text, with their interpolations; comments are skipped.
    static func literals(in source: String) -> [Literal] {
        let chars = Array(source)
        var result: [Literal] = []
        var i = 0
        var line = 1
        func at(_ k: Int, _ text: String) -> Bool {
            let t = Array(text)
            return k + t.count <= chars.count && Array(chars[k..<k + t.count]) == t
        }
        /// Reads a literal whose opening delimiter ends at `k`; returns it and the index after it.
        func readLiteral(from k: Int, multiline: Bool, hashes: Int) -> (Literal, Int) {
            let close = (multiline ? "\"\"\"" : "\"") + String(repeating: "#", count: hashes)
            let escape = "\\" + String(repeating: "#", count: hashes)
            var j = k
            var text = ""
            var interpolations: [String] = []
            let startLine = line
            while j < chars.count {
                if at(j, close) {
                    let literal = Literal(
                        text: text, interpolations: interpolations, line: startLine, start: k, end: j + close.count)
                    return (literal, j + close.count)
                }
                if at(j, escape + "(") {
                    // An interpolation: balanced parentheses, skipping nested literals.
                    var depth = 1
                    var m = j + escape.count + 1
                    var expression = ""
                    while m < chars.count && depth > 0 {
                        if chars[m] == "\"" {
                            let nested = readLiteral(from: m + 1, multiline: false, hashes: 0)
                            expression += "\"" + nested.0.text + "\""
                            m = nested.1
                            continue
                        }
                        if chars[m] == "(" { depth += 1 }
                        if chars[m] == ")" { depth -= 1 }
                        if depth > 0 { expression.append(chars[m]) }
                        m += 1
                    }
                    interpolations.append(expression.trimmingCharacters(in: .whitespaces))
                    text += "\u{1}"
                    j = m
                    continue
                }
                if at(j, escape) {
                    text.append(chars[j])
                    if j + escape.count < chars.count { text.append(chars[j + escape.count]) }
                    j += escape.count + 1
                    continue
                }
                if chars[j] == "\n" { line += 1 }
                text.append(chars[j])
                j += 1
            }
            return (Literal(text: text, interpolations: interpolations, line: startLine, start: k, end: j), j)
        }
        while i < chars.count {
            if at(i, "//") {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if at(i, "/*") {
                while i < chars.count && !at(i, "*/") {
                    if chars[i] == "\n" { line += 1 }
                    i += 1
                }
                i += 2
                continue
            }
            if chars[i] == "\n" { line += 1 }
            var hashes = 0
            while at(i + hashes, "#") { hashes += 1 }
            if at(i + hashes, "\"") && (hashes == 0 || !chars[i - 1].isLetter) {
                let multiline = at(i + hashes, "\"\"\"")
                let open = i + hashes + (multiline ? 3 : 1)
                let (literal, next) = readLiteral(from: open, multiline: multiline, hashes: hashes)
                var found = literal
                found.start = i
                result.append(found)
                i = next
                continue
            }
            i += 1
        }
        return result
    }

    /// Every interpolation into SQL, every concatenation of SQL with a non-literal, and every `+=` of a
    /// non-literal onto a variable that holds SQL.
    static func findings(in source: String, file: String) -> [Finding] {
        let chars = Array(source)
        let all = literals(in: source)
        var findings: [Finding] = []
        var sqlVariables = Set<String>()
        /// The identifier that ends just before `index` (spaces skipped).
        func word(before index: Int) -> String {
            var k = index - 1
            while k >= 0 && chars[k] == " " { k -= 1 }
            let end = k + 1
            while k >= 0 && (chars[k].isLetter || chars[k].isNumber || chars[k] == "_") { k -= 1 }
            return String(chars[(k + 1)..<end])
        }
        for literal in all where isSQL(literal.text) {
            for expression in literal.interpolations {
                findings.append(Finding(file: file, line: literal.line, kind: "interpolation", expression: expression))
            }
            // `x = "SQL"`, `var x = "SQL"`, `x += "SQL"`: x holds SQL.
            var k = literal.start - 1
            while k >= 0 && chars[k] == " " { k -= 1 }
            if k >= 0 && chars[k] == "=" {
                var op = k
                if op > 0 && chars[op - 1] == "+" { op -= 1 }
                let name = word(before: op)
                if !name.isEmpty { sqlVariables.insert(name) }
            }
            // "SQL" + something that is not a literal, or something + "SQL".
            var after = literal.end
            while after < chars.count && chars[after] == " " { after += 1 }
            if after < chars.count && chars[after] == "+" {
                var next = after + 1
                while next < chars.count && (chars[next] == " " || chars[next] == "\n") { next += 1 }
                if next < chars.count && chars[next] != "\"" {
                    var end = next
                    while end < chars.count && (chars[end].isLetter || chars[end].isNumber || "_.".contains(chars[end])) {
                        end += 1
                    }
                    let name = String(chars[next..<end])
                    findings.append(Finding(file: file, line: literal.line, kind: "concatenation", expression: name))
                }
            }
            if k >= 0 && chars[k] == "+" && !(k + 1 < chars.count && chars[k + 1] == "=") {
                findings.append(Finding(file: file, line: literal.line, kind: "concatenation", expression: word(before: k)))
            }
        }
        // `sqlVariable += expression` where the expression is not a literal.
        let lines = source.components(separatedBy: "\n")
        for (number, text) in lines.enumerated() {
            for variable in sqlVariables {
                // The variable itself, not a member of the same name (`summary.metrics += 1`).
                guard let range = text.range(of: "\(variable) += ") else { continue }
                if let before = text[..<range.lowerBound].last, before.isLetter || before.isNumber || "_.".contains(before) {
                    continue
                }
                let rest = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if !rest.hasPrefix("\"") {
                    findings.append(Finding(file: file, line: number + 1, kind: "appended", expression: rest))
                }
            }
        }
        return findings
    }

    /// The Swift files under Sources/.
    static func sourceFiles() -> [URL] {
        let root = Fixtures.repositoryRoot.appendingPathComponent("Sources")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "swift" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    // MARK: - Tests

    @Test func noSQLIsBuiltFromAnythingButReviewedConstants() throws {
        let files = Self.sourceFiles()
        #expect(files.count > 20)
        var used = Set<Allowed>()
        var sqlLiterals = 0
        for url in files {
            let source = try String(contentsOf: url, encoding: .utf8)
            sqlLiterals += Self.literals(in: source).filter { Self.isSQL($0.text) }.count
            for finding in Self.findings(in: source, file: url.lastPathComponent) {
                if let allowed = Self.allowList.first(where: {
                    $0.file == finding.file && $0.expression == finding.expression && finding.kind == "interpolation"
                }) {
                    used.insert(allowed)
                } else {
                    let advice = "bind the value with ?, or review the splice and add it to the allow-list with a reason"
                    Issue.record("SQL built from a non-constant: \(finding); \(advice)")
                }
            }
        }
        #expect(sqlLiterals > 30, "the scanner sees the store's SQL")
        for stale in Set(Self.allowList).subtracting(used) {
            Issue.record("allow-list entry no longer used, remove it: \(stale.file) \(stale.expression)")
        }
    }

    @Test func theScannerCatchesSplicedValues() {
        let hostile = #"""
            func a(_ name: String, _ id: Int64) throws {
                try db.prepare("SELECT id FROM run WHERE name = '\(name)'").run()
                let sql = "DELETE FROM metric WHERE run_id = " + String(id)
                var filter = "r.experiment_id = ?"
                filter += userText
                try db.execute("""
                    UPDATE run SET name = \(name.uppercased()) WHERE id = ?
                    """)
                try db.execute(prefix + " WHERE x = ?")
            }
            """#
        let found = Self.findings(in: hostile, file: "Hostile.swift")
        #expect(found.contains { $0.kind == "interpolation" && $0.expression == "name" && $0.line == 2 })
        #expect(found.contains { $0.kind == "concatenation" && $0.expression == "String" && $0.line == 3 })
        #expect(found.contains { $0.kind == "appended" && $0.expression == "userText" && $0.line == 5 })
        #expect(found.contains { $0.kind == "interpolation" && $0.expression == "name.uppercased()" && $0.line == 6 })
        #expect(found.contains { $0.kind == "concatenation" && $0.expression == "prefix" && $0.line == 9 })
        #expect(found.count == 5, "\(found)")

        let safe = #"""
            // SELECT * FROM x WHERE y = '\(comment)'
            func b(_ name: String) throws {
                try db.prepare("SELECT id FROM run WHERE name = ?").run([.text(name)])
                throw Failure(message: "no run '\(name)' in the store")
                var sql = "SELECT 1"
                sql += " LIMIT ?"
            }
            """#
        #expect(Self.findings(in: safe, file: "Safe.swift").isEmpty)
    }
}
