import Foundation
@testable import KFPStore
import KFPMTestSupport
import Testing

/// Faults: no libpq, no server, unreachable or silent server, wrong password, missing privileges, a backend
/// terminated or a server killed in the middle of a transaction.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresFaultTests {
    private let password = "S3cret-Pa55word"

    /// Connects and returns the error, with how long the attempt took.
    private func connectError(_ uri: String) -> (PostgresError?, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try PostgresConnection(uri: uri)
            return (nil, start.duration(to: clock.now))
        } catch {
            return (error, start.duration(to: clock.now))
        }
    }

    private func expectNoSecret(_ error: PostgresError, _ secret: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for text in [error.description, error.message, error.detail ?? "", error.hint ?? "", "\(error)", String(reflecting: error)] {
            #expect(!text.contains(secret), "\(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func missingLibpqIsExplained() {
        do {
            _ = try LibPQ.load(names: ["libpq-that-is-not-installed.so.5"])
            Issue.record("loaded a library that does not exist")
        } catch {
            #expect(error.kind == .libraryMissing)
            #expect(error.message == "PostgreSQL stores need libpq (Debian: apt-get install libpq5)")
            #expect(error.detail?.contains("libpq-that-is-not-installed.so.5") == true)
        }
        #expect(throws: PostgresError.self) { try LibPQ.load(names: ["libc.so.6"]) }  // loads, lacks PQconnectdb
    }

    @Test func noServerOnTheSocketFailsFast() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestCluster.uniqueName("nosrv")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (error, elapsed) = connectError("postgresql://kfpm_pw:\(password)@/metrics?host=\(directory)")
        let failure = try #require(error)
        print("no server (socket): \(failure) [\(elapsed)]")
        #expect(failure.kind == .connect)
        #expect(elapsed < .seconds(1))
        #expect(failure.description.hasPrefix("cannot connect to the store at postgresql://kfpm_pw@/metrics?host=\(directory): "))
        #expect(failure.message.contains("No such file or directory"))
        expectNoSecret(failure, password)
    }

    @Test func refusedTCPConnectionFailsFast() throws {
        let (error, elapsed) = connectError("postgresql://kfpm:\(password)@127.0.0.1:1/metrics?sslmode=prefer")
        let failure = try #require(error)
        print("no server (TCP): \(failure) [\(elapsed)]")
        #expect(elapsed < .seconds(1))
        #expect(failure.description.hasPrefix("cannot connect to the store at postgresql://kfpm@127.0.0.1:1/metrics: "))
        #expect(failure.message.contains("Connection refused"))
        expectNoSecret(failure, password)
    }

    /// A server that accepts TCP connections but never answers: the connect timeout ends the wait.
    @Test func silentServerTimesOut() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let (error, elapsed) = connectError("postgresql://kfpm:\(password)@127.0.0.1:\(port)/metrics?connect_timeout=2")
        let failure = try #require(error)
        print("silent server: \(failure) [\(elapsed)]")
        #expect(elapsed >= .milliseconds(1900) && elapsed < .seconds(5))
        #expect(failure.message.contains("timeout expired"))
        expectNoSecret(failure, password)
    }

    @Test func wrongPasswordGivesTheServersReason() throws {
        let cluster = try TestCluster.get()
        let (error, _) = connectError(cluster.passwordURI(password: password))
        let failure = try #require(error)
        print("wrong password: \(failure)")
        #expect(failure.kind == .connect)
        #expect(failure.message == "password authentication failed for user \"kfpm_pw\"")
        #expect(failure.description.hasPrefix("cannot connect to the store at postgresql://kfpm_pw@/postgres?host="))
        expectNoSecret(failure, password)
        // The right password (in the URI, or in ?password=) connects.
        let connection = try PostgresConnection(uri: cluster.passwordURI(password: cluster.password))
        #expect(try connection.query("SELECT current_user")[0].text(0) == "kfpm_pw")
        let viaParameter = try PostgresConnection(
            uri: "postgresql://kfpm_pw@/postgres?host=\(cluster.directory)&password=\(cluster.password)")
        #expect(viaParameter.location.displayURI == "postgresql://kfpm_pw@/postgres?host=\(cluster.directory)")
    }

    @Test func missingPrivilegesGiveTheServersReason() throws {
        let cluster = try TestCluster.get()
        let admin = try TestCluster.connect()
        let role = TestCluster.uniqueName("noperm")
        let table = "public." + TestCluster.uniqueName("private")
        let database = TestCluster.uniqueName("closed")
        try admin.execute("CREATE ROLE \(role) LOGIN; CREATE TABLE \(table) (x int)")
        try admin.execute("CREATE DATABASE \(database)")
        try admin.execute("REVOKE CONNECT ON DATABASE \(database) FROM PUBLIC")
        defer {
            try? admin.execute("DROP TABLE \(table)")
            try? admin.execute("DROP DATABASE \(database)")
            try? admin.execute("DROP ROLE \(role)")
        }
        let connection = try PostgresConnection(uri: "postgresql://\(role)@/postgres?host=\(cluster.directory)")
        do {
            _ = try connection.query("SELECT * FROM \(table)")
            Issue.record("read a table without the privilege")
        } catch {
            print("no privilege: \(error)")
            #expect(error.sqlState == "42501" && error.isPermissionDenied)
            #expect(error.message == "permission denied for table \(table.dropFirst("public.".count))")
        }
        let (error, _) = connectError("postgresql://\(role)@/\(database)?host=\(cluster.directory)")
        let failure = try #require(error)
        print("no CONNECT privilege: \(failure)")
        #expect(failure.message == "permission denied for database \"\(database)\"")
        #expect(failure.detail == "User does not have CONNECT privilege.")
    }

    /// pg_terminate_backend from another connection in the middle of a transaction: the next statement reports a
    /// lost connection (no SIGPIPE kills the process), and nothing of the transaction is committed.
    @Test func terminatedBackendLosesTheTransaction() throws {
        let admin = try TestCluster.connect()
        let table = "public." + TestCluster.uniqueName("terminated")
        try admin.execute("CREATE TABLE \(table) (x int)")
        defer { try? admin.execute("DROP TABLE \(table)") }
        let victim = try TestCluster.connect()
        do {
            try victim.writeTransaction {
                try victim.run("INSERT INTO \(table) VALUES (1)")
                let terminated = try admin.query(
                    "SELECT pg_terminate_backend($1::int, 5000)", [.int64(Int64(victim.backendPID))])
                #expect(terminated[0].text(0) == "t")
                try victim.run("INSERT INTO \(table) VALUES (2)")
            }
            Issue.record("the transaction survived its backend")
        } catch let error as PostgresError {
            print("terminated backend: \(error)")
            #expect(error.isConnectionLost)
            #expect(!error.isRetryable)
            #expect(error.description.hasPrefix("lost the connection to the store at postgresql://postgres@/postgres?host="))
        }
        #expect(!victim.isConnected)
        #expect(throws: PostgresError.self) { try victim.execute("SELECT 1") }
        #expect(try admin.query("SELECT count(*) FROM \(table)")[0].int64(0) == 0)
    }

    /// The same in the middle of a COPY: PQputCopyData on a dead socket fails cleanly.
    @Test func terminatedBackendDuringCopy() throws {
        let admin = try TestCluster.connect()
        let table = "public." + TestCluster.uniqueName("copykill")
        try admin.execute("CREATE TABLE \(table) (x bigint, t text)")
        defer { try? admin.execute("DROP TABLE \(table)") }
        let victim = try TestCluster.connect()
        do {
            try victim.copyIn("COPY \(table) FROM STDIN") { writer in
                for index in 0..<200_000 {
                    writer.append(Int64(index))
                    try writer.append("row \(index) with some text to fill the buffer")
                    try writer.endRow()
                    if index == 20_000 {
                        _ = try admin.query("SELECT pg_terminate_backend($1::int, 5000)", [.int64(Int64(victim.backendPID))])
                    }
                }
            }
            Issue.record("the COPY survived its backend")
        } catch let error as PostgresError {
            print("terminated during COPY: \(error)")
            #expect(error.isConnectionLost)
        }
        #expect(try admin.query("SELECT count(*) FROM \(table)")[0].int64(0) == 0)
    }

    /// A server killed (immediate shutdown, as a crash) mid-transaction: an error, nothing committed after restart,
    /// and connecting to the stopped server fails at once.
    @Test func killedServerLosesTheTransaction() throws {
        let directory = "/tmp/kfpm-pgcrash-\(UInt32.random(in: 0...UInt32.max))"
        let cluster = try TestCluster.start(directory: directory)
        defer {
            _ = try? TestCluster.run([TestCluster.script, "stop", directory])
            try? FileManager.default.removeItem(atPath: directory)
        }
        let admin = try PostgresConnection(uri: cluster.uri)
        try admin.execute("DROP TABLE IF EXISTS public.crash; CREATE TABLE public.crash (x int)")
        let victim = try PostgresConnection(uri: cluster.uri)
        do {
            try victim.writeTransaction {
                try victim.run("INSERT INTO public.crash VALUES (1)")
                try TestCluster.run([TestCluster.script, "kill", directory])
                try victim.run("INSERT INTO public.crash VALUES (2)")
            }
            Issue.record("the transaction survived the server")
        } catch let error as PostgresError {
            print("killed server: \(error) connected=\(victim.isConnected) state=\(error.sqlState ?? "-")")
            #expect(error.isConnectionLost)
        }
        let (error, elapsed) = connectError(cluster.passwordURI(password: password))
        let failure = try #require(error)
        print("stopped server: \(failure) [\(elapsed)]")
        #expect(elapsed < .seconds(1))
        expectNoSecret(failure, password)
        _ = try TestCluster.start(directory: directory)
        let after = try PostgresConnection(uri: cluster.uri)
        #expect(try after.query("SELECT count(*) FROM public.crash")[0].int64(0) == 0)
    }
}
