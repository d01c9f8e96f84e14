import Foundation
import KFPMTestSupport
import Testing

/// Fixing the store after ingest: delete, rename, label, labels; and labels added by a retried ingest.
@Suite(.serialized)
struct RunManagementTests {
    /// Three runs of experiment `e` with `accuracy` and a `branch` label.
    private func withRuns(_ body: (TemporaryFolder) throws -> Void) throws {
        try withTemporaryFolder { folder in
            for (run, value) in [("r1", 0.5), ("r2", 0.9), ("r3", 0.7)] {
                let result = try KFPMBinary.run(
                    ["ingest", run, "-", "-e", "e", "--label", "branch=main"], in: folder.path, stdin: Array("{\"accuracy\": \(value)}".utf8))
                #expect(result.status == 0, "\(result.stderr)")
            }
            try body(folder)
        }
    }

    @Test func deleteIsAllOrNoneAndTopForgetsTheRuns() throws {
        try withRuns { folder in
            let unknown = try KFPMBinary.run(["delete", "r2", "nope", "-e", "e"], in: folder.path)
            #expect(unknown.status == 2 && unknown.stderr.contains("no run 'nope'"))
            #expect(try KFPMBinary.run(["runs", "-e", "e", "--format", "csv"], in: folder.path).stdout.contains("\r\nr2,"))
            let deleted = try KFPMBinary.run(["delete", "r2", "-e", "e"], in: folder.path)
            #expect(deleted.status == 0 && deleted.stdout == "deleted 1 run (1 metric) from experiment 'e'\n")
            let top = try KFPMBinary.run(["top", "-e", "e", "--format", "csv"], in: folder.path)
            #expect(top.stdout.contains("accuracy,RAW,higher,2,0.5,0.7,0.6,0.7,r3,0.7,r3"), "\(top.stdout)")
            #expect(try KFPMBinary.run(["show", "r2", "-e", "e"], in: folder.path).status == 2)
        }
    }

    @Test func renameRefusesATakenName() throws {
        try withRuns { folder in
            let clash = try KFPMBinary.run(["rename", "r1", "r2", "-e", "e"], in: folder.path)
            #expect(clash.status == 2 && clash.stderr.contains("experiment 'e' has a run 'r2' already"))
            let renamed = try KFPMBinary.run(["rename", "r1", "baseline", "-e", "e"], in: folder.path)
            #expect(renamed.status == 0, "\(renamed.stderr)")
            #expect(try KFPMBinary.run(["show", "baseline", "-e", "e", "--format", "csv"], in: folder.path).stdout.contains("accuracy,0.5,"))
            #expect(try KFPMBinary.run(["rename", "r3", "bad\u{1B}name", "-e", "e"], in: folder.path).status == 64)
        }
    }

    @Test func labelSetsAndRemovesAndLabelsCountsThem() throws {
        try withRuns { folder in
            let set = try KFPMBinary.run(["label", "r1", "r2", "team=vision", "branch=dev", "-e", "e"], in: folder.path)
            #expect(set.status == 0, "\(set.stderr)")
            #expect(try KFPMBinary.run(["label", "r2", "--remove", "team", "-e", "e"], in: folder.path).status == 0)
            #expect(try KFPMBinary.run(["label", "r1", "nope", "x=y", "-e", "e"], in: folder.path).status == 2)
            #expect(try KFPMBinary.run(["label", "r1", "-e", "e"], in: folder.path).status == 64)
            let labels = try KFPMBinary.run(["labels", "-e", "e", "--format", "csv"], in: folder.path)
            #expect(labels.stdout == "key,value,runs\r\nbranch,dev,2\r\nbranch,main,1\r\nteam,vision,1\r\n", "\(labels.stdout)")
            let table = try KFPMBinary.run(["labels", "-e", "e"], in: folder.path)
            #expect(table.stdout.contains("KEY     VALUE   RUNS\nbranch  dev        2\n"), "\(table.stdout)")
        }
    }

    @Test func aRetriedIngestWithMoreLabelsAddsThemButAnotherValueIsAConflict() throws {
        try withRuns { folder in
            let more = try KFPMBinary.run(
                ["ingest", "r1", "-", "-e", "e", "--label", "branch=main", "--label", "commit=abc"], in: folder.path,
                stdin: Array(#"{"accuracy": 0.5}"#.utf8))
            #expect(more.status == 0 && more.stdout.contains("added the label commit=abc"), "\(more.stdout)\(more.stderr)")
            let other = try KFPMBinary.run(
                ["ingest", "r1", "-", "-e", "e", "--label", "branch=dev"], in: folder.path, stdin: Array(#"{"accuracy": 0.6}"#.utf8))
            #expect(other.status == 2)
            #expect(other.stderr.contains("already holds different metrics and label values"))
            #expect(other.stderr.contains("Content (stored → new):\n  accuracy: 0.5 → 0.6\nLabels (stored → new):\n  branch: main → dev"), "\(other.stderr)")
        }
    }
}
