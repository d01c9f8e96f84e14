import Foundation
import KFPMTestSupport
import Testing

/// Errors that point the way: usage errors name what was meant and show the right usage; notes explain what
/// would otherwise look wrong; completions offer the store's own names.
@Suite(.serialized)
struct UsageTests {
    @Test func aMistypedSubcommandSuggestsTheNearestOnes() throws {
        try withTemporaryFolder { folder in
            let result = try KFPMBinary.run(["compair", "a", "b"], in: folder.path)
            #expect(result.status == 64)
            #expect(result.stderr.contains("unknown command 'compair'; did you mean compare?"), "\(result.stderr)")
            #expect(!result.stderr.contains("unexpected"))
        }
    }

    @Test func usageErrorsShowTheSubcommandsUsage() throws {
        try withTemporaryFolder { folder in
            for arguments in [["ingest", "r", "x.json", "--label", "novalue"], ["runs", "--where", "a b"], ["experiments", "-e", "x"]] {
                let result = try KFPMBinary.run(arguments, in: folder.path)
                #expect(result.status == 64, "\(arguments)")
                #expect(result.stderr.contains("Usage: kfpm \(arguments[0])"), "\(arguments): \(result.stderr)")
            }
            let syntax = try KFPMBinary.run(["runs", "--where", "=x"], in: folder.path)
            #expect(syntax.stderr.contains("use KEY=VALUE, KEY!=VALUE"), "\(syntax.stderr)")
        }
    }

    @Test func whereTakesNegationsGlobsAndPresence() throws {
        try withTemporaryFolder { folder in
            for (run, labels) in [("a", ["branch=main"]), ("b", ["branch=feat-1"]), ("c", ["branch=feat-2", "flaky=yes"]), ("d", [])] {
                let result = try KFPMBinary.run(["ingest", run, "-"] + labels.flatMap { ["--label", $0] }, in: folder.path, stdin: Array(#"{"m": 1}"#.utf8))
                #expect(result.status == 0)
            }
            func runs(_ conditions: [String]) throws -> [String] {
                let csv = try KFPMBinary.run(["runs", "--format", "csv"] + conditions.flatMap { ["--where", $0] }, in: folder.path).stdout
                return csv.components(separatedBy: "\r\n").dropFirst().compactMap { $0.split(separator: ",").first.map(String.init) }
            }
            #expect(try runs(["branch!=main"]) == ["d", "c", "b"])
            #expect(try runs(["branch=feat-*"]) == ["c", "b"])
            #expect(try runs(["branch=feat-*", "!flaky"]) == ["b"])
            #expect(try runs(["flaky"]) == ["c"])
        }
    }

    @Test func metricsThatDifferOnlyByAStepAreExplained() throws {
        try withTemporaryFolder { folder in
            // A folder files each metric under its file's folder: outputs/train/m.json gives train/eval/accuracy.
            try folder.write(#"{"eval": {"accuracy": 0.9}}"#, to: "outputs/train/m.json")
            try folder.write(#"{"eval": {"accuracy": 0.9}}"#, to: "m.json")
            #expect(try KFPMBinary.run(["ingest", "file", "m.json"], in: folder.path).status == 0)
            #expect(try KFPMBinary.run(["ingest", "folder", "outputs"], in: folder.path).status == 0)
            let note = "'train/eval/accuracy' (in folder) and 'eval/accuracy' (in file) differ only by the step 'train'"
            let compare = try KFPMBinary.run(["compare", "file", "folder"], in: folder.path)
            #expect(compare.stdout.contains(note) && compare.stdout.contains("--step train"), "\(compare.stdout)")
            let gate = try KFPMBinary.run(["gate", "folder", "--baseline", "file"], in: folder.path)
            #expect(gate.stdout.contains(note), "\(gate.stdout)")
        }
    }

    @Test func aFolderIngestSaysWhichFilesItSkipped() throws {
        try withTemporaryFolder { folder in
            let result = try KFPMBinary.run(["ingest", "r", Fixtures.path("dvclive")], in: folder.path)
            #expect(result.status == 0)
            #expect(result.stderr.contains("dvclive/dvc.yaml: note: skipped: not a file kfpm reads"), "\(result.stderr)")
            #expect(!result.stderr.contains("loss.tsv: note: skipped"), "dvclive's series are read")
        }
    }

    @Test func completionsOfferTheStoresNames() throws {
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "run-1", "-", "-e", "exp-a"], in: folder.path, stdin: Array(#"{"acc": 1}"#.utf8)).status == 0)
            func complete(_ subcommand: String, _ target: String, _ words: [String]) throws -> [String] {
                let result = try KFPMBinary.run(
                    ["---completion", subcommand, "--", target, String(words.count - 1), "0"] + words, in: folder.path)
                return result.stdout.split(separator: "\n").map(String.init)
            }
            #expect(try complete("show", "positional@0", ["kfpm", "show", "-e", "exp-a", ""]) == ["run-1"])
            #expect(try complete("show", "--experiment", ["kfpm", "show", "-e", ""]) == ["exp-a"])
            #expect(try complete("history", "positional@0", ["kfpm", "history", "--experiment=exp-a", "a"]) == ["acc"])
            #expect(try complete("show", "positional@0", ["kfpm", "show", "--store", "none.db", ""]).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: folder.file("none.db")), "completion never creates a store")
            let script = try KFPMBinary.run(["--generate-completion-script", "bash"], in: folder.path)
            #expect(script.stdout.contains("---completion show -- positional@0"))
        }
    }
}
