import Foundation
import KFPMTestSupport
import Testing

@testable import KFPMetrics

/// Golden files for every read command in every format, on one fixed store built from the fixtures.
struct ReadRenderTests {
    /// The fixed store: experiment `demo` with a real KFP v1 run and three synthetic runs an hour apart,
    /// experiment `other` with a real KFP v2 run.
    static func goldenStore() throws -> SQLiteMetricsStore {
        let store = try SQLiteMetricsStore(path: ":memory:", create: true)
        let runs: [(String, String, String, [Label])] = [
            ("demo", "run-39", "kfp-v1/accuracy.json", [Label(key: "branch", value: "main")]),
            ("demo", "run-40", "synthetic/run-40.json", [Label(key: "branch", value: "main")]),
            ("demo", "run-41", "synthetic/run-41.json", [Label(key: "branch", value: "main"), Label(key: "commit", value: "a1b2c3")]),
            ("demo", "run-42", "synthetic/run-42.json", [Label(key: "branch", value: "feature/x")]),
            ("other", "run-1", "kfp-v2/executor_output_two_metrics.json", []),
        ]
        for (i, (experiment, run, fixture, labels)) in runs.enumerated() {
            let request = IngestRequest(
                experiment: experiment, run: run, paths: [Fixtures.path(fixture)], labels: labels,
                time: Date(timeIntervalSince1970: 1_790_000_000 + Double(i) * 3600))
            let result = try Ingestor.ingest(request, openStore: { store }, standardInput: { [] })
            #expect(result.outcome != nil, "\(result.diagnostics)")
        }
        return store
    }

    /// One read command's result, rendered.
    typealias Render = @Sendable (any Renderer, SQLiteMetricsStore) throws -> String

    static let commands: [(String, Render)] = [
        ("experiments", { r, s in r.render(try s.experimentSummaries()) }),
        ("runs", { r, s in
            r.render(RunList(experiment: "demo", page: try s.runs(RunQuery(experiment: "demo")), columns: .top(2), showLabels: false))
        }),
        ("runs-all-sorted", { r, s in
            let page = try s.runs(RunQuery(experiment: "demo", sortMetric: "val-loss", ascending: true, limit: 3))
            return r.render(RunList(experiment: "demo", page: page, columns: .all, showLabels: true))
        }),
        ("runs-where", { r, s in
            let page = try s.runs(RunQuery(experiment: "demo", labels: [Label(key: "branch", value: "main")]))
            return r.render(RunList(experiment: "demo", page: page, columns: .matching([Glob("*-score")]), showLabels: false))
        }),
        ("top", { r, s in
            r.render(TopMetrics(experiment: "demo", statistics: try s.metricStatistics(experiment: "demo"), directions: DirectionPolicy(), limit: nil))
        }),
        ("compare", { r, s in
            let runs = try ["run-41", "run-42"].map { try s.run(experiment: "demo", name: $0) }
            return r.render(Comparison(runs: runs, directions: DirectionPolicy()))
        }),
        ("compare-three", { r, s in
            let runs = try ["run-40", "run-41", "run-42"].map { try s.run(experiment: "demo", name: $0) }
            return r.render(Comparison(runs: runs, directions: DirectionPolicy(), onlyChanged: true))
        }),
        ("history", { r, s in
            r.render(MetricHistory(experiment: "demo", metric: "accuracy-score", points: try s.history(experiment: "demo", metric: "accuracy-score", limit: nil)))
        }),
    ]

    static let cases: [(String, OutputFormat)] = commands.flatMap { command in
        OutputFormat.allCases.map { (command.0, $0) }
    }

    static func fileName(_ command: String, _ format: OutputFormat) -> String {
        let ending = ["table": "table.txt", "json": "json", "csv": "csv", "markdown": "md"][format.rawValue] ?? format.rawValue
        return "\(command).\(ending)"
    }

    @Test(arguments: cases)
    func readCommandMatchesGolden(_ command: String, _ format: OutputFormat) throws {
        let store = try Self.goldenStore()
        let render = try #require(Self.commands.first { $0.0 == command }?.1)
        let text = try render(format.renderer(RenderOptions()), store)
        let mismatch = Golden.mismatch(text, file: Self.fileName(command, format))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func coloursOnlyWhenAskedAndNeverBreakAlignment() throws {
        let store = try Self.goldenStore()
        let runs = try ["run-41", "run-42"].map { try store.run(experiment: "demo", name: $0) }
        let comparison = Comparison(runs: runs, directions: DirectionPolicy())
        let plain = OutputFormat.table.renderer(RenderOptions()).render(comparison)
        let colored = OutputFormat.table.renderer(RenderOptions(color: true)).render(comparison)
        #expect(!plain.contains("\u{1B}["))
        #expect(colored.contains("\u{1B}[31m▼ worse"))
        #expect(colored.replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(of: "\u{1B}[32m", with: "")
            .replacingOccurrences(of: "\u{1B}[0m", with: "") == plain)
    }
}
