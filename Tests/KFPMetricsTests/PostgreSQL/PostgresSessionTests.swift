import Foundation
@testable import KFPStore
import KFPMTestSupport
import Testing

/// What a connection sets up and passes through to libpq: schema, application name, libpq parameters, ~/.pgpass.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresSessionTests {
    @Test func sessionSettings() throws {
        let cluster = try TestCluster.get()
        let connection = try PostgresConnection(
            uri: "postgres://postgres@/postgres?host=\(cluster.directory)&schema=team_a&sslmode=disable")
        #expect(connection.location.schema == "team_a")
        #expect(try connection.query("SHOW search_path")[0].text(0) == "\"team_a\"")
        #expect(try connection.query("SHOW application_name")[0].text(0) == "kfpm")
        #expect(try connection.query("SHOW client_encoding")[0].text(0) == "UTF8")
        #expect(try connection.query("SHOW extra_float_digits")[0].text(0) == "3")
        #expect(connection.serverVersion >= 150000)
        #expect(connection.backendPID > 0)
        // The schema need not exist yet: unqualified names then fail rather than land in public.
        #expect(throws: PostgresError.self) { try connection.execute("CREATE TABLE nowhere (x int)") }
        let named = try PostgresConnection(
            uri: "postgresql://postgres@/postgres?host=\(cluster.directory)&application_name=mine&connect_timeout=3")
        #expect(try named.query("SHOW application_name")[0].text(0) == "mine")
    }

    @Test func unknownParametersAreLibpqs() throws {
        let cluster = try TestCluster.get()
        do {
            _ = try PostgresConnection(uri: "postgresql://kfpm_pw:pw-secret@/postgres?host=\(cluster.directory)&colour=blue")
            Issue.record("libpq took an unknown parameter")
        } catch {
            #expect(error.kind == .connect)
            #expect(error.message == "invalid URI query parameter: \"colour\"")
            #expect(!error.description.contains("pw-secret"))
        }
    }

    @Test func passwordFromPassfile() throws {
        let cluster = try TestCluster.get()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(TestCluster.uniqueName("pgpass")).path
        try "*:*:*:kfpm_pw:\(cluster.password)\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let connection = try PostgresConnection(
            uri: "postgresql://kfpm_pw@/postgres?host=\(cluster.directory)&passfile=\(file)")
        #expect(try connection.query("SELECT current_user")[0].text(0) == "kfpm_pw")
    }

    @Test func executeRunsSeveralStatements() throws {
        let connection = try TestCluster.connect()
        try connection.execute("CREATE TEMP TABLE several (x int); INSERT INTO several VALUES (1), (2); ")
        try connection.execute("")
        #expect(try connection.query("SELECT sum(x) FROM several")[0].int64(0) == 3)
        #expect(try connection.run("UPDATE several SET x = x + 1") == 2)
        // A statement's error names the SQL but never parameter values.
        do {
            _ = try connection.query("SELECT $1::int", [.text("not a number, and secret")])
            Issue.record("bad input accepted")
        } catch {
            #expect(error.sqlState == "22P02")
            #expect(error.sql == "SELECT $1::int")
            print("bad parameter: \(error)")
        }
        #expect(throws: PostgresError.self) { try connection.query("COPY several FROM STDIN") }
        #expect(try connection.query("SELECT count(*) FROM several")[0].int64(0) == 2)
    }

    /// libpq on Linux sends with MSG_NOSIGNAL: writing to a dead server is an error, not a SIGPIPE. The tests that
    /// terminate a backend under a running COPY prove it only if this process does not ignore SIGPIPE itself.
    @Test func sigpipeIsNotIgnoredByTheTestProcess() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let ignored = status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }
            .flatMap { UInt64($0.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16) } ?? 0
        #expect(ignored & (1 << (SIGPIPE - 1)) == 0)
    }
}
