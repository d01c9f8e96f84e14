import Foundation
@testable import KFPStore
import KFPMTestSupport
import Testing

/// Transactions: rollback on error, retries of serialization failures and deadlocks, advisory locks.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresTransactionTests {
    struct Abort: Error {}

    /// A table in the shared cluster (not TEMP: other connections must see it), dropped by `drop`.
    private func makeTable(_ connection: PostgresConnection, _ prefix: String, _ columns: String) throws -> String {
        let table = "public.\(TestCluster.uniqueName(prefix))"
        try connection.execute("CREATE TABLE \(table) (\(columns))")
        return table
    }

    @Test func rolledBackWhenTheBodyThrows() throws {
        let connection = try TestCluster.connect()
        let table = try makeTable(connection, "rollback", "id int PRIMARY KEY")
        defer { try? connection.execute("DROP TABLE \(table)") }
        #expect(throws: Abort.self) {
            try connection.writeTransaction {
                try connection.run("INSERT INTO \(table) VALUES (1)")
                throw Abort()
            }
        }
        #expect(!connection.isInTransaction)
        // A server error inside: rolled back too, and the error carries the server's fields.
        do {
            try connection.writeTransaction {
                try connection.run("INSERT INTO \(table) VALUES (2)")
                try connection.run("INSERT INTO \(table) VALUES (2)")
            }
            Issue.record("a duplicate key was inserted")
        } catch let error as PostgresError {
            #expect(error.sqlState == "23505")
            #expect(error.message.contains("duplicate key value violates unique constraint"))
            #expect(error.detail == "Key (id)=(2) already exists.")
            #expect(!error.isConnectionLost && !error.isRetryable)
        }
        // An error the body caught still aborts the transaction.
        #expect(throws: PostgresError.self) {
            try connection.writeTransaction {
                try connection.run("INSERT INTO \(table) VALUES (3)")
                _ = try? connection.run("SELECT 1/0")
            }
        }
        #expect(try connection.query("SELECT count(*) FROM \(table)")[0].int64(0) == 0)
        let committed = try connection.writeTransaction { try connection.run("INSERT INTO \(table) VALUES (4)") }
        #expect(committed == 1)
        #expect(try connection.readTransaction { try connection.query("SELECT id FROM \(table)")[0].int64(0) } == 4)
        #expect(connection.retryCount == 0)
    }

    @Test func readTransactionsAreReadOnlyAndNest() throws {
        let connection = try TestCluster.connect()
        let table = try makeTable(connection, "readonly", "id int")
        defer { try? connection.execute("DROP TABLE \(table)") }
        do {
            _ = try connection.readTransaction { try connection.run("INSERT INTO \(table) VALUES (1)") }
            Issue.record("a read transaction wrote")
        } catch let error as PostgresError {
            #expect(error.sqlState == "25006")  // read_only_sql_transaction
        }
        // Nested calls join the open transaction.
        try connection.writeTransaction { () throws -> Void in
            _ = try connection.writeTransaction { try connection.run("INSERT INTO \(table) VALUES (1)") }
            #expect(try connection.readTransaction { try connection.query("SELECT count(*) FROM \(table)")[0].int64(0) } == 1)
        }
    }

    /// Write skew under SERIALIZABLE: both transactions read the sum and insert; the second to commit gets 40001
    /// and is run again, seeing the first one's row.
    @Test func serializationFailureIsRetried() throws {
        let first = try TestCluster.connect()
        let second = try TestCluster.connect()
        let table = try makeTable(first, "skew", "who text, amount int")
        defer { try? first.execute("DROP TABLE \(table)") }
        try first.run("INSERT INTO \(table) VALUES ('seed', 10)")
        var attempts = 0
        var sums: [Int64] = []
        try first.writeTransaction {
            attempts += 1
            let sum = try first.query("SELECT sum(amount) FROM \(table)")[0].int64(0) ?? 0
            sums.append(sum)
            if attempts == 1 {
                // Another writer reads the same rows and commits first.
                try second.writeTransaction {
                    let other = try second.query("SELECT sum(amount) FROM \(table)")[0].int64(0) ?? 0
                    try second.run("INSERT INTO \(table) VALUES ('second', $1)", [.int64(other)])
                }
            }
            try first.run("INSERT INTO \(table) VALUES ('first', $1)", [.int64(sum)])
        }
        #expect(attempts == 2)
        #expect(first.retryCount == 1)
        #expect(sums == [10, 20])
        let rows = try first.query("SELECT who, amount FROM \(table) ORDER BY amount, who")
        #expect(rows.map { "\($0.text(0) ?? ""):\((try? $0.int64(1)).flatMap { $0 } ?? -1)" } == ["second:10", "seed:10", "first:20"])
    }

    /// Without retries (budget 0) the 40001 reaches the caller, with its SQLSTATE.
    @Test func serializationFailureSurfacesWhenTheBudgetIsSpent() throws {
        let first = try TestCluster.connect()
        let second = try TestCluster.connect()
        first.retry.budget = .zero
        let table = try makeTable(first, "skew0", "amount int")
        defer { try? first.execute("DROP TABLE \(table)") }
        do {
            try first.writeTransaction {
                _ = try first.query("SELECT sum(amount) FROM \(table)")
                try second.writeTransaction {
                    _ = try second.query("SELECT sum(amount) FROM \(table)")
                    try second.run("INSERT INTO \(table) VALUES (1)")
                }
                try first.run("INSERT INTO \(table) VALUES (2)")
            }
            Issue.record("no serialization failure")
        } catch let error as PostgresError {
            #expect(error.isSerializationFailure && error.isRetryable, "\(error)")
            #expect(error.sqlState == "40001")
        }
        #expect(!first.isInTransaction)
        #expect(try first.query("SELECT count(*) FROM \(table)")[0].int64(0) == 1)
    }

    /// Many writers (threads, each with its own connection) incrementing one counter read-modify-write under
    /// SERIALIZABLE: every increment lands, through retries.
    @Test func concurrentWritersAllCommit() throws {
        let setup = try TestCluster.connect()
        let table = try makeTable(setup, "counter", "id int PRIMARY KEY, n bigint")
        defer { try? setup.execute("DROP TABLE \(table)") }
        try setup.run("INSERT INTO \(table) VALUES (1, 0)")
        let uri = try TestCluster.get().uri
        let writers = 6
        let increments = 25
        let results = TestResults()
        for _ in 0..<writers {
            Thread {
                do {
                    let connection = try PostgresConnection(uri: uri)
                    for _ in 0..<increments {
                        try connection.writeTransaction {
                            let n = try connection.query("SELECT n FROM \(table) WHERE id = 1")[0].int64(0) ?? 0
                            try connection.run("UPDATE \(table) SET n = $1 WHERE id = 1", [.int64(n + 1)])
                        }
                    }
                    results.add(retries: connection.retryCount)
                } catch {
                    results.add(error: error)
                }
            }.start()
        }
        try results.wait(count: writers)
        #expect(results.errors.isEmpty, "\(results.errors)")
        #expect(try setup.query("SELECT n FROM \(table)")[0].int64(0) == Int64(writers * increments))
        #expect(results.retries > 0)
        print("concurrent writers: \(writers)×\(increments) increments, \(results.retries) retries")
    }

    /// Two transactions locking two rows in opposite orders: the server fails one with 40P01, which is retried.
    @Test func deadlockIsRetried() throws {
        let setup = try TestCluster.connect()
        let table = try makeTable(setup, "deadlock", "id int PRIMARY KEY, n int")
        defer { try? setup.execute("DROP TABLE \(table)") }
        try setup.run("INSERT INTO \(table) VALUES (1, 0), (2, 0)")
        let uri = try TestCluster.get().uri
        let bothHoldOneRow = DispatchGroup()
        bothHoldOneRow.enter()
        bothHoldOneRow.enter()
        let results = TestResults()
        let threads = [(1, 2), (2, 1)].map { first, second in
            Thread {
                do {
                    let connection = try PostgresConnection(uri: uri)
                    try connection.execute("SET deadlock_timeout = '20ms'")
                    var attempt = 0
                    try connection.writeTransaction(isolation: .readCommitted) {
                        attempt += 1
                        try connection.run("UPDATE \(table) SET n = n + 1 WHERE id = $1", [.int64(Int64(first))])
                        if attempt == 1 {
                            bothHoldOneRow.leave()
                            bothHoldOneRow.wait()
                        }
                        try connection.run("UPDATE \(table) SET n = n + 1 WHERE id = $1", [.int64(Int64(second))])
                    }
                    results.add(retries: connection.retryCount)
                } catch {
                    results.add(error: error)
                }
            }
        }
        threads.forEach { $0.start() }
        try results.wait(count: 2)
        #expect(results.errors.isEmpty, "\(results.errors)")
        #expect(results.retries == 1)
        #expect(try setup.query("SELECT sum(n) FROM \(table)")[0].int64(0) == 4)
    }

    /// Schema creation raced by several connections: serialized by an advisory lock, none fails.
    @Test func advisoryLockSerializesSchemaCreation() async throws {
        let uri = try TestCluster.get().uri
        let schema = TestCluster.uniqueName("schema")
        let key = PostgresConnection.advisoryKey("migrate:\(schema)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await Task.detached {
                        let connection = try PostgresConnection(uri: uri)
                        try connection.writeTransaction {
                            try connection.advisoryLock(key)
                            try connection.execute(
                                "CREATE SCHEMA IF NOT EXISTS \(schema); "
                                    + "CREATE TABLE IF NOT EXISTS \(schema).runs (id bigint PRIMARY KEY)")
                        }
                    }.value
                }
            }
            try await group.waitForAll()
        }
        let connection = try TestCluster.connect()
        #expect(try connection.query("SELECT count(*) FROM pg_namespace WHERE nspname = $1", [.text(schema)])[0].int64(0) == 1)
        try connection.execute("DROP SCHEMA \(schema) CASCADE")
        #expect(throws: PostgresError.self) { try connection.advisoryLock(key) }
        let other = try TestCluster.connect()
        try connection.writeTransaction { () throws -> Void in
            #expect(try connection.tryAdvisoryLock(key))
            #expect(try other.writeTransaction { try other.tryAdvisoryLock(key) } == false)
        }
        #expect(try other.writeTransaction { try other.tryAdvisoryLock(key) })
    }

    @Test func backoffDoublesWithJitterAndCaps() {
        let retry = RetryBackoff(budget: .seconds(10))
        #expect(retry.nominalDelay(afterAttempt: 0) == .milliseconds(2))
        #expect(retry.nominalDelay(afterAttempt: 1) == .milliseconds(4))
        #expect(retry.nominalDelay(afterAttempt: 6) == .milliseconds(128))
        #expect(retry.nominalDelay(afterAttempt: 7) == .milliseconds(250))
        #expect(retry.nominalDelay(afterAttempt: 1000) == .milliseconds(250))
        for attempt in 0..<12 {
            let delay = retry.delay(afterAttempt: attempt)
            #expect(delay >= retry.nominalDelay(afterAttempt: attempt) / 2)
            #expect(delay < retry.nominalDelay(afterAttempt: attempt))
        }
        #expect(retry.budget == .seconds(10))
    }
}

/// Results collected from threads.
final class TestResults: @unchecked Sendable {
    private let lock = NSCondition()
    private(set) var errors: [any Error] = []
    private(set) var retries = 0
    private var count = 0

    func add(retries: Int) {
        lock.withLock {
            self.retries += retries
            count += 1
            lock.broadcast()
        }
    }

    func add(error: any Error) {
        lock.withLock {
            errors.append(error)
            count += 1
            lock.broadcast()
        }
    }

    /// Waits until `count` results came in (30 s at most).
    func wait(count expected: Int) throws {
        let deadline = Date().addingTimeInterval(30)
        lock.lock()
        defer { lock.unlock() }
        while count < expected {
            guard lock.wait(until: deadline) else { throw TestPostgres.Failure(message: "threads did not finish") }
        }
    }
}
