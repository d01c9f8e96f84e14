import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// `kfpm import`: layouts, one transaction, nothing stored on errors, statistics kept exact.
struct ImporterTests {
    private func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func v1(_ metrics: [(String, Double)]) -> String {
        #"{"metrics": ["# + metrics.map { #"{"name": "\#($0.0)", "numberValue": \#($0.1)}"# }.joined(separator: ", ") + "]}"
    }

    @Test func experimentRunLayoutAndLocalRunnerLayout() throws {
        try withTemporaryFolder { folder in
            let root = folder.file("tree")
            for i in [2, 10, 1] {
                try write(v1([("acc", Double(i) / 10), ("loss", 1 / Double(i))]), to: "\(root)/exp-a/run-\(i)/metrics.json")
            }
            try write(v1([("acc", 0.5)]), to: "\(root)/exp-b/only/train/m.json")
            // A KFP v2 local run, as the local runner lays it out.
            let local = "\(root)/two-step-pipeline-2026-11-27-05-57-36-542878"
            try FileManager.default.createDirectory(atPath: local + "/evaluate", withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: Fixtures.path(Fixtures.files(under: "kfp-v2/local-outputs").first { $0.hasSuffix("evaluate/executor_output.json") } ?? ""),
                toPath: local + "/evaluate/executor_output.json")

            let store = try SQLiteStore(path: folder.file("s.db"), access: .write)
            let result = try Importer.run(ImportRequest(root: root, labels: [Label(key: "src", value: "import")])) { store }
            #expect(!result.hasErrors, "\(result.diagnostics)")
            #expect(result.summary?.created == 5)
            #expect(result.summary?.metrics == 10)
            #expect(try store.experimentNames() == ["exp-a", "exp-b", "two-step-pipeline"])
            // Runs are imported in natural order, so `previous` and `history` follow run-1, run-2, run-10.
            let history = try store.history(experiment: "exp-a", metric: "acc", limit: nil)
            #expect(history.map(\.run) == ["run-1", "run-2", "run-10"])
            #expect(try store.run(experiment: "exp-b", name: "only").metrics.map(\.name) == ["train/acc"])
            let localRun = try store.run(experiment: "two-step-pipeline", name: "two-step-pipeline-2026-11-27-05-57-36-542878")
            #expect(localRun.metrics.map(\.name) == ["evaluate/metrics/accuracy", "evaluate/metrics/error_rate", "evaluate/metrics/n_rows"])
            #expect(ValueText.timestamp(localRun.createdAt) == "2026-11-27T05:57:36.543Z")
            #expect(localRun.labels == [Label(key: "src", value: "import")])

            // Again: everything unchanged, nothing written.
            let again = try Importer.run(ImportRequest(root: root, labels: [Label(key: "src", value: "import")])) { store }
            #expect(again.summary?.unchanged == 5)
        }
    }

    @Test func anErrorAnywhereStoresNothingAndListsEveryProblem() throws {
        try withTemporaryFolder { folder in
            let root = folder.file("tree")
            // Enough runs for several batches, with bad files in the first and the last batch.
            for i in 0..<600 { try write(v1([("acc", 0.5)]), to: "\(root)/e/run-\(i)/m.json") }
            try write("{\"metrics\": [{\"name\": \"acc\", \"numberValue\": NaN}]}", to: "\(root)/e/run-3/m.json")
            try write("{\"metrics\": [", to: "\(root)/e/run-599/m.json")
            let path = folder.file("s.db")
            let result = try Importer.run(ImportRequest(root: root)) { () throws(StoreError) in try SQLiteStore(path: path, access: .write) }
            #expect(result.summary == nil)
            #expect(result.diagnostics.filter { $0.severity == .error }.count == 2)
            #expect(result.runsRead == 600)
            // The first batch had an error, so the store was never even created.
            #expect(!FileManager.default.fileExists(atPath: path))

            // With an error only in the last batch, the store exists but holds nothing.
            try write(v1([("acc", 0.5)]), to: "\(root)/e/run-3/m.json")
            let late = try Importer.run(ImportRequest(root: root)) { () throws(StoreError) in try SQLiteStore(path: path, access: .write) }
            #expect(late.summary == nil)
            #expect(try SQLiteStore(path: path, access: .read).experimentNames().isEmpty)
        }
    }

    @Test func givenExperimentMakesTheFoldersRuns() throws {
        try withTemporaryFolder { folder in
            try write(v1([("acc", 0.5)]), to: folder.file("tree/r1/m.json"))
            try write(v1([("acc", 0.6)]), to: folder.file("tree/r2/m.json"))
            let store = try SQLiteStore(path: ":memory:", access: .write)
            let result = try Importer.run(ImportRequest(root: folder.file("tree"), experiment: "given")) { store }
            #expect(result.summary?.created == 2)
            #expect(try store.runs(RunQuery(experiment: "given")).runs.map(\.name) == ["r2", "r1"])
        }
    }

    @Test func missingOrEmptyTreesAreErrors() throws {
        try withTemporaryFolder { folder in
            let store = try SQLiteStore(path: ":memory:", access: .write)
            #expect(try Importer.run(ImportRequest(root: folder.file("nope"))) { store }.diagnostics.first?.message == "no such folder")
            #expect(try Importer.run(ImportRequest(root: folder.path)) { store }.diagnostics.first?.message == "no run folders found to import")
        }
    }

    @Test(arguments: [("run-2", "run-10", true), ("run-10", "run-2", false), ("a", "b", true), ("run-02", "run-2", true), ("x9", "x10", true)])
    func naturalOrder(_ a: String, _ b: String, _ before: Bool) {
        #expect(ImportLayout.naturalOrder(a, b) == before)
    }
}
