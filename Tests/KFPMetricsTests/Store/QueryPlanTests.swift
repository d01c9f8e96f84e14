import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// `show` and `compare` read a run through indexes only: no statement scans the metric table, whatever its size.
struct QueryPlanTests {
    /// The `EXPLAIN QUERY PLAN` lines of a statement with every parameter bound to 1.
    private func plan(_ sql: String, in db: SQLiteDatabase) throws -> [String] {
        let statement = try db.prepare("EXPLAIN QUERY PLAN " + sql)
        let parameters = sql.filter { $0 == "?" }.count
        return try statement.rows(Array(repeating: .integer(1), count: parameters)) { $0.text(at: 3) }
    }

    @Test func runReadsAndHistoryAreIndexBacked() throws {
        try withTemporaryFolder { folder in
            _ = try SQLiteStore(path: folder.file("s.db"), access: .write)
            let db = try SQLiteDatabase(path: folder.file("s.db"), mode: .readWrite)
            for sql in SQLiteStore.RunStatements.all + [SQLiteStore.historyStatement] {
                let lines = try plan(sql, in: db)
                #expect(!lines.isEmpty)
                for line in lines {
                    // "SCAN <table>" without an index reads every row; SEARCH and covering-index scans do not.
                    let fullScan = line.hasPrefix("SCAN ") && !line.contains("INDEX")
                    #expect(!fullScan, "\(sql)\n→ \(line)")
                }
            }
            // The metric rows of each run come by primary key; those of a list's columns by run and name.
            #expect(try plan(SQLiteStore.RunStatements.metrics, in: db).contains { $0.hasPrefix("SEARCH m USING PRIMARY KEY (run_id=?)") })
            #expect(try plan(SQLiteStore.RunStatements.namedMetrics, in: db).contains {
                $0.hasPrefix("SEARCH m USING PRIMARY KEY (run_id=? AND name_id=?)")
            })
            // Parameters and series of one run: by key too, so that a run without them costs one empty seek each.
            #expect(try plan(SQLiteStore.RunStatements.params, in: db).contains { $0.hasPrefix("SEARCH p USING PRIMARY KEY (run_id=?)") })
            for sql in [SQLiteStore.RunStatements.seriesCounts, SQLiteStore.RunStatements.allSeries, SQLiteStore.RunStatements.oneSeries] {
                #expect(try plan(sql, in: db).contains { $0.hasPrefix("SEARCH s USING INDEX sqlite_autoindex_metric_series_1 (run_id=?") }, "\(sql)")
            }
            #expect(try plan(SQLiteStore.historyStatement, in: db).contains { $0.contains("USING") && $0.contains("metric_by_value") || $0.contains("PRIMARY KEY") })
        }
    }
}
