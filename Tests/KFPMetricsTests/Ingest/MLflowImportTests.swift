import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPStore

/// `kfpm import` of MLflow's two stores, checked against `fixtures/mlflow/expected.json`: what MLflow's own client
/// read from them (every run, param, tag, latest value and history point).
struct MLflowImportTests {
    /// The two stores, as the oracle names them.
    static let stores = ["mlruns", "mlflow.db"]

    /// The oracle's runs of one store, with their experiments. Read with kfpm's own JSON parser, which gives every
    /// number exactly (Foundation's parser on Linux is off by one ulp for some), numbers as doubles.
    private func oracle(_ store: String) throws -> [(experiment: [String: Any], run: [String: Any])] {
        let root = try #require(plain(try JSONParser.parse(try Fixtures.bytes("mlflow/expected.json"))) as? [String: Any])
        let stores = try #require(root["stores"] as? [String: Any])
        let experiments = try #require(stores[store] as? [[String: Any]])
        return experiments.flatMap { experiment in
            ((experiment["runs"] as? [[String: Any]]) ?? []).map { (experiment, $0) }
        }
    }

    /// A JSON value as Swift values: objects as dictionaries, arrays, strings, numbers as doubles.
    private func plain(_ node: JSONNode) -> Any {
        switch node.value {
        case .null: NSNull()
        case .bool(let value): value
        case .number(let value), .nonFinite(let value): value
        case .string(let text): text
        case .array(let items): items.map(plain)
        case .object(let members): Dictionary(members.map { ($0.key, plain($0.value)) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// A value of the oracle: a number, or "NaN", "Infinity", "-Infinity".
    private func number(_ value: Any?) -> Double? {
        switch value {
        case let text as String: NumberText.pythonFloat(Array(text.utf8)[...])
        case let number as Double: number
        default: nil
        }
    }

    /// A whole number of the oracle (a step, a time).
    private func integer(_ value: Any?) -> Int64? { (value as? Double).map { Int64($0) } }

    private func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    private func imported(_ store: String, includeDeleted: Bool) throws -> (any MetricsStore, ImportResult) {
        let kfpm = try StoreFactory.open(.file(path: ":memory:"), for: .write)
        let result = try Importer.run(
            ImportRequest(root: Fixtures.path("mlflow/" + store), time: Build.time, includeDeleted: includeDeleted)) { kfpm }
        return (kfpm, result)
    }

    @Test(arguments: stores)
    func everyRunParamTagLatestValueAndPointMatchesMLflow(_ store: String) throws {
        let (kfpm, result) = try imported(store, includeDeleted: true)
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let runs = try oracle(store)
        #expect(result.summary?.created == runs.count)
        // Runs of one name: the first started keeps it, the later one gets its run id.
        let clashes = Dictionary(grouping: runs, by: { "\($0.experiment["name"] ?? "")/\($0.run["run_name"] ?? "")" })
        for (experiment, run) in runs {
            let experimentName = try #require(experiment["name"] as? String)
            let runID = try #require(run["run_id"] as? String)
            let name = try #require(run["run_name"] as? String)
            let group = clashes["\(experimentName)/\(name)"] ?? []
            let first = group.min { (integer($0.run["start_time"]) ?? 0) < (integer($1.run["start_time"]) ?? 0) }
            let storedName = (first?.run["run_id"] as? String) == runID ? name : "\(name)-\(runID)"
            let stored = try kfpm.run(experiment: experimentName, name: storedName)

            #expect(Int64((stored.createdAt.timeIntervalSince1970 * 1000).rounded()) == integer(run["start_time"]))
            let params = try #require(run["params"] as? [String: String])
            #expect(Dictionary(uniqueKeysWithValues: stored.params.map { ($0.key, $0.value) }) == params, "\(storedName)")

            // Labels: every user tag, and the source's commit and branch.
            let tags = try #require(run["tags"] as? [String: String])
            var labels = tags.filter { !$0.key.hasPrefix("mlflow.") }
            labels["commit"] = tags["mlflow.source.git.commit"]
            labels["branch"] = tags["mlflow.source.git.branch"]
            #expect(Dictionary(uniqueKeysWithValues: stored.labels.map { ($0.key, $0.value) }) == labels, "\(storedName)")

            // The final values are MLflow's latest values; the series its histories, point by point, in order.
            let latest = try #require(run["metrics"] as? [String: Any])
            #expect(Set(stored.metrics.map(\.name)) == Set(latest.keys), "\(storedName)")
            for metric in stored.metrics {
                let want = try #require(number(latest[metric.name]))
                #expect(same(metric.value, want), "\(storedName) \(metric.name): \(metric.value) vs \(want)")
            }
            let histories = try #require(run["histories"] as? [String: [[String: Any]]])
            let series = try kfpm.series(experiment: experimentName, run: storedName, metrics: nil)
            #expect(series.map(\.metric) == histories.keys.sorted(), "\(storedName)")
            for found in series {
                let want = try #require(histories[found.metric])
                #expect(found.points.count == want.count, "\(storedName) \(found.metric)")
                for (point, expected) in zip(found.points, want) {
                    #expect(point.step == integer(expected["step"]), "\(storedName) \(found.metric)")
                    #expect(point.timestamp == integer(expected["timestamp"]), "\(storedName) \(found.metric)")
                    let value = try #require(number(expected["value"]))
                    #expect(same(point.value, value), "\(storedName) \(found.metric): \(point.value) vs \(value)")
                }
            }
        }
    }

    @Test(arguments: stores)
    func deletedRunsAndExperimentsAreLeftOutAndSaidSo(_ store: String) throws {
        let (kfpm, result) = try imported(store, includeDeleted: false)
        #expect(result.summary?.created == 4)
        #expect(try kfpm.experimentNames() == ["Default", "mnist-classifier"])
        #expect(try kfpm.runs(RunQuery(experiment: "mnist-classifier")).runs.map(\.name).contains("crashed") == false)
        #expect(result.diagnostics.contains { $0.message == "left out 2 deleted runs (1 deleted experiment among them); --include-deleted imports them" })
        #expect(result.diagnostics.contains { $0.severity == .note && $0.message.contains("more than one run named 'tuned'") })
    }

    @Test(arguments: stores)
    func importingAgainIsUnchanged(_ store: String) throws {
        let kfpm = try StoreFactory.open(.file(path: ":memory:"), for: .write)
        let request = ImportRequest(root: Fixtures.path("mlflow/" + store), time: Build.time)
        _ = try Importer.run(request) { kfpm }
        var later = request
        later.time = Build.time + 3600
        #expect(try Importer.run(later) { kfpm }.summary?.unchanged == 4)
    }

    @Test func theSQLiteStoreIsOpenedReadOnlyAndLeftByteForByte() throws {
        try withTemporaryFolder { folder in
            let copy = folder.file("mlflow.db")
            try FileManager.default.copyItem(atPath: Fixtures.path("mlflow/mlflow.db"), toPath: copy)
            let before = try Data(contentsOf: URL(fileURLWithPath: copy))
            let kfpm = try StoreFactory.open(.file(path: ":memory:"), for: .write)
            let result = try Importer.run(ImportRequest(root: copy, time: Build.time, includeDeleted: true)) { kfpm }
            #expect(result.summary?.created == 6)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
            // No journal, WAL or anything else appeared beside it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["mlflow.db"])
        }
    }

    @Test func theLatestValueFollowsMLflowsRuleEvenForTiesAndNaN() {
        let p = { (step: Int64, value: Double, time: Int64) in SeriesPoint(step: step, value: value, timestamp: time) }
        // The greatest step wins, then the latest time, then the larger value; a re-evaluation logged last at a lower
        // step does not.
        #expect(MLflowMapping.latest([p(7, 0.81, 8), p(4, 0.99, 9)])?.value == 0.81)
        #expect(MLflowMapping.latest([p(1, 0.85, 5), p(1, 0.8, 5)])?.value == 0.85)
        #expect(MLflowMapping.latest([p(1, 0.8, 5), p(1, 0.85, 5)])?.value == 0.85)
        #expect(MLflowMapping.latest([p(2, 1, 5), p(2, 0, 6)])?.value == 0)
        // Python compares a NaN as neither larger nor smaller: the first of a tie stays.
        #expect(MLflowMapping.latest([p(2, .nan, 5), p(2, 1, 5)])?.value.isNaN == true)
        #expect(MLflowMapping.latest([p(2, 1, 5), p(2, .nan, 5)])?.value == 1)
    }

    @Test func runsWithoutNamesAndClashingNamesAreNamedOnce() {
        let entry = { (id: String, name: String) in
            MLflowRun.Entry(experiment: "e", runID: id, name: name, startTime: 0, deleted: false, location: id)
        }
        let (names, notes) = MLflowMapping.names([entry("a1", "x"), entry("b2", ""), entry("c3", "x"), entry("d4", "x")])
        #expect(names == ["x", "b2", "x-c3", "x-d4"])
        #expect(notes.count == 2)
    }
}
