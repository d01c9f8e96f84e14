import Foundation
import KFPMTestSupport
import Testing

/// `experiments`, `runs`, `top`, `compare` and `history` run as a user runs them.
@Suite(.serialized)
struct ReadCommandsEndToEndTests {
    @Test func compareReadsAtAGlance() throws {
        try withSyntheticStore { folder in
            let result = try KFPMBinary.run(["compare", "run-41", "run-42"], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let accuracy = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("accuracy-score") })
            #expect(accuracy.contains("91.340%") && accuracy.contains("89.340%") && accuracy.contains("-2.000pp"))
            #expect(accuracy.contains("worse"))
            #expect(result.stdout.contains("run-42 vs run-41: 1 better, 2 worse, 1 unchanged, 1 added, 1 removed"))
            #expect(!result.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        }
    }

    @Test(arguments: ["table", "json", "csv", "markdown", "html"])
    func everyReadCommandInEveryFormat(_ format: String) throws {
        try withSyntheticStore { folder in
            let commands: [[String]] = [
                ["experiments"], ["runs"], ["runs", "--metrics", "all", "--labels", "--where", "branch=main"],
                ["runs", "--sort-by", "val-loss", "--limit", "2"], ["top", "-n", "3"], ["compare", "run-40", "run-41", "run-42"],
                ["compare", "run-42", "other:v2"], ["history", "val-loss", "--last", "2"], ["show", "run-42"],
            ]
            for command in commands {
                let result = try KFPMBinary.run(command + ["--format", format], in: folder.path)
                #expect(result.status == 0, "\(command): \(result.stderr)")
                #expect(!result.stdout.isEmpty)
                if format == "json" {
                    #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) != nil, "\(command)")
                }
                if format == "csv" {
                    #expect(result.stdout.hasSuffix("\r\n"))
                }
            }
        }
    }

    @Test func sortByFollowsTheMetricsDirection() throws {
        try withSyntheticStore { folder in
            let json = try KFPMBinary.run(["runs", "--sort-by", "val-loss", "--format", "csv"], in: folder.path)
            let order = json.stdout.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",")[0] }
            #expect(order == ["run-42", "run-41", "run-40"])  // lower loss first
            let desc = try KFPMBinary.run(["runs", "--sort-by", "val-loss", "--desc", "--format", "csv"], in: folder.path)
            #expect(desc.stdout.split(separator: "\r\n").dropFirst().first?.hasPrefix("run-40") == true)
            let limited = try KFPMBinary.run(["runs", "--limit", "1"], in: folder.path)
            #expect(limited.stderr.contains("showing 1 of 3 runs"))
        }
    }

    @Test func unknownNamesExit2AndListWhatExists() throws {
        try withSyntheticStore { folder in
            let run = try KFPMBinary.run(["compare", "run-41", "run-99"], in: folder.path)
            #expect(run.status == 2)
            #expect(run.stderr.contains("no run 'run-99' in experiment 'Default'; its runs: run-42, run-41, run-40"))
            #expect(run.stdout.isEmpty)
            let experiment = try KFPMBinary.run(["runs", "-e", "nope"], in: folder.path)
            #expect(experiment.status == 2)
            #expect(experiment.stderr.contains("no experiment 'nope'; experiments: Default, other"))
            let metric = try KFPMBinary.run(["history", "nope"], in: folder.path)
            #expect(metric.status == 2)
            #expect(metric.stderr.contains("no metric 'nope' in experiment 'Default'; its metrics: accuracy-score"))
            let noStore = try KFPMBinary.run(["top", "--store", "missing.db"], in: folder.path)
            #expect(noStore.status == 2)
            #expect(noStore.stderr.contains("no store at 'missing.db'"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("missing.db")))
            #expect(try KFPMBinary.run(["compare", "run-41"], in: folder.path).status == 64)
            #expect(try KFPMBinary.run(["runs", "--metrics", "top:x"], in: folder.path).status == 64)
        }
    }
}
