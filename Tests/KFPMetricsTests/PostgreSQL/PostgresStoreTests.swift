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
        #expect(store.schema == SchemaStatus(version: 2, upgradedFrom: nil))
        #expect(
            try relations(schema) == [
                "experiment", "metric", "metric_name", "metric_stat", "run", "run_label", "run_source", "store_version",
            ])
        #expect(try TestPostgres.psql("SELECT application || ' ' || version FROM \(schema).store_version") == "kfpm 2")
        // Every name column sorts by bytes, whatever the database's collation.
        let collations = try TestPostgres.psql(
            "SELECT DISTINCT collation_name FROM information_schema.columns WHERE table_schema = '\(schema)' "
                + "AND data_type = 'text'")
        #expect(collations == "C")
        // The test database itself sorts otherwise, so the contract's code-point test means something here.
        #expect(try TestPostgres.psql("SELECT string_agg(x, '' ORDER BY x) FROM (VALUES ('a'), ('B')) v(x)") == "aB")
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
        #expect(try relations(schema).count == 8)
    }

    @Test func anOlderStoreIsUpgradedByAWriteOrUpgradeNeverByARead() throws {
        let (uri, schema) = try fresh()
        _ = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        try TestPostgres.psql("UPDATE \(schema).store_version SET version = 1")
        #expect {
            try StoreFactory.open(.postgreSQL(uri: uri), for: .read)
        } throws: { error in
            guard case StoreError.olderSchema(_, 1, 2) = error else { return false }
            return "\(error)".contains("kfpm upgrade")
        }
        #expect(try TestPostgres.psql("SELECT version FROM \(schema).store_version") == "1")
        let upgraded = try StoreFactory.open(.postgreSQL(uri: uri), for: .upgrade)
        #expect(upgraded.schema == SchemaStatus(version: 2, upgradedFrom: 1))
        #expect(try TestPostgres.psql("SELECT version FROM \(schema).store_version") == "2")
        #expect(try StoreFactory.open(.postgreSQL(uri: uri), for: .upgrade).schema.upgradedFrom == nil)
    }

    @Test func aNewerOrForeignOrDamagedSchemaIsRefusedAndLeftAlone() throws {
        let (uri, schema) = try fresh()
        _ = try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        try TestPostgres.psql("UPDATE \(schema).store_version SET version = 9")
        #expect {
            try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        } throws: { error in
            guard case StoreError.newerSchema(_, 9, 2) = error else { return false }
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
