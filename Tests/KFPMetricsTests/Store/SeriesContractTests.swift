import Foundation
import KFPMTestSupport
import Testing

@testable import KFPModel
@testable import KFPStore

/// The `MetricsStore` contract for per-step series and run parameters, on every backend in `StoreBackend.all`.
struct SeriesContractTests {
    private let metrics = [
        Metric(name: "acc", value: 0.9, format: .percentage),
        Metric(name: "loss", value: 0.25, format: .raw),
        Metric(name: "plain", value: 1, format: .raw),
    ]

    /// Every kind of point a source can give: NaN and the infinities, -0, a repeated step, a negative step, steps
    /// far apart, timestamps on some points only and out of order.
    private var awkward: MetricSeries {
        MetricSeries(
            metric: "loss",
            points: [
                SeriesPoint(step: -1, value: 1.5, timestamp: 1_735_689_600_000),
                SeriesPoint(step: 0, value: .nan, timestamp: 1_735_689_599_000),
                SeriesPoint(step: 0, value: .infinity),
                SeriesPoint(step: 1_000_000_000_000, value: -.infinity, timestamp: 0),
                SeriesPoint(step: 2, value: -0.0, timestamp: -5),
                SeriesPoint(step: 2, value: .leastNonzeroMagnitude, timestamp: .max),
                SeriesPoint(step: .min, value: .greatestFiniteMagnitude, timestamp: .min),
            ])
    }

    private let params = [
        Parameter(key: "lr", value: "1e-05"), Parameter(key: "seed", value: "0042"), Parameter(key: "empty", value: ""),
        Parameter(key: "note", value: "résumé: β₁=0.9\nsecond line"), Parameter(key: "model/head/units", value: "128"),
    ]

    private func expectSame(_ a: [MetricSeries], _ b: [MetricSeries], _ comment: Comment? = nil) {
        #expect(a.map(\.metric) == b.map(\.metric), comment)
        for (x, y) in zip(a, b) {
            #expect(x.sameContent(as: y), "\(x.metric): \(x.points) vs \(y.points)")
        }
    }

    // MARK: - Round trips

    @Test(arguments: StoreBackend.all)
    func seriesAndParametersReadBackExactly(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let acc = Build.series("acc", [(0, 0.5), (1, 0.7), (2, 0.9)], timestamps: false)
        _ = try store.ingest(Build.ingest("r", metrics, params: params, series: [awkward, acc]), replace: false)
        let run = try store.run(experiment: "Default", name: "r")
        #expect(run.params == params.sorted { $0.key < $1.key })
        #expect(run.param("note") == "résumé: β₁=0.9\nsecond line")
        #expect(run.seriesPointCounts == ["acc": 3, "loss": 7])
        expectSame(try store.series(experiment: "Default", run: "r", metrics: nil), [acc, awkward])
        expectSame(try store.series(experiment: "Default", run: "r", metrics: ["loss"]), [awkward])
        // A metric with a final value only has no series; asking for it is no error.
        #expect(try store.series(experiment: "Default", run: "r", metrics: ["plain"]).isEmpty)
        // The final values are the metrics', whatever the series say.
        #expect(run.metrics.map(\.value) == [0.9, 0.25, 1])
    }

    @Test(arguments: StoreBackend.all)
    func aRunWithoutSeriesOrParametersReadsAsBefore(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r", metrics), replace: false)
        let run = try store.run(experiment: "Default", name: "r")
        #expect(run.params.isEmpty && run.seriesPointCounts.isEmpty)
        #expect(try store.series(experiment: "Default", run: "r", metrics: nil).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func askingForTheSeriesOfWhatDoesNotExistSaysWhatDoes(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r", metrics, params: [], series: [awkward]), replace: false)
        #expect {
            try store.series(experiment: "Default", run: "r", metrics: ["loss", "nope"])
        } throws: { error in
            guard case StoreError.unknownRunMetric(_, "r", "nope", let known, 3) = error else { return false }
            return known == ["acc", "loss", "plain"]
                && "\(error)" == "run 'r' in experiment 'Default' has no metric 'nope'; its metrics: acc, loss, plain"
        }
        #expect(throws: StoreError.self) { try store.series(experiment: "Default", run: "r2", metrics: nil) }
        #expect(throws: StoreError.self) { try store.series(experiment: "nope", run: "r", metrics: nil) }
    }

    @Test(arguments: StoreBackend.all)
    func longSeriesRoundTrip(_ backend: StoreBackend) throws {
        let store = try backend.make()
        var state: UInt64 = 7
        let points = (0..<100_000).map { i -> SeriesPoint in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return SeriesPoint(step: Int64(i), value: Double(bitPattern: state >> 2), timestamp: 1_735_689_600_000 + Int64(i) * 37)
        }
        let series = MetricSeries(metric: "loss", points: points)
        _ = try store.ingest(Build.ingest("r", metrics, params: [], series: [series]), replace: false)
        expectSame(try store.series(experiment: "Default", run: "r", metrics: ["loss"]), [series])
    }

    // MARK: - Writing again

    @Test(arguments: StoreBackend.all)
    func identicalContentWithSeriesAndParametersIsUnchanged(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let ingest = Build.ingest("r", metrics, params: params, series: [awkward])
        _ = try store.ingest(ingest, replace: false)
        var later = ingest
        later.time = Build.time + 60
        #expect(try store.ingest(later, replace: false) == .unchanged(metricCount: 3))
        #expect(try store.run(experiment: "Default", name: "r").ingestedAt == Build.time)
    }

    @Test(arguments: StoreBackend.all)
    func differentParametersOrSeriesAreAConflictListingTheDifferences(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let loss = Build.series("loss", [(0, 0.5), (1, 0.25)])
        _ = try store.ingest(Build.ingest("r", metrics, params: params, series: [loss]), replace: false)
        var changedPoint = loss
        changedPoint.points[1].value = 0.3
        let cases: [(RunIngest, [String])] = [
            (
                Build.ingest("r", metrics, params: params.filter { $0.key != "lr" } + [Parameter(key: "lr", value: "0.00001"), Parameter(key: "new", value: "x")], series: [loss]),
                ["param lr: 1e-05 → 0.00001", "param new: (absent) → x"]
            ),
            (
                Build.ingest("r", metrics, params: params, series: [changedPoint]),
                ["series loss: point 2 (step 1: 0.25 at 1735689601000) → (step 1: 0.3 at 1735689601000)"]
            ),
            (
                Build.ingest("r", metrics, params: params, series: [Build.series("loss", [(0, 0.5)]), Build.series("acc", [(0, 1)])]),
                ["series acc: (absent) → 1 point", "series loss: 2 points → 1 point"]
            ),
            (Build.ingest("r", metrics, params: [], series: []), params.map(\.key).sorted().map { key in
                "param \(key): \(params.first { $0.key == key }?.value ?? "") → (absent)"
            } + ["series loss: 2 points → (absent)"]),
        ]
        for (ingest, expected) in cases {
            #expect {
                try store.ingest(ingest, replace: false)
            } throws: { error in
                guard case StoreError.runConflict(_, _, let content, let labels) = error else { return false }
                return content == expected && labels.isEmpty
            }
        }
    }

    @Test(arguments: StoreBackend.all)
    func replacingARunReplacesItsSeriesAndParameters(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r", metrics, params: params, series: [awkward]), replace: false)
        let acc = Build.series("acc", [(5, 0.1)])
        let outcome = try store.ingest(
            Build.ingest("r", metrics, params: [Parameter(key: "lr", value: "0.1")], series: [acc], time: Build.time + 60),
            replace: true)
        #expect(outcome == .replaced(metricCount: 3, previousCount: 3))
        let run = try store.run(experiment: "Default", name: "r")
        #expect(run.params == [Parameter(key: "lr", value: "0.1")])
        #expect(run.seriesPointCounts == ["acc": 1])
        expectSame(try store.series(experiment: "Default", run: "r", metrics: nil), [acc])
        // Replaced by a run with neither: both gone.
        _ = try store.ingest(Build.ingest("r", metrics, time: Build.time + 120), replace: true)
        let bare = try store.run(experiment: "Default", name: "r")
        #expect(bare.params.isEmpty && bare.seriesPointCounts.isEmpty)
        #expect(try store.series(experiment: "Default", run: "r", metrics: nil).isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func aMalformedRunIsRefusedAndStoresNothing(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let bad: [(RunIngest, String)] = [
            (Build.ingest("r", metrics, params: [], series: [Build.series("other", [(0, 1)])]), "a series of 'other', which is not a metric of the run"),
            (Build.ingest("r", metrics, params: [], series: [Build.series("acc", [(0, 1)]), Build.series("acc", [(1, 1)])]), "the series of metric 'acc' is given twice"),
            (Build.ingest("r", metrics, params: [Parameter(key: "a", value: "1"), Parameter(key: "a", value: "2")], series: []), "parameter 'a' is given twice"),
            (Build.ingest("r", metrics, params: [], series: [MetricSeries(metric: "acc", points: [])]), "the series of 'acc' has no points"),
        ]
        for (ingest, problem) in bad {
            #expect {
                try store.ingest(ingest, replace: false)
            } throws: { error in
                guard case StoreError.invalidRun(_, "r", let problems) = error else { return false }
                return problems == [problem]
            }
        }
        #expect(try store.experimentNames().isEmpty)
    }

    // MARK: - Import and statistics

    @Test(arguments: StoreBackend.all)
    func importWritesSeriesAndParametersAllOrNothing(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let a = Build.ingest("a", metrics, params: params, series: [awkward], experiment: "e")
        let b = Build.ingest("b", metrics, params: [], series: [Build.series("acc", [(0, 1), (1, 2)])], experiment: "e")
        var batches: [ImportBatch] = [.runs([a]), .runs([b]), .abort]
        #expect(throws: StoreError.self) { try store.importRuns(replace: false) { batches.removeFirst() } }
        #expect(try store.experimentNames().isEmpty)
        batches = [.runs([a]), .runs([b]), .end]
        let summary = try store.importRuns(replace: false) { batches.removeFirst() }
        #expect(summary.created == 2 && summary.metrics == 6 && summary.points == 9)
        expectSame(try store.series(experiment: "e", run: "a", metrics: nil), [awkward])
        #expect(try store.run(experiment: "e", name: "a").params.count == params.count)
        // The same again is unchanged, series and parameters included.
        batches = [.runs([a, b]), .end]
        #expect(try store.importRuns(replace: false) { batches.removeFirst() }.unchanged == 2)
    }

    @Test(arguments: StoreBackend.all)
    func seriesLeaveTheStatisticsOfFinalValuesAlone(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r1", metrics, params: [], series: [awkward], experiment: "e"), replace: false)
        _ = try store.ingest(
            Build.ingest("r1", [Metric(name: "loss", value: 0.5, format: .raw)], params: [], series: [Build.series("loss", [(0, 9)])], experiment: "e", time: Build.time + 1),
            replace: true)
        let loss = try #require(try store.metricStatistics(experiment: "e").first { $0.name == "loss" })
        #expect(loss.runCount == 1 && loss.min == 0.5 && loss.max == 0.5 && loss.latest == 0.5)
        #expect(try store.metricStatistics(experiment: "e").map(\.name) == ["loss"])
    }

    // MARK: - Renaming, deleting

    @Test(arguments: StoreBackend.all)
    func renamingOrDeletingARunTakesItsSeriesAndParametersAlong(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("a", metrics, params: params, series: [awkward], experiment: "e"), replace: false)
        let acc = Build.series("acc", [(0, 1)])
        _ = try store.ingest(
            Build.ingest("b", metrics, params: [Parameter(key: "lr", value: "1")], series: [acc], experiment: "e"), replace: false)
        try store.renameRun(experiment: "e", from: "a", to: "a2")
        expectSame(try store.series(experiment: "e", run: "a2", metrics: nil), [awkward])
        #expect(try store.run(experiment: "e", name: "a2").params.count == params.count)
        #expect(try store.deleteRuns(experiment: "e", names: ["a2"]) == 3)
        #expect(throws: StoreError.self) { try store.series(experiment: "e", run: "a2", metrics: nil) }
        // A new run of that name starts with nothing of the deleted one; the other run keeps what it had.
        _ = try store.ingest(Build.ingest("a2", metrics, experiment: "e"), replace: false)
        let fresh = try store.run(experiment: "e", name: "a2")
        #expect(fresh.params.isEmpty && fresh.seriesPointCounts.isEmpty)
        #expect(try store.series(experiment: "e", run: "a2", metrics: nil).isEmpty)
        expectSame(try store.series(experiment: "e", run: "b", metrics: nil), [acc])
        #expect(try store.run(experiment: "e", name: "b").params == [Parameter(key: "lr", value: "1")])
    }
}
