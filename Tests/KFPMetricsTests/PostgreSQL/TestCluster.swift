import Foundation
import KFPMTestSupport

@testable import KFPStore

/// The test server (`TestPostgres`) as the connection-level tests use it: its `postgres` database, the `kfpm_pw`
/// role with a password, and clusters of a test's own for the tests that kill a server.
enum TestCluster {
    /// Where a cluster lives and how to reach it.
    struct Info: Sendable {
        /// The cluster's folder (data in `data/`, the unix socket in the folder itself).
        let directory: String
        /// The superuser URI (`postgresql://postgres@/postgres?host=DIR`).
        let uri: String
        /// The password of the `kfpm_pw` role (SCRAM over the socket).
        let password: String

        /// A URI for `kfpm_pw`, with `password` in the user info.
        func passwordURI(password: String) -> String {
            "postgresql://kfpm_pw:\(password)@/postgres?host=\(directory)"
        }
    }

    /// The password `Scripts/pg-cluster.sh` gives the `kfpm_pw` role.
    static let password = "kfpm-test-password"
    static let script = TestPostgres.clusterScript

    /// The shared test server, or the reason there is none.
    static func get() throws -> Info {
        guard let directory = TestPostgres.directory else { throw TestPostgres.Failure(message: TestPostgres.skipReason) }
        return Info(directory: directory, uri: "postgresql://postgres@/postgres?host=\(directory)", password: password)
    }

    /// Starts (initialising on first use) a cluster in `directory`; the caller stops it.
    static func start(directory: String) throws -> Info {
        let uri = try TestPostgres.run([script, "start", directory])
        return Info(directory: directory, uri: uri, password: password)
    }

    /// Runs a command, returns its standard output; throws with its standard error when it fails.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String { try TestPostgres.run(arguments) }

    /// A connection to the shared server as the superuser.
    static func connect() throws -> PostgresConnection {
        try PostgresConnection(uri: get().uri)
    }

    /// A table or schema name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
    }
}
