import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// Golden files for every read command in every format, on one fixed store built from the fixtures.
struct ReadRenderTests {
    /// One read command's report, from the golden store.
    typealias Make = @Sendable (any MetricsStore) throws -> any Report

    static let commands: [(String, Make)] = [
        ("experiments", { s in ExperimentList(try s.experimentSummaries()) }),
        ("runs", { s in
            RunList(experiment: "demo", page: try s.runs(RunQuery(experiment: "demo", metrics: .top(2))), showLabels: false)
        }),
        ("runs-all-sorted", { s in
            let page = try s.runs(RunQuery(experiment: "demo", sortMetric: "val-loss", ascending: true, limit: 3, metrics: .all))
            return RunList(experiment: "demo", page: page, showLabels: true)
        }),
        ("runs-where", { s in
            let page = try s.runs(RunQuery(experiment: "demo", filters: [.equals(key: "branch", value: Glob("main"))], metrics: .matching([Glob("*-score")])))
            return RunList(experiment: "demo", page: page, showLabels: false)
        }),
        ("top", { s in
            TopMetrics(experiment: "demo", statistics: try s.metricStatistics(experiment: "demo"), directions: DirectionPolicy(), limit: nil)
        }),
        ("compare", { s in
            let runs = try ["run-41", "run-42"].map { try s.run(experiment: "demo", name: $0) }
            return Comparison(runs: runs, directions: DirectionPolicy())
        }),
        ("compare-three", { s in
            let runs = try ["run-40", "run-41", "run-42"].map { try s.run(experiment: "demo", name: $0) }
            return Comparison(runs: runs, directions: DirectionPolicy(), onlyChanged: true)
        }),
        ("history", { s in
            MetricHistory(experiment: "demo", metric: "accuracy-score", points: try s.history(experiment: "demo", metric: "accuracy-score", limit: nil))
        }),
    ]

    static let cases: [(String, OutputFormat)] = commands.flatMap { command in
        OutputFormat.dataFormats.map { (command.0, $0) }
    }

    static func fileName(_ command: String, _ format: OutputFormat) -> String {
        let ending = ["table": "table.txt", "json": "json", "csv": "csv", "markdown": "md"][format.rawValue] ?? format.rawValue
        return "\(command).\(ending)"
    }

    /// Every command in every format, on every backend: the output must not depend on the store.
    @Test(arguments: cases, StoreBackend.all)
    func readCommandMatchesGolden(_ testCase: (String, OutputFormat), _ backend: StoreBackend) throws {
        let (command, format) = testCase
        let store = try GoldenStore.make(backend)
        let make = try #require(Self.commands.first { $0.0 == command }?.1)
        let text = format.render(try make(store), options: RenderOptions())
        let mismatch = Golden.mismatch(text, file: Self.fileName(command, format))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func coloursOnlyWhenAskedAndNeverBreakAlignment() throws {
        let store = try GoldenStore.make()
        let runs = try ["run-41", "run-42"].map { try store.run(experiment: "demo", name: $0) }
        let comparison = Comparison(runs: runs, directions: DirectionPolicy())
        let plain = OutputFormat.table.render(comparison, options: RenderOptions())
        let colored = OutputFormat.table.render(comparison, options: RenderOptions(color: true))
        #expect(!plain.contains("\u{1B}["))
        #expect(colored.contains("\u{1B}[31m▼ worse"))
        #expect(colored.replacingOccurrences(of: "\u{1B}[31m", with: "").replacingOccurrences(of: "\u{1B}[32m", with: "")
            .replacingOccurrences(of: "\u{1B}[0m", with: "") == plain)
    }
}
