import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPStore

/// A store backend the contract and golden tests run against, each test with a new, empty store.
struct StoreBackend: CustomTestStringConvertible, Sendable {
    var name: String
    /// A new, empty store; `close` it (drop it) when done.
    var make: @Sendable () throws -> any MetricsStore

    var testDescription: String { name }

    /// The embedded store, in memory.
    static let sqlite = StoreBackend(name: "SQLite") { try StoreFactory.open(.file(path: ":memory:"), for: .write) }

    /// The team store: a new schema in the test server's database (`TestPostgres`, started by `Scripts/test.sh`),
    /// which has an en-US ICU collation. Nil without a server.
    static let postgreSQL: StoreBackend? = TestPostgres.uri.map { _ in
        StoreBackend(name: "PostgreSQL") {
            guard let uri = TestPostgres.freshStoreURI() else { throw TestPostgres.Failure(message: TestPostgres.skipReason) }
            return try StoreFactory.open(.postgreSQL(uri: uri), for: .write)
        }
    }

    /// Every backend available here: SQLite, and PostgreSQL when the test server runs (always in CI, where
    /// `PostgresAvailabilityTests` fails otherwise).
    static var all: [StoreBackend] { [.sqlite] + (postgreSQL.map { [$0] } ?? []) }
}

/// The store the golden files are made from: experiment `demo` with a real KFP v1 run and three synthetic runs
/// an hour apart, experiment `other` with a real KFP v2 run.
enum GoldenStore {
    static func make(_ backend: StoreBackend = .sqlite) throws -> any MetricsStore {
        let store = try backend.make()
        let runs: [(String, String, String, [Label])] = [
            ("demo", "run-39", "kfp-v1/accuracy.json", [Label(key: "branch", value: "main")]),
            ("demo", "run-40", "synthetic/run-40.json", [Label(key: "branch", value: "main")]),
            ("demo", "run-41", "synthetic/run-41.json", [Label(key: "branch", value: "main"), Label(key: "commit", value: "a1b2c3")]),
            ("demo", "run-42", "synthetic/run-42.json", [Label(key: "branch", value: "feature/x")]),
            ("other", "run-1", "kfp-v2/executor_output_two_metrics.json", []),
        ]
        for (i, (experiment, run, fixture, labels)) in runs.enumerated() {
            let request = IngestRequest(
                experiment: experiment, run: run, paths: [Fixtures.path(fixture)], labels: labels,
                time: Date(timeIntervalSince1970: 1_790_000_000 + Double(i) * 3600))
            let result = try Ingestor.ingest(request, openStore: { store }, standardInput: { [] })
            guard result.outcome != nil else { throw GoldenStoreError(diagnostics: result.diagnostics) }
        }
        return store
    }

    struct GoldenStoreError: Error { var diagnostics: [Diagnostic] }
}
