import Foundation
import KFPMTestSupport
import Testing

/// A large ingest killed with SIGKILL at random points leaves a sound store that holds the run wholly or not at all.
@Suite(.serialized)
struct CrashSafetyTests {
    static let metricCount = 200_000
    static let trials = 10

    /// `{"m000000": 0.5, "m000001": 1.5, …}`: metric i has the value i + 0.5, so the values sum to n²/2 exactly.
    static func bigMetricsFile() -> String {
        var text = "{"
        text.reserveCapacity(metricCount * 20)
        for i in 0..<metricCount {
            if i > 0 { text += ",\n" }
            text += "\"m" + String(repeating: "0", count: 6 - String(i).count) + String(i) + "\": " + String(i) + ".5"
        }
        return text + "}\n"
    }

    /// Runs one SQL text through the sqlite3 shell: SQLite's own integrity check, not kfpm's wrapper.
    private func sqlite(_ store: String, _ sql: String) throws -> String { try SQLiteShell.run(store, sql) }

    /// Starts `kfpm ingest` of the big file as run `big`, with no pipes that could block it.
    private func startIngest(store: String, file: String) throws -> Process {
        let process = Process()
        process.executableURL = KFPMBinary.url
        process.arguments = ["ingest", "big", file, "--store", store]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The size of a store's WAL file (0 when there is none).
    private func walSize(_ store: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: store + "-wal"))?[.size] as? Int) ?? 0
    }

    /// What the store holds of run `big`: runs, metric rows, source rows and the sum of the values.
    private func bigRun(_ store: String) throws -> String {
        try sqlite(
            store,
            """
            SELECT (SELECT count(*) FROM run WHERE name = 'big') || '|' ||
                (SELECT count(*) FROM metric m JOIN run r ON r.id = m.run_id WHERE r.name = 'big') || '|' ||
                (SELECT count(*) FROM run_source s JOIN run r ON r.id = s.run_id WHERE r.name = 'big') || '|' ||
                (SELECT ifnull(sum(m.value), 0) FROM metric m JOIN run r ON r.id = m.run_id WHERE r.name = 'big');
            """)
    }

    @Test(.enabled(if: SQLiteShell.path != nil, "needs the sqlite3 shell (apt: sqlite3) for PRAGMA integrity_check"),
        .timeLimit(.minutes(3)))
    func killedIngestsLeaveTheRunWhollyPresentOrAbsent() throws {
        try withTemporaryFolder { folder in
            let big = folder.file("big.json")
            try Data(Self.bigMetricsFile().utf8).write(to: URL(fileURLWithPath: big))
            let seed = Fixtures.path("kfp-v1/accuracy.json")
            let n = Double(Self.metricCount)
            let whole = "1|\(Self.metricCount)|1|\(Int(n * n / 2)).0"

            // The whole ingest once, uninterrupted: how long it takes, and what "wholly present" looks like.
            let reference = folder.file("reference.db")
            let start = ContinuousClock.now
            let complete = try startIngest(store: reference, file: big)
            complete.waitUntilExit()
            // How long an ingest takes now; the other tests that run beside this one change it, so every ingest
            // that finishes before its kill updates it.
            var duration = ContinuousClock.now - start
            #expect(complete.terminationStatus == 0)
            #expect(try bigRun(reference) == whole)
            print("CrashSafetyTests: one uninterrupted ingest of \(Self.metricCount) metrics takes \(duration)")

            var outcomes: [String] = []
            var generator = SystemRandomNumberGenerator()
            for trial in 0..<Self.trials {
                let store = folder.file("trial-\(trial).db")
                // Odd trials start from no store at all, so that creating and migrating it can be cut short too.
                if trial % 2 == 0 {
                    let seeded = try KFPMBinary.run(["ingest", "seed", seed, "--store", store], in: folder.path)
                    #expect(seeded.status == 0, "\(seeded.stderr)")
                }
                let walBefore = walSize(store)
                let started = ContinuousClock.now
                let ingest = try startIngest(store: store, file: big)
                // Anywhere from reading the input to the commit, most likely while the transaction writes: reading
                // takes about half of a (debug build's) ingest since writing got faster, so two trials kill in the
                // first half (one of them before the store exists) and the rest in the second.
                // Every third trial instead waits for the transaction to write (the WAL grows) and kills 0–20 ms
                // later, so that some kills land inside it however the load of the tests beside this one skews the
                // timed ones (on a loaded machine all ten once landed before the writing).
                if trial % 3 == 2 {
                    while ingest.isRunning && walSize(store) <= walBefore { Thread.sleep(forTimeInterval: 0.001) }
                    Thread.sleep(forTimeInterval: Double.random(in: 0..<0.02, using: &generator))
                } else {
                    let window = trial < 2 ? 0.15..<0.5 : 0.45..<1.0
                    let killAt = started + duration * Double.random(in: window, using: &generator)
                    while ingest.isRunning && ContinuousClock.now < killAt { Thread.sleep(forTimeInterval: 0.002) }
                }
                // The WAL grows while the transaction writes (its pages spill there): that tells a kill mid-write.
                let writing = walSize(store) > walBefore
                kill(ingest.processIdentifier, SIGKILL)
                ingest.waitUntilExit()
                let killed = ingest.terminationReason == .uncaughtSignal
                if !killed { duration = ContinuousClock.now - started }

                // SQLite's own check, on the store exactly as the kill left it (the shell recovers the WAL first).
                if FileManager.default.fileExists(atPath: store) {
                    #expect(try sqlite(store, "PRAGMA integrity_check") == "ok", "trial \(trial)")
                }
                // The store is usable after the crash, and holds the run wholly or not at all.
                let after = try KFPMBinary.run(["ingest", "after", seed, "--store", store], in: folder.path)
                #expect(after.status == 0, "trial \(trial): \(after.stderr)")
                let state = try bigRun(store)
                #expect(state == "0|0|0|0" || state == whole, "trial \(trial): \(state)")
                let when = killed ? (writing ? "killed while writing" : "killed before writing") : "finished"
                outcomes.append("\(when) → \(state == whole ? "present" : "absent")")
            }
            print("CrashSafetyTests: \(outcomes.joined(separator: "; "))")
            #expect(outcomes.contains("killed while writing → absent"), "at least one kill landed inside the transaction")
        }
    }
}
