import Foundation
import KFPMTestSupport
import Testing

@testable import KFPModel
@testable import KFPStore

/// CI never skips the PostgreSQL tests: with KFPM_REQUIRE_POSTGRES=1 a missing test server is a failure.
struct PostgresAvailabilityTests {
    @Test func theServerIsThereWhenRequired() {
        #expect(!TestPostgres.isRequired || TestPostgres.isAvailable, "\(TestPostgres.skipReason)")
        #expect(!TestPostgres.isRequired || StoreBackend.all.contains { $0.name == "PostgreSQL" })
    }

    @Test func bothBackendsAreAtOneSchemaVersion() {
        #expect(PostgresMigrations.latest == SQLiteMigrations.latest)
    }
}

/// What only the PostgreSQL store does: its own schema, creating and migrating it safely, refusing what is not its
/// own, a collation that does not leak into the output. The `MetricsStore` contract runs in `StoreContractTests`.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresStoreTests {
    /// A URI with a new schema, and that schema's name.
    private func fresh() throws -> (uri: String, schema: String) {
        let schema = TestPostgres.uniqueSchema("s")
        return (TestPostgres.uri(try #require(TestPostgres.uri), schema: schema), schema)
    }

    /// The relations in a schema, sorted.
    private func relations(_ schema: String) throws -> [String] {
        try TestPostgres.psql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)' "
                + "AND c.relkind = 'r' ORDER BY 1"
        ).split(separator: "\n").map(String.init)
    }

    @Test func aWriteCreatesTheSchemaAndItsTablesThere() throws {
        let (uri, schema) = try fresh()
        let store = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        #expect(store.schema == SchemaStatus(version: 4, upgradedFrom: nil))
        #expect(
            try relations(schema) == [
                "experiment", "metric", "metric_name", "metric_series", "metric_stat", "run", "run_label", "run_param",
                "run_source", "store_version",
            ])
        #expect(try TestPostgres.psql("SELECT application || ' ' || version FROM \(schema).store_version") == "kfpm 4")
        // Every name column sorts by bytes, whatever the database's collation.
        let collations = try TestPostgres.psql(
            "SELECT DISTINCT collation_name FROM information_schema.columns WHERE table_schema = '\(schema)' "
                + "AND data_type = 'text'")
        #expect(collations == "C")
        // The test database itself sorts otherwise, so the contract's code-point test means something here.
        #expect(try TestPostgres.psql("SELECT string_agg(x, '' ORDER BY x) FROM (VALUES ('a'), ('B')) v(x)") == "aB")
    }

    /// An import into a store without metrics drops `metric_by_value` and builds it after its rows, in its
    /// transaction: the index is there after the import, and still there after an import that failed.
    @Test func theValueIndexIsBuiltAfterAnImportIntoAnEmptyStoreAndSurvivesOneThatFails() throws {
        let (uri, schema) = try fresh()
        let store = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        func indexes() throws -> String {
            try TestPostgres.psql(
                "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                    + "WHERE schemaname = '\(schema)' AND tablename = 'metric'")
        }
        #expect(try indexes() == "metric_by_value,metric_pkey")
        var batches: [ImportBatch] = [.runs([Build.ingest("a", value: 1, experiment: "e")]), .abort]
        #expect(throws: StoreError.self) { try store.importRuns(replace: false) { batches.removeFirst() } }
        #expect(try indexes() == "metric_by_value,metric_pkey")
        batches = [.runs((0..<50).map { Build.ingest("r\($0)", value: Double($0), experiment: "e") }), .end]
        _ = try store.importRuns(replace: false) { batches.removeFirst() }
        #expect(try indexes() == "metric_by_value,metric_pkey")
        #expect(try TestPostgres.psql("SELECT indisvalid FROM pg_index WHERE indexrelid = '\(schema).metric_by_value'::regclass") == "t")
        let sorted = try store.runs(RunQuery(experiment: "e", sortMetric: "m", ascending: false, limit: 3))
        #expect(sorted.runs.map(\.name) == ["r49", "r48", "r47"])
    }

    @Test func aReadNeverCreatesOrChangesAStore() throws {
        let (uri, schema) = try fresh()
        for access in [StoreAccess.read, .upgrade] {
            #expect {
                try StoreFactory.open(.postgreSQL(uri: uri), for: access)
            } throws: { error in
                guard case StoreError.notFound(let store) = error else { return false }
                return store.hasSuffix("schema=\(schema)") && !store.contains("password")
            }
        }
        #expect(try TestPostgres.psql("SELECT count(*) FROM pg_namespace WHERE nspname = '\(schema)'") == "0")
        // An empty schema (made by a DBA for kfpm's role) is no store for a read, and becomes one on a write.
        try TestPostgres.psql("CREATE SCHEMA \(schema)")
        #expect(throws: StoreError.self) { try StoreFactory.open(.postgreSQL(uri: uri), for: .read) }
        #expect(try relations(schema).isEmpty)
        _ = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        #expect(try relations(schema).count == 10)
    }

    @Test func anOlderStoreIsUpgradedByAWriteOrUpgradeNeverByARead() throws {
        let (uri, schema) = try fresh()
        _ = try StoreFactory.open(.postgreSQL(uri: uri), for: .write).ingest(Build.ingest("old", value: 1), replace: false)
        try TestPostgres.makeSchema2Store(schema)
        #expect {
            try StoreFactory.open(.postgreSQL(uri: uri), for: .read)
        } throws: { error in
            guard case StoreError.olderSchema(_, 2, 4) = error else { return false }
            return "\(error)".contains("kfpm upgrade")
        }
        #expect(try TestPostgres.psql("SELECT version FROM \(schema).store_version") == "2")
        #expect(try relations(schema).count == 8)
        let upgraded = try StoreFactory.open(.postgreSQL(uri: uri), for: .upgrade)
        #expect(upgraded.schema == SchemaStatus(version: 4, upgradedFrom: 2))
        #expect(try TestPostgres.psql("SELECT version FROM \(schema).store_version") == "4")
        #expect(try StoreFactory.open(.postgreSQL(uri: uri), for: .upgrade).schema.upgradedFrom == nil)
        // The run written before reads as it was, and series and parameters can be stored beside it.
        #expect(try upgraded.run(experiment: "Default", name: "old").metrics.map(\.name) == ["m"])
        let new = Build.ingest(
            "new", Build.metrics([("m", 2, .raw)]), params: [Parameter(key: "lr", value: "0.1")],
            series: [MetricSeries(metric: "m", points: [SeriesPoint(step: 1, value: 2)])])
        _ = try upgraded.ingest(new, replace: false)
        #expect(try upgraded.run(experiment: "Default", name: "new").seriesPointCounts == ["m": 1])

        // A write upgrades too.
        let (other, otherSchema) = try fresh()
        _ = try StoreFactory.open(.postgreSQL(uri: other), for: .write)
        try TestPostgres.makeSchema2Store(otherSchema)
        #expect(try StoreFactory.open(.postgreSQL(uri: other), for: .write).schema == SchemaStatus(version: 4, upgradedFrom: 2))
    }

    @Test func aNewerOrForeignOrDamagedSchemaIsRefusedAndLeftAlone() throws {
        let (uri, schema) = try fresh()
        _ = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        try TestPostgres.psql("UPDATE \(schema).store_version SET version = 9")
        #expect {
            try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        } throws: { error in
            guard case StoreError.newerSchema(_, 9, 4) = error else { return false }
            return true
        }
        try TestPostgres.psql("UPDATE \(schema).store_version SET version = -1")
        #expect {
            try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        } throws: { error in
            guard case StoreError.badSchema = error else { return false }
            return true
        }
        #expect(try TestPostgres.psql("SELECT version FROM \(schema).store_version") == "-1")

        let (other, otherSchema) = try fresh()
        try TestPostgres.psql("CREATE SCHEMA \(otherSchema); CREATE TABLE \(otherSchema).accounts (id int)")
        #expect {
            try StoreFactory.open(.postgreSQL(uri: other), for: .write)
        } throws: { error in
            guard case StoreError.notAStore(_, let reason) = error else { return false }
            return reason.contains("holds tables that kfpm did not create")
        }
        #expect(try relations(otherSchema) == ["accounts"])
    }

    /// Eight connections create one new store at the same moment: one migrates under the advisory lock, the others
    /// find it made; all of them then write.
    @Test func manyConnectionsCreatingOneStoreAtOnceAllSucceed() throws {
        for _ in 0..<3 {
            let (uri, schema) = try fresh()
            let start = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            let failures = Failures()
            for writer in 0..<8 {
                group.enter()
                DispatchQueue.global().async {
                    defer { group.leave() }
                    start.wait()
                    do {
                        let store = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
                        _ = try store.ingest(Build.ingest("w\(writer)", value: Double(writer)), replace: false)
                    } catch {
                        failures.add("\(error)")
                    }
                }
            }
            for _ in 0..<8 { start.signal() }
            group.wait()
            #expect(failures.all.isEmpty, "\(failures.all)")
            #expect(try TestPostgres.psql("SELECT count(*) FROM \(schema).run") == "8")
        }
    }

    /// Errors name the store by its display form: no password, whatever fails.
    @Test func messagesNeverShowThePassword() throws {
        let directory = try #require(TestPostgres.directory)
        let uri = "postgresql://kfpm_pw:wrong-Secret-42@/kfpm_test?host=\(directory)"
        #expect {
            try StoreFactory.open(.postgreSQL(uri: uri), for: .read)
        } throws: { error in
            guard case StoreError.unreachable(let store, let detail) = error else { return false }
            return store == "postgresql://kfpm_pw@/kfpm_test?host=\(directory)"
                && detail.contains("password authentication failed for user \"kfpm_pw\"")
                && !"\(error)".contains("Secret")
        }
        #expect(StoreLocation(uri).description == "postgresql://kfpm_pw@/kfpm_test?host=\(directory)")
        #expect(StoreLocation("POSTGRES://u:p@h/db?schema=x").description == "postgresql://u@h/db?schema=x")
    }

    /// A role without privileges on the store gets the server's reason.
    @Test func missingPrivilegesGiveTheServersReason() throws {
        let (uri, schema) = try fresh()
        _ = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        let role = TestPostgres.uniqueSchema("role")
        try TestPostgres.psql("CREATE ROLE \(role) LOGIN")
        let directory = try #require(TestPostgres.directory)
        let asRole = TestPostgres.uri("postgresql://\(role)@/kfpm_test?host=\(directory)", schema: schema)
        #expect {
            try StoreFactory.open(.postgreSQL(uri: asRole), for: .read)
        } throws: { error in
            guard case StoreError.accessDenied(_, let detail) = error else { return false }
            return detail == "permission denied for schema \(schema)"
        }
        // Read-only: USAGE and SELECT read, and a write is refused by the server.
        try TestPostgres.psql("GRANT USAGE ON SCHEMA \(schema) TO \(role); GRANT SELECT ON ALL TABLES IN SCHEMA \(schema) TO \(role)")
        let reader = try StoreFactory.open(.postgreSQL(uri: asRole), for: .write)
        #expect(try reader.experimentNames().isEmpty)
        #expect {
            try reader.ingest(Build.ingest("r", value: 1), replace: false)
        } throws: { error in
            guard case StoreError.accessDenied(_, let detail) = error else { return false }
            return detail.hasPrefix("permission denied for table")
        }
    }

    /// Statistics stay exact when two experiments write the same new metric names at once.
    @Test func concurrentWritersOfOtherExperimentsShareNewNames() throws {
        let (uri, _) = try fresh()
        _ = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        let group = DispatchGroup()
        let failures = Failures()
        for writer in 0..<4 {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                do {
                    let store = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
                    for run in 0..<15 {
                        // Names in opposite orders, new to the store at first.
                        let names = (0..<10).map { "n\(writer % 2 == 0 ? $0 : 9 - $0)-\(run % 3)" }
                        let metrics = names.map { Metric(name: $0, value: Double(run), format: .raw) }.sorted { $0.name < $1.name }
                        _ = try store.ingest(Build.ingest("r\(run)", metrics, experiment: "e\(writer)"), replace: false)
                    }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        group.wait()
        #expect(failures.all.isEmpty, "\(failures.all)")
        let store = try StoreFactory.open(.postgreSQL(uri: uri), for: .read)
        for writer in 0..<4 {
            let statistics = try store.metricStatistics(experiment: "e\(writer)")
            #expect(statistics.count == 30 && statistics.allSatisfy { $0.runCount == 5 })
        }
    }

    /// `metric`, `run_param` and `metric_series` have no foreign key: a replace and a delete remove a run's rows
    /// themselves, leaving none behind (labels and sources cascade), and a run without parameters or series is marked
    /// so (`extras`), so that reading it looks nothing up.
    @Test func replacingAndDeletingLeaveNoRowsBehind() throws {
        let (uri, schema) = try fresh()
        let store = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        let metrics = Build.metrics([("a", 1, .raw), ("b", 2, .raw)])
        let series = [MetricSeries(metric: "a", points: [SeriesPoint(step: 0, value: 1), SeriesPoint(step: 1, value: 2)])]
        let params = [Parameter(key: "lr", value: "0.1"), Parameter(key: "seed", value: "1")]
        _ = try store.ingest(Build.ingest("r", metrics, params: params, series: series, experiment: "e"), replace: false)
        _ = try store.ingest(Build.ingest("keep", metrics, params: params, series: series, experiment: "e"), replace: false)
        /// How many rows of each per-run table belong to no run but `keep`.
        func rows() throws -> String {
            let counts = ["metric", "metric_series", "run_param", "run_label", "run_source"].map {
                "(SELECT count(*) FROM \(schema).\($0) WHERE run_id NOT IN (SELECT id FROM \(schema).run WHERE name = 'keep'))"
            }
            return try TestPostgres.psql("SELECT " + counts.joined(separator: " || ' ' || "))
        }
        #expect(try rows() == "2 1 2 0 1")
        #expect(try TestPostgres.psql("SELECT extras FROM \(schema).run WHERE name = 'r'") == "3")
        _ = try store.ingest(Build.ingest("r", [Metric(name: "a", value: 5, format: .raw)], experiment: "e"), replace: true)
        #expect(try rows() == "1 0 0 0 1")
        #expect(try TestPostgres.psql("SELECT extras FROM \(schema).run WHERE name = 'r'") == "0")
        #expect(try store.deleteRuns(experiment: "e", names: ["r"]) == 1)
        #expect(try rows() == "0 0 0 0 0")
        #expect(try store.run(experiment: "e", name: "keep").seriesPointCounts == ["a": 2])
        #expect(try store.metricStatistics(experiment: "e").map(\.runCount) == [1, 1])
    }
}

/// Errors gathered from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
