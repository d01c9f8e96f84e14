import Foundation

/// The throwaway PostgreSQL server the tests use, which `Scripts/test.sh` starts when the server binaries are
/// installed (in a database created with an en-US ICU collation, so that output that depended on the database's
/// collation would show), and points the tests at through the environment:
///
/// - `KFPM_TEST_POSTGRES_URI`: the superuser's URI of that database; its socket folder is the cluster's folder.
/// - `KFPM_TEST_POSTGRES_SKIP`: why there is no server, when there is none (reported on the skipped tests).
/// - `KFPM_REQUIRE_POSTGRES=1` (CI): a missing server is a failure, never a skip.
public enum TestPostgres {
    /// The test database's URI, when a server is running for the tests.
    public static let uri: String? = ProcessInfo.processInfo.environment["KFPM_TEST_POSTGRES_URI"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// Whether the PostgreSQL tests can run.
    public static var isAvailable: Bool { uri != nil }

    /// Whether a missing server must fail the tests (CI sets KFPM_REQUIRE_POSTGRES=1).
    public static let isRequired = ProcessInfo.processInfo.environment["KFPM_REQUIRE_POSTGRES"] == "1"

    /// Why the PostgreSQL tests are skipped.
    public static var skipReason: String {
        let why = ProcessInfo.processInfo.environment["KFPM_TEST_POSTGRES_SKIP"] ?? "KFPM_TEST_POSTGRES_URI is not set"
        return "no PostgreSQL server for the tests: \(why); Scripts/test.sh starts one when the server is installed "
            + "(Debian: apt-get install postgresql)"
    }

    /// The cluster's folder (its unix socket is in it), from the URI's `host` parameter.
    public static var directory: String? {
        guard let uri, let range = uri.range(of: "host=") else { return nil }
        return String(uri[range.upperBound...].prefix { $0 != "&" })
    }

    /// `Scripts/pg-cluster.sh`, which starts, stops and kills throwaway clusters.
    public static let clusterScript = Fixtures.repositoryRoot.appendingPathComponent("Scripts/pg-cluster.sh").path

    /// A new schema name no other test uses (lowercase letters, digits, underscores).
    public static func uniqueSchema(_ prefix: String = "t") -> String {
        "\(prefix)_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// `uri` with `?schema=NAME` (or `&schema=NAME`) added.
    public static func uri(_ uri: String, schema: String) -> String {
        uri + (uri.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// The test database's URI with a new schema: a store no other test touches.
    public static func freshStoreURI(_ prefix: String = "t") -> String? {
        uri.map { self.uri($0, schema: uniqueSchema(prefix)) }
    }

    /// Runs SQL with psql against `database` (default: the test database) as the superuser; returns its output
    /// (unaligned, tuples only). Throws with psql's stderr when it fails.
    @discardableResult
    public static func psql(_ sql: String, database: String? = nil) throws -> String {
        guard let target = database ?? uri else { throw Failure(message: skipReason) }
        return try run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", target, "-c", sql])
    }

    /// Turns the store in `schema`, written by this kfpm, back into one written by a kfpm of schema 2 (before series
    /// and parameters), its runs kept: migration 3 undone, as an older store to upgrade.
    public static func makeSchema2Store(_ schema: String) throws {
        try psql(
            "DROP TABLE \(schema).metric_series, \(schema).run_param; ALTER TABLE \(schema).run DROP COLUMN extras; "
                + "UPDATE \(schema).store_version SET version = 2")
    }

    /// Runs a command (through /usr/bin/env), returns its standard output; throws with its stderr when it fails.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let result = try ProcessResult.capture(process)
        guard result.status == 0 else {
            throw Failure(message: "\(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A cluster of a test's own (for tests that stop or kill the server), in a new short folder under /tmp;
    /// `stop()` stops it and removes the folder.
    public struct Cluster: Sendable {
        public let directory: String
        /// The superuser's URI of its `postgres` database.
        public let uri: String

        /// Initialises and starts a new cluster (about 1–2 s).
        public init() throws {
            directory = "/tmp/kfpm-pg-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
            uri = try TestPostgres.run([TestPostgres.clusterScript, "start", directory])
        }

        /// Starts the server again after `stop` or `kill`.
        public func start() throws { try TestPostgres.run([TestPostgres.clusterScript, "start", directory]) }
        /// Stops the server at once, as a crash does (immediate shutdown).
        public func kill() throws { try TestPostgres.run([TestPostgres.clusterScript, "kill", directory]) }
        /// Stops the server and removes the cluster.
        public func remove() {
            _ = try? TestPostgres.run([TestPostgres.clusterScript, "stop", directory])
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// A failure of the harness (psql or the cluster script).
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }
}
