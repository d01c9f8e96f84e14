import CSQLite
import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// Several processes on one store: bounded waits for the write lock with backoff and jitter, readers that never
/// wait for writers, and a brand-new store created by many processes at once.
@Suite(.serialized)
struct BusyRetryTests {
    /// A second connection that holds the write lock (`BEGIN IMMEDIATE`) until `release()`.
    private final class LockHolder: @unchecked Sendable {
        let database: SQLiteDatabase
        init(path: String) throws {
            database = try SQLiteDatabase(path: path, mode: .readWrite, busyTimeoutMilliseconds: 0)
            try database.execute("BEGIN IMMEDIATE")
        }
        func release() throws { try database.execute("COMMIT") }
    }

    // MARK: - Backoff

    @Test func backoffDoublesUpToItsCapWithJitterBelowTheNominalDelay() {
        let retry = RetryBackoff(budget: .seconds(10), initialDelay: .milliseconds(2), maxDelay: .milliseconds(250))
        let nominal = (0..<10).map { retry.nominalDelay(afterAttempt: $0) }
        #expect(Array(nominal.prefix(8)) == [2, 4, 8, 16, 32, 64, 128, 250].map { Duration.milliseconds($0) })
        #expect(Array(nominal.suffix(2)) == [.milliseconds(250), .milliseconds(250)])
        #expect(retry.nominalDelay(afterAttempt: 10_000) == .milliseconds(250))
        var random = SystemRandomNumberGenerator()
        var seen = Set<Duration>()
        for attempt in 0..<200 {
            let delay = retry.delay(afterAttempt: attempt % 9, using: &random)
            let cap = retry.nominalDelay(afterAttempt: attempt % 9)
            #expect(delay >= cap / 2 && delay < cap, "attempt \(attempt): \(delay) vs \(cap)")
            seen.insert(delay)
        }
        #expect(seen.count > 100, "jitter spreads the waits")
    }

    // MARK: - Writers

    @Test func aWriteTransactionRetriesUntilTheLockIsFreed() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("s.db")
            _ = try SQLiteStore(path: path, access: .write)
            // SQLite's own busy handler is off (timeout 0): only the retry loop can wait for the lock.
            let database = try SQLiteDatabase(path: path, mode: .readWrite, busyTimeoutMilliseconds: 0)
            database.busyRetry = RetryBackoff(budget: .seconds(20))
            let holder = try LockHolder(path: path)
            let released = DispatchSemaphore(value: 0)
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
                try? holder.release()
                released.signal()
            }
            var attempts = 0
            let start = ContinuousClock.now
            try database.writeTransaction {
                attempts += 1
                try database.execute("INSERT INTO experiment(name, created_at) VALUES ('after-the-lock', 0)")
            }
            released.wait()
            #expect(ContinuousClock.now - start >= .milliseconds(250))
            #expect(attempts == 1, "the body runs once, after BEGIN IMMEDIATE finally succeeds")
            let names = try database.prepare("SELECT name FROM experiment").rows([]) { $0.text(at: 0) }
            #expect(names == ["after-the-lock"])
        }
    }

    @Test func aLockHeldPastTheBudgetIsAClearBusyErrorWithinTheBound() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("s.db")
            _ = try SQLiteStore(path: path, access: .write)
            let holder = try LockHolder(path: path)
            defer { try? holder.release() }
            let store = try SQLiteStore(path: path, access: .write, busyTimeoutMilliseconds: 400)
            let start = ContinuousClock.now
            #expect {
                try store.ingest(Build.ingest("r", value: 1), replace: false)
            } throws: { error in
                guard case StoreError.busy(let where_) = error else { return false }
                return where_ == path && "\(error)".contains("stayed locked by another process")
            }
            let waited = ContinuousClock.now - start
            #expect(waited >= .milliseconds(300) && waited < .seconds(3), "bounded wait: \(waited)")
        }
    }

    // MARK: - Readers

    @Test func readersDoNotWaitForAWriter() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("s.db")
            _ = try SQLiteStore(path: path, access: .write).ingest(Build.ingest("r1", value: 1), replace: false)
            let holder = try LockHolder(path: path)
            defer { try? holder.release() }
            try holder.database.execute("INSERT INTO experiment(name, created_at) VALUES ('uncommitted', 0)")
            // WAL: a reader sees the last commit at once, never the writer's open transaction, and never waits.
            let start = ContinuousClock.now
            let reader = try SQLiteStore(path: path, access: .read, busyTimeoutMilliseconds: 0)
            #expect(try reader.experimentNames() == ["Default"])
            #expect(try reader.run(experiment: "Default", name: "r1").metrics.count == 1)
            #expect(try reader.runs(RunQuery(experiment: "Default")).totalMatching == 1)
            #expect(ContinuousClock.now - start < .seconds(2))
        }
    }

    // MARK: - A new store, created by many at once

    @Test func manyProcessesCreatingOneNewStoreAtOnceAllSucceed() throws {
        try withTemporaryFolder { folder in
            let openers = 8
            for round in 0..<12 {
                let path = folder.file("s\(round).db")
                let failures = Locked<[String]>([])
                let start = DispatchSemaphore(value: 0)
                let done = DispatchGroup()
                for opener in 0..<openers {
                    done.enter()
                    let thread = Thread {
                        defer { done.leave() }
                        start.wait()
                        do {
                            let store = try SQLiteStore(path: path, access: .write)
                            _ = try store.ingest(Build.ingest("r\(opener)", value: Double(opener)), replace: false)
                        } catch {
                            failures.update { $0.append("\(error)") }
                        }
                    }
                    thread.start()
                }
                for _ in 0..<openers { start.signal() }
                done.wait()
                #expect(failures.value == [], "round \(round)")
                let store = try SQLiteStore(path: path, access: .read)
                #expect(try store.runs(RunQuery(experiment: "Default")).totalMatching == openers)
                let database = try SQLiteDatabase(path: path, mode: .readWrite)
                #expect(try database.pragmaInteger("user_version") == Int64(SQLiteMigrations.latest))
                #expect(try database.prepare("PRAGMA journal_mode").rows([]) { $0.text(at: 0) } == ["wal"])
            }
        }
    }
}

/// A value shared between threads behind a lock.
private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
