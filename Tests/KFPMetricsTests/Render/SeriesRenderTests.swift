import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// Golden files for what series and parameters add: `curve`, `compare --at` with the parameters that differ,
/// `runs --params`, `show` with parameters and series lengths, and the gate's `at:`, on a store made from the
/// real MLflow file store and dvclive fixtures.
struct SeriesRenderTests {
    /// The store: `kfpm import fixtures/mlflow/mlruns` and a dvclive run with params, at fixed times.
    static func store(_ backend: StoreBackend = .sqlite) throws -> any MetricsStore {
        let store = try backend.make()
        let time = Date(timeIntervalSince1970: 1_790_000_000)
        let imported = try Importer.run(ImportRequest(root: Fixtures.path("mlflow/mlruns"), time: time)) { store }
        #expect(imported.summary?.created == 4, "\(imported.diagnostics)")
        let request = IngestRequest(
            experiment: "dvclive", run: "train-1", paths: [Fixtures.path("dvclive-params")],
            params: [Parameter(key: "data", value: "v3")], time: time)
        #expect(try Ingestor.ingest(request, openStore: { store }, standardInput: { [] }).outcome != nil)
        return store
    }

    typealias Make = @Sendable (any MetricsStore) throws -> any Report

    static let commands: [(String, Make)] = [
        ("curve", { s in try curve(s, "mnist-classifier", "tuned", "grad/norm", every: 1) }),
        ("curve-every", { s in try curve(s, "dvclive", "train-1", "train/metrics/acc", every: 4) }),
        ("compare-at-best", { s in try comparison(s, at: .best) }),
        ("compare-at-step", { s in try comparison(s, at: .step(5)) }),
        ("runs-params", { s in
            RunList(
                experiment: "mnist-classifier", page: try s.runs(RunQuery(experiment: "mnist-classifier", metrics: .matching([Glob("val/*")]))),
                showLabels: true, showParams: true)
        }),
        ("show-params", { s in relative(try s.run(experiment: "mnist-classifier", name: "baseline")) }),
    ]

    static let cases: [(String, OutputFormat)] = commands.flatMap { command in
        OutputFormat.dataFormats.map { (command.0, $0) }
    }

    private static func curve(_ store: any MetricsStore, _ experiment: String, _ run: String, _ metric: String, every: Int) throws -> MetricCurve {
        let stored = try store.run(experiment: experiment, name: run)
        let series = try #require(try store.series(experiment: experiment, run: run, metrics: [metric]).first)
        let found = try #require(stored.metric(metric))
        return MetricCurve(run: stored, metric: found, series: series, direction: Direction.inferred(from: metric), every: every)
    }

    private static func comparison(_ store: any MetricsStore, at: SeriesPosition) throws -> Comparison {
        let runs = try ["baseline", "tuned"].map { try store.run(experiment: "mnist-classifier", name: $0) }
        var series = SeriesByRun()
        for run in runs { series.add(try store.series(experiment: run.experiment, run: run.name, metrics: nil), of: run) }
        return Comparison(runs: runs, directions: DirectionPolicy(), at: at, series: series)
    }

    /// A run with its sources' paths relative to the repository (they are machine-specific).
    private static func relative(_ run: StoredRun) -> StoredRun {
        var run = run
        run.sources = run.sources.map {
            var source = $0
            source.path = source.path.replacingOccurrences(of: Fixtures.repositoryRoot.path + "/", with: "")
            return source
        }
        return run
    }

    @Test(arguments: cases, StoreBackend.all)
    func seriesAndParametersMatchGolden(_ testCase: (String, OutputFormat), _ backend: StoreBackend) throws {
        let (command, format) = testCase
        let make = try #require(Self.commands.first { $0.0 == command }?.1)
        let text = format.render(try make(try Self.store(backend)), options: RenderOptions())
        let mismatch = Golden.mismatch(text, file: ReadRenderTests.fileName(command, format))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    /// tuned against baseline under fixtures/gate/rules-at.yaml: best, last and step positions.
    static func gateReport(_ backend: StoreBackend = .sqlite) throws -> GateReport {
        let store = try Self.store(backend)
        let rules = RulesParser.parse(String(decoding: try Fixtures.bytes("gate/rules-at.yaml"), as: UTF8.self), file: "rules-at.yaml")
        #expect(rules.diagnostics.isEmpty)
        let report = try GateRun.run(
            GateRequest(candidate: "tuned", experiment: "mnist-classifier", baseline: .run("baseline"), rulesFile: Fixtures.path("gate/rules-at.yaml"))
        ) { store }
        return report
    }

    @Test(arguments: OutputFormat.checkFormats, StoreBackend.all)
    func gateAtMatchesGolden(_ format: OutputFormat, _ backend: StoreBackend) throws {
        let ending = ["table": "table.txt", "markdown": "md", "junit": "junit.xml", "github": "github.txt"][format.rawValue] ?? format.rawValue
        var text = format.render(try Self.gateReport(backend), options: RenderOptions())
        // The rules file's path is machine-specific.
        text = text.replacingOccurrences(of: Fixtures.repositoryRoot.path + "/", with: "")
        let mismatch = Golden.mismatch(text, file: "gate-at.\(ending)")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func theGateComparesThePointsItsRulesName() throws {
        let report = try Self.gateReport()
        let byName = Dictionary(uniqueKeysWithValues: report.results.map { ($0.name, $0) })
        // val/acc at its best: the baseline's 0.9403… at step 11; tuned's 0.99, its re-evaluation logged last at
        // step 4 (its final value, MLflow's latest, is 0.81 at step 7).
        let acc = try #require(byName["val/acc"])
        #expect(acc.at == .best && acc.candidate == 0.99 && acc.candidateStep == 4)
        let loss = try #require(byName["train/loss"])
        #expect(loss.at == .last && loss.candidateStep == 7 && loss.candidate == 0.375)
        let gradNorm = try #require(byName["grad/norm"])
        #expect(gradNorm.at == .step(2) && gradNorm.candidate == 2.25 && gradNorm.verdict == .new)
    }
}
