import Foundation
import KFPMTestSupport
import Testing

/// The store as a file users copy, cache and upgrade: after a command exits, the file alone holds every
/// committed run; an older store is upgraded by a write, never by a read.
@Suite(.serialized)
struct StoreFileTests {
    @Test func theStoreFileAloneHoldsEveryRunOnceTheCommandsHaveExited() throws {
        try withTemporaryFolder { folder in
            for run in ["r1", "r2", "r3"] {
                let result = try KFPMBinary.run(["ingest", run, "-"], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8))
                #expect(result.status == 0, "\(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: folder.file("kfpm.db-wal")), "no WAL left behind")
            // A copy of the one file, as a CI cache or an upload would make it.
            try FileManager.default.createDirectory(atPath: folder.file("copy"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: folder.file("kfpm.db"), toPath: folder.file("copy/kfpm.db"))
            let runs = try KFPMBinary.run(["runs", "--format", "csv"], in: folder.file("copy"))
            #expect(runs.status == 0, "\(runs.stderr)")
            #expect(["r1", "r2", "r3"].allSatisfy { runs.stdout.contains("\r\n\($0),") }, "\(runs.stdout)")
        }
    }

    @Test func aWriterCopiesItsRunsIntoTheFileEvenWhileAnotherConnectionIsOpen() throws {
        guard SQLiteShell.path != nil else { return }
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "r0", "-"], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8)).status == 0)
            // Another process keeps the store open (no read transaction) while the ingest runs and exits.
            let holder = try Shell.start("sqlite3 kfpm.db 'SELECT 1' >/dev/null; (echo '.timeout 100'; sleep 3) | sqlite3 kfpm.db", in: folder.path)
            Thread.sleep(forTimeInterval: 0.3)
            #expect(try KFPMBinary.run(["ingest", "r1", "-"], in: folder.path, stdin: Array(#"{"a": 2}"#.utf8)).status == 0)
            try FileManager.default.copyItem(atPath: folder.file("kfpm.db"), toPath: folder.file("copy.db"))
            _ = Shell.wait(for: [holder], timeout: .seconds(10))
            let show = try KFPMBinary.run(["show", "r1", "--store", "copy.db"], in: folder.path)
            #expect(show.status == 0, "the copy holds r1: \(show.stderr)")
        }
    }

    @Test func anOlderStoreIsUpgradedByAWriteOrByUpgradeNeverByARead() throws {
        guard SQLiteShell.path != nil else { return }
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "r1", "-"], in: folder.path, stdin: Array(#"{"acc": 1}"#.utf8)).status == 0)
            // What an older kfpm left: schema version 1 (no series or parameters), names as given (here in
            // decomposed form).
            _ = try SQLiteShell.run(
                folder.file("kfpm.db"),
                "UPDATE metric_name SET name = 'acce' || char(769); UPDATE run SET name = 'r' || char(233); "
                    + "DROP TABLE metric_series; DROP TABLE run_param; ALTER TABLE run DROP COLUMN extras; PRAGMA user_version = 1;")
            let before = try SQLiteShell.run(folder.file("kfpm.db"), ".dump")
            let read = try KFPMBinary.run(["runs"], in: folder.path)
            #expect(read.status == 2 && read.stderr.contains("written by an older kfpm") && read.stderr.contains("kfpm upgrade"))
            #expect(try SQLiteShell.run(folder.file("kfpm.db"), ".dump") == before, "a read changed nothing")
            let upgrade = try KFPMBinary.run(["upgrade"], in: folder.path)
            #expect(upgrade.status == 0 && upgrade.stdout.contains("from schema version 1 to 4"), "\(upgrade.stdout)\(upgrade.stderr)")
            let show = try KFPMBinary.run(["show", "r\u{E9}", "--format", "csv"], in: folder.path)
            #expect(show.stdout.contains("acc\u{E9},1.0,") && show.stdout.unicodeScalars.contains("\u{E9}"), "\(show.stdout)")
            #expect(try KFPMBinary.run(["upgrade"], in: folder.path).stdout.contains("at schema version 4 already"))
        }
    }

    @Test func aSchema2StoreGainsSeriesAndParametersKeepingItsRuns() throws {
        guard SQLiteShell.path != nil else { return }
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "r1", "-"], in: folder.path, stdin: Array(#"{"acc": 1}"#.utf8)).status == 0)
            _ = try SQLiteShell.run(
                folder.file("kfpm.db"), "DROP TABLE metric_series; DROP TABLE run_param; ALTER TABLE run DROP COLUMN extras; PRAGMA user_version = 2;")
            // A write upgrades it, and the new run has its parameter; the old run reads as before.
            let ingest = try KFPMBinary.run(
                ["ingest", "r2", "-", "--param", "lr=0.1"], in: folder.path, stdin: Array(#"{"acc": 2}"#.utf8))
            #expect(ingest.status == 0, "\(ingest.stderr)")
            #expect(try SQLiteShell.run(folder.file("kfpm.db"), "PRAGMA user_version") == "4")
            #expect(try KFPMBinary.run(["show", "r1", "--format", "csv"], in: folder.path).stdout.contains("acc,1.0,"))
            #expect(try KFPMBinary.run(["show", "r2"], in: folder.path).stdout.contains("lr"))
        }
    }

    @Test func anUpgradeThatWouldMergeTwoNamesIsRefusedAndChangesNothing() throws {
        guard SQLiteShell.path != nil else { return }
        try withTemporaryFolder { folder in
            for (run, value) in [("r1", 1), ("r2", 2)] {
                #expect(try KFPMBinary.run(["ingest", run, "-"], in: folder.path, stdin: Array("{\"m\(value)\": 1}".utf8)).status == 0)
            }
            _ = try SQLiteShell.run(
                folder.file("kfpm.db"),
                "UPDATE metric_name SET name = 'acc' || char(233) WHERE name = 'm1'; "
                    + "UPDATE metric_name SET name = 'acce' || char(769) WHERE name = 'm2'; PRAGMA user_version = 1;")
            let before = try SQLiteShell.run(folder.file("kfpm.db"), ".dump")
            let upgrade = try KFPMBinary.run(["ingest", "r3", "-"], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8))
            #expect(upgrade.status == 2)
            #expect(upgrade.stderr.contains("cannot upgrade the store") && upgrade.stderr.contains("'acc\\u{e9}' and 'acce\\u{301}'"), "\(upgrade.stderr)")
            #expect(try SQLiteShell.run(folder.file("kfpm.db"), ".dump") == before)
        }
    }
}
