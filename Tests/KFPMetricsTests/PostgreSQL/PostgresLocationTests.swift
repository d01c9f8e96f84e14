@testable import KFPStore
import Testing

/// Parsing `--store postgresql://…`: the URI for libpq, the schema, and the display form without a password.
struct PostgresLocationTests {
    /// No `PGCONNECT_TIMEOUT` in the environment.
    private let noEnvironment: (String) -> String? = { _ in nil }

    private func parse(_ uri: String) throws -> PostgresLocation {
        try PostgresLocation(uri, environment: noEnvironment)
    }

    // MARK: - Display form

    @Test func displayDropsThePasswordAndParameters() throws {
        let location = try parse("postgresql://alice:s3cr%40t@db.example.com:5432/metrics?sslmode=require")
        #expect(location.displayURI == "postgresql://alice@db.example.com:5432/metrics")
        #expect(location.user == "alice")
        #expect(location.hosts == ["db.example.com"])
        #expect(location.ports == ["5432"])
        #expect(location.database == "metrics")
        #expect(location.schema == "kfpm")
        #expect(location.connectTimeout == 10)
        #expect(
            location.connectionURI
                == "postgresql://alice:s3cr%40t@db.example.com:5432/metrics?sslmode=require&connect_timeout=10"
                + "&fallback_application_name=kfpm")
    }

    @Test func postgresSchemeAndMinimalForms() throws {
        #expect(try parse("postgres://h/db").displayURI == "postgresql://h/db")
        #expect(try parse("postgresql://").displayURI == "postgresql://")
        #expect(try parse("postgresql:///metrics").displayURI == "postgresql:///metrics")
        #expect(try parse("postgresql://u@").displayURI == "postgresql://u@")
        #expect(
            try parse("postgres://h/db").connectionURI == "postgres://h/db?connect_timeout=10&fallback_application_name=kfpm")
    }

    @Test func unixSocketInHostParameter() throws {
        let location = try parse("postgresql://bob:pw@/metrics?host=/var/run/postgresql&port=5433")
        #expect(location.hosts == ["/var/run/postgresql"])
        #expect(location.displayURI == "postgresql://bob@:5433/metrics?host=/var/run/postgresql")
        let encoded = try parse("postgresql://%2Ftmp%2Fpg%20dir/metrics")
        #expect(encoded.hosts == ["/tmp/pg dir"])
        #expect(encoded.displayURI == "postgresql:///metrics?host=/tmp/pg%20dir")
    }

    @Test func ipv6AndMultipleHosts() throws {
        let location = try parse("postgresql://u:pw@[::1]:5433,[fe80::1%25eth0],db2:5434/m")
        #expect(location.hosts == ["::1", "fe80::1%eth0", "db2"])
        #expect(location.ports == ["5433", "", "5434"])
        #expect(location.displayURI == "postgresql://u@[::1]:5433,[fe80::1%eth0],db2:5434/m")
        #expect(try parse("postgresql://[::1]/m").displayURI == "postgresql://[::1]/m")
    }

    @Test func percentEncodingIsDecodedForDisplay() throws {
        let location = try parse("postgresql://j%C3%BCrgen@h/m%C3%A9triques%2Fx")
        #expect(location.user == "jürgen")
        #expect(location.database == "métriques/x")
        #expect(location.displayURI == "postgresql://jürgen@h/métriques%2Fx")
    }

    @Test func passwordParameterIsRemovedFromDisplay() throws {
        let location = try parse("postgresql://h/db?user=carol&password=hunter2&sslpassword=key-pass")
        #expect(location.displayURI == "postgresql://carol@h/db")
        #expect(!location.description.contains("hunter2"))
        #expect(!String(reflecting: location).contains("hunter2"))
        var dumped = ""
        dump(location, to: &dumped)
        #expect(!dumped.contains("hunter2") && !dumped.contains("key-pass"))
        #expect("\(location)" == "postgresql://carol@h/db")
    }

    // MARK: - Parameters kfpm adds or takes out

    @Test func schemaIsTakenOut() throws {
        let location = try parse("postgresql://h/db?schema=team_metrics&sslmode=disable")
        #expect(location.schema == "team_metrics")
        #expect(location.quotedSchema == "\"team_metrics\"")
        #expect(
            location.connectionURI == "postgresql://h/db?sslmode=disable&connect_timeout=10&fallback_application_name=kfpm")
        let only = try parse("postgresql://h/db?schema=s1")
        #expect(only.connectionURI == "postgresql://h/db?connect_timeout=10&fallback_application_name=kfpm")
    }

    @Test(arguments: ["", "Kfpm", "1abc", "pg_catalog", "a-b", "a b", "x\"y", String(repeating: "a", count: 64), "é"])
    func badSchemaNamesAreRefused(_ name: String) {
        #expect(throws: PostgresError.self) {
            try PostgresLocation("postgresql://h/db?schema=\(name)", environment: { _ in nil })
        }
    }

    @Test func goodSchemaNames() throws {
        for name in ["kfpm", "_x", "a1_b2", String(repeating: "a", count: 63)] {
            #expect(try parse("postgresql://h/db?schema=\(name)").schema == name)
        }
    }

    @Test func connectTimeoutFromURIOrEnvironmentWins() throws {
        let fromURI = try parse("postgresql://h/db?connect_timeout=3")
        #expect(fromURI.connectTimeout == 3)
        #expect(fromURI.connectionURI == "postgresql://h/db?connect_timeout=3&fallback_application_name=kfpm")
        let fromEnvironment = try PostgresLocation(
            "postgresql://h/db", environment: { $0 == "PGCONNECT_TIMEOUT" ? "7" : nil })
        #expect(fromEnvironment.connectTimeout == 7)
        #expect(fromEnvironment.connectionURI == "postgresql://h/db?fallback_application_name=kfpm")
        let named = try parse("postgresql://h/db?fallback_application_name=other")
        #expect(named.connectionURI == "postgresql://h/db?fallback_application_name=other&connect_timeout=10")
    }

    // MARK: - Invalid URIs never echo the password

    @Test(arguments: [
        "postgresql://u:p%zzsecret@h/db",  // bad escape in the password
        "postgresql://u:p%00secret@h/db",  // %00
        "postgresql://h/db?password=secret%g1",
        "postgresql://h/db?secret",  // a parameter without '='
        "postgresql://[::1/db?password=secret",
        "postgresql://u:p@ssword-secret@h/db",  // an unencoded '@' in the password
        "postgresql://h?password=sec@ret",  // an unencoded '@' in the query, no path: libpq would take it as user info
    ])
    func invalidURIsDoNotQuoteThem(_ uri: String) {
        do {
            _ = try PostgresLocation(uri, environment: { _ in nil })
            Issue.record("\(uri) was accepted")
        } catch {
            #expect(error.kind == .invalidLocation)
            #expect(!error.description.contains("secret"), "\(error)")
        }
    }

    @Test func notAPostgresURI() throws {
        #expect(!PostgresLocation.isPostgresURI("metrics.db"))
        #expect(!PostgresLocation.isPostgresURI("postgresql:/h/db"))
        #expect(PostgresLocation.isPostgresURI("PostgreSQL://h/db"))
        #expect(try parse("POSTGRES://u:pw@h/db").connectionURI.hasPrefix("postgres://u:pw@h/db?"))
        #expect(PostgresLocation.isPostgresURI("postgres://h/db"))
        #expect(throws: PostgresError.self) { try PostgresLocation("mysql://h/db") }
    }

    @Test func connectErrorsAreScrubbed() throws {
        let location = try parse("postgresql://u:topsecret@h/db")
        let error = PostgresConnection.connectError(
            libpqMessage: "connection to server at \"h\" (10.0.0.1), port 5432 failed: FATAL:  password authentication failed "
                + "for user \"u\" topsecret\n",
            location: location)
        #expect(error.message == "password authentication failed for user \"u\" ****")
        #expect(error.description.hasPrefix("cannot connect to the store at postgresql://u@h/db: "))
    }
}
