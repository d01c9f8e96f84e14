import Foundation
import KFPMTestSupport
import Testing

@testable import KFPModel
@testable import KFPStore

/// What every store backend must do, whatever it is built on: the `MetricsStore` contract. Each test runs on
/// every backend in `StoreBackend.all`, so that a new backend only has to plug in.
struct StoreContractTests {
    private let metrics = [
        Metric(name: "accuracy", value: 0.1 + 0.2, format: .percentage),
        Metric(name: "loss", value: .leastNonzeroMagnitude, format: .raw),
        Metric(name: "zero", value: -0.0, format: .unspecified),  // stored as 0: a store keeps no sign of zero
    ]

    // MARK: - Writing

    @Test(arguments: StoreBackend.all)
    func storesAndReadsBackExactly(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let labels = [Label(key: "branch", value: "main"), Label(key: "commit", value: "abc")]
        #expect(try store.ingest(Build.ingest("r1", metrics, labels: labels), replace: false) == .created(metricCount: 3))
        let run = try store.run(experiment: "Default", name: "r1")
        #expect(run.metrics.count == 3)
        for (stored, original) in zip(run.metrics, metrics) {
            #expect(stored.sameContent(as: original), "\(stored) vs \(original)")
        }
        #expect(run.labels == labels)
        #expect(run.sources == [MetricsSource(path: "m.json", inputFormat: .kfpV1, step: "", metricCount: 3)])
        #expect(run.createdAt == Build.time && run.ingestedAt == Build.time)
    }

    @Test(arguments: StoreBackend.all)
    func extremeAndNonFiniteValuesRoundTrip(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let values: [Double] = [
            .nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
            .leastNormalMagnitude, 0.1, 1 / 3, -1e-300, 123_456_789.123_456_78,
        ]
        let odd = values.enumerated().map { Metric(name: "m\($0.offset)", value: $0.element, format: .raw) }
        _ = try store.ingest(Build.ingest("r", odd), replace: false)
        let read = try store.run(experiment: "Default", name: "r").metrics
        for (i, value) in values.enumerated() {
            let got = try #require(read.first { $0.name == "m\(i)" }).value
            #expect(got.bitPattern == value.bitPattern || (got.isNaN && value.isNaN), "m\(i): \(got) vs \(value)")
        }
    }

    @Test(arguments: StoreBackend.all)
    func sameContentIsUnchangedDifferentIsAConflictUnlessReplaced(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r", metrics), replace: false)
        #expect(try store.ingest(Build.ingest("r", metrics, time: Build.time + 60), replace: false) == .unchanged(metricCount: 3))
        #expect(try store.run(experiment: "Default", name: "r").ingestedAt == Build.time)

        let changed = [Metric(name: "accuracy", value: 0.3, format: .percentage), metrics[1]]
        #expect {
            try store.ingest(Build.ingest("r", changed), replace: false)
        } throws: { error in
            guard case StoreError.runConflict(_, _, let metrics, let labels) = error else { return false }
            return metrics == ["accuracy: 0.30000000000000004 → 0.3", "zero: 0.0 → (absent)"] && labels.isEmpty
        }
        #expect(try store.run(experiment: "Default", name: "r").metrics.count == 3)
        let later = Build.time + 3600
        #expect(try store.ingest(Build.ingest("r", changed, time: later), replace: true) == .replaced(metricCount: 2, previousCount: 3))
        let replaced = try store.run(experiment: "Default", name: "r")
        #expect(replaced.metrics.map(\.value) == [0.3, .leastNonzeroMagnitude])
        #expect(replaced.createdAt == Build.time && replaced.ingestedAt == later)
    }

    @Test(arguments: StoreBackend.all)
    func differentLabelsAreAConflictToo(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r", metrics, labels: [Label(key: "branch", value: "main")]), replace: false)
        #expect {
            try store.ingest(Build.ingest("r", metrics, labels: [Label(key: "branch", value: "dev")]), replace: false)
        } throws: { error in
            guard case StoreError.runConflict(_, _, let metrics, let labels) = error else { return false }
            return metrics.isEmpty && labels == ["branch: main → dev"]
        }
    }

    @Test(arguments: StoreBackend.all)
    func aFailedIngestStoresNothing(_ backend: StoreBackend) throws {
        let store = try backend.make()
        // Two metrics with one name break the key half-way through the inserts.
        let broken = Build.ingest("r", [metrics[0], metrics[1], metrics[0]], experiment: "New")
        #expect(throws: StoreError.self) { try store.ingest(broken, replace: false) }
        #expect(try store.experimentNames().isEmpty)
        #expect(try store.experimentSummaries().isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func sameRunNameInTwoExperimentsIsTwoRuns(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r", metrics, experiment: "a"), replace: false)
        _ = try store.ingest(Build.ingest("r", [metrics[0]], experiment: "b"), replace: false)
        #expect(try store.experimentNames() == ["a", "b"])
        #expect(try store.run(experiment: "b", name: "r").metrics.count == 1)
    }

    @Test(arguments: StoreBackend.all)
    func namesAreTextNeverSQL(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let hostile = "x'); DROP TABLE metric; --"
        _ = try store.ingest(Build.ingest(hostile, [Metric(name: hostile, value: 1, format: .raw)], experiment: hostile), replace: false)
        #expect(try store.run(experiment: hostile, name: hostile).metrics.first?.name == hostile)
    }

    // MARK: - Import

    @Test(arguments: StoreBackend.all)
    func importStoresEveryBatchInOneTransaction(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("same", value: 1, experiment: "e"), replace: false)
        var batches: [ImportBatch] = [
            .runs([Build.ingest("a", value: 1, experiment: "e"), Build.ingest("same", value: 1, experiment: "e")]),
            .runs([Build.ingest("b", value: 2, experiment: "f")]),
            .end,
        ]
        let summary = try store.importRuns(replace: false) { batches.removeFirst() }
        #expect(summary.created == 2 && summary.unchanged == 1 && summary.replaced == 0 && summary.metrics == 2)
        #expect(try store.experimentNames() == ["e", "f"])
        #expect(try store.run(experiment: "f", name: "b").metrics.first?.value == 2)
    }

    @Test(arguments: StoreBackend.all)
    func anAbortedOrConflictingImportStoresNothing(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("old", value: 1, experiment: "e"), replace: false)
        var batches: [ImportBatch] = [.runs([Build.ingest("a", value: 1, experiment: "e")]), .abort]
        #expect(throws: StoreError.self) { try store.importRuns(replace: false) { batches.removeFirst() } }
        batches = [.runs([Build.ingest("b", value: 1, experiment: "e")]), .runs([Build.ingest("old", value: 2, experiment: "e")]), .end]
        #expect(throws: StoreError.self) { try store.importRuns(replace: false) { batches.removeFirst() } }
        #expect(try store.runs(RunQuery(experiment: "e")).runs.map(\.name) == ["old"])
        #expect(try store.metricStatistics(experiment: "e").map(\.runCount) == [1])
    }

    // MARK: - Export

    @Test(arguments: StoreBackend.all)
    func exportStreamsEveryRunInBatchesInTheOrderStored(_ backend: StoreBackend) throws {
        let store = try backend.make()
        // Created out of order (newest first), so that "the order stored" differs from the order of creation.
        for i in 0..<7 {
            _ = try store.ingest(Build.ingest("r\(i)", value: Double(i), experiment: "e", time: Build.time - Double(i) * 60), replace: false)
        }
        let labelled = Build.ingest("x", metrics, labels: [Label(key: "branch", value: "main")], experiment: "f")
        _ = try store.ingest(labelled, replace: false)
        _ = try store.ingest(Build.ingest("y", value: .nan, experiment: "f"), replace: false)
        var batches: [[String]] = []
        try store.exportRuns(experiments: nil, batchSize: 3) { batch in
            batches.append(batch.map { "\($0.run.experiment)/\($0.run.name)" })
            return true
        }
        #expect(batches == [["e/r0", "e/r1", "e/r2"], ["e/r3", "e/r4", "e/r5"], ["e/r6"], ["f/x", "f/y"]])

        // Whole runs: what `run` reads, field by field.
        var exported: [StoredRun] = []
        try store.exportRuns(experiments: ["f"], batchSize: 10) { batch in
            exported += batch.map(\.run)
            return true
        }
        #expect(exported.map(\.name) == ["x", "y"])
        for run in exported {
            let read = try store.run(experiment: "f", name: run.name)
            #expect(run.labels == read.labels && run.sources == read.sources)
            #expect(run.createdAt == read.createdAt && run.ingestedAt == read.ingestedAt)
            #expect(run.metrics.count == read.metrics.count && zip(run.metrics, read.metrics).allSatisfy { $0.sameContent(as: $1) })
        }

        // Stopping early, and an unknown experiment before any batch.
        var calls = 0
        try store.exportRuns(experiments: ["e"], batchSize: 2) { _ in
            calls += 1
            return false
        }
        #expect(calls == 1)
        #expect(throws: StoreError.self) {
            try store.exportRuns(experiments: ["e", "nope"], batchSize: 2) { _ in
                Issue.record("a batch before the unknown experiment was found")
                return true
            }
        }
    }

    /// Runs exported from one backend and imported into another (every pair) read back the same, times, parameters
    /// and series points included (what `kfpm copy` relies on); importing them again is unchanged.
    @Test(arguments: StoreBackend.all, StoreBackend.all)
    func exportedRunsImportIntoAnyBackendUnchanged(_ from: StoreBackend, _ to: StoreBackend) throws {
        let source = try from.make()
        let created = Date(timeIntervalSince1970: 1_700_000_000.123)
        var a = Build.ingest("a", metrics, labels: [Label(key: "k", value: "v")], experiment: "e", createdAt: created)
        a.params = [Parameter(key: "lr", value: "1e-05"), Parameter(key: "seed", value: "0042")]
        a.series = [
            Build.series("accuracy", [(0, 0.1), (1, .nan), (1, -0.0)]), Build.series("loss", [(-3, .infinity)], timestamps: false),
        ]
        _ = try source.ingest(a, replace: false)
        _ = try source.ingest(Build.ingest("b", value: -.infinity, experiment: "e", time: Build.time + 1), replace: false)
        let target = try to.make()
        var batches: [ImportBatch] = []
        try source.exportRuns(experiments: nil, batchSize: 1) { batch in
            batches.append(.runs(batch.map(\.ingest)))
            return true
        }
        batches.append(.end)
        let replay = batches
        let summary = try target.importRuns(replace: false) { batches.removeFirst() }
        #expect(summary.created == 2 && summary.points == 4)
        for name in ["a", "b"] {
            let original = try source.run(experiment: "e", name: name)
            let copy = try target.run(experiment: "e", name: name)
            #expect(copy.labels == original.labels && copy.sources == original.sources)
            #expect(copy.createdAt == original.createdAt && copy.ingestedAt == original.ingestedAt)
            #expect(zip(copy.metrics, original.metrics).allSatisfy { $0.sameContent(as: $1) })
            #expect(copy.params == original.params && copy.seriesPointCounts == original.seriesPointCounts)
            let series = try target.series(experiment: "e", run: name, metrics: nil)
            let originalSeries = try source.series(experiment: "e", run: name, metrics: nil)
            #expect(series.count == originalSeries.count && zip(series, originalSeries).allSatisfy { $0.sameContent(as: $1) })
        }
        #expect(try target.run(experiment: "e", name: "a").seriesPointCounts == ["accuracy": 3, "loss": 1])
        batches = replay
        #expect(try target.importRuns(replace: false) { batches.removeFirst() }.unchanged == 2)
    }

    // MARK: - Reading

    @Test(arguments: StoreBackend.all)
    func unknownRunsExperimentsAndMetricsListWhatExists(_ backend: StoreBackend) throws {
        let store = try backend.make()
        _ = try store.ingest(Build.ingest("r1", metrics), replace: false)
        #expect(throws: StoreError.self) { try store.run(experiment: "Default", name: "r2") }
        do {
            _ = try store.run(experiment: "Default", name: "r2")
        } catch {
            #expect(error.description.contains("its runs: r1"))
        }
        do {
            _ = try store.run(experiment: "nope", name: "r1")
        } catch {
            #expect(error.description.contains("experiments: Default"))
        }
        do {
            _ = try store.history(experiment: "Default", metric: "nope", limit: nil)
        } catch {
            #expect(error.description == "no metric 'nope' in experiment 'Default'; its metrics: accuracy, loss, zero")
        }
        #expect(throws: StoreError.self) { try store.runs(RunQuery(experiment: "nope")) }
        #expect(throws: StoreError.self) { try store.metricStatistics(experiment: "nope") }
    }

    /// Five runs an hour apart: labels on some, a metric `m` with a NaN and a missing value.
    private func seeded(_ backend: StoreBackend) throws -> any MetricsStore {
        let store = try backend.make()
        let rows: [(String, Double?, String)] = [("r1", 0.5, "main"), ("r2", .nan, "main"), ("r3", 0.9, "dev"), ("r4", nil, "main"), ("r5", 0.7, "dev")]
        for (i, (name, value, branch)) in rows.enumerated() {
            var metrics = [Metric(name: "other", value: Double(i), format: .raw)]
            if let value { metrics.append(Metric(name: "m", value: value, format: .percentage)) }
            let ingest = Build.ingest(
                name, metrics.sorted { $0.name < $1.name }, labels: [Label(key: "branch", value: branch)], experiment: "e",
                time: Build.time + Double(i) * 3600)
            _ = try store.ingest(ingest, replace: false)
        }
        return store
    }

    @Test(arguments: StoreBackend.all)
    func runsComeNewestFirstFilteredLimitedAndCounted(_ backend: StoreBackend) throws {
        let store = try seeded(backend)
        #expect(try store.runs(RunQuery(experiment: "e")).runs.map(\.name) == ["r5", "r4", "r3", "r2", "r1"])
        let page = try store.runs(RunQuery(experiment: "e", filters: [.equals(key: "branch", value: Glob("main"))], limit: 2))
        #expect(page.runs.map(\.name) == ["r4", "r2"] && page.totalMatching == 3)
        let before = try store.runs(
            RunQuery(experiment: "e", limit: 2, before: RunReference(experiment: "e", name: "r4"), countMatching: false))
        #expect(before.runs.map(\.name) == ["r3", "r2"])
        #expect(try store.runs(RunQuery(experiment: "e", filters: [.equals(key: "branch", value: Glob("none"))])).runs.isEmpty)
    }

    @Test(arguments: StoreBackend.all)
    func aPageReadsOnlyTheMetricsOfItsColumns(_ backend: StoreBackend) throws {
        let store = try seeded(backend)
        // Every run: prevalence as the kept statistics say ("other" in 5 runs, "m" in 4).
        let whole = try store.runs(RunQuery(experiment: "e", metrics: .top(1)))
        #expect(whole.columns == ["other"] && whole.runs.allSatisfy { $0.metrics.map(\.name) == ["other"] })
        // Some runs: prevalence among them (a tie of 2 and 2, broken by name), whether a filter or the limit chose them.
        let dev = try store.runs(RunQuery(experiment: "e", filters: [.equals(key: "branch", value: Glob("dev"))], metrics: .top(1)))
        #expect(dev.columns == ["m"] && dev.runs.map { $0.metrics.map(\.name) } == [["m"], ["m"]])
        #expect(try store.runs(RunQuery(experiment: "e", limit: 1, metrics: .top(1))).columns == ["m"])
        // Names exactly (a name no run has is still a column), globs over the names the runs have, or everything.
        let named = try store.runs(RunQuery(experiment: "e", metrics: .named(["m", "nope"])))
        #expect(named.columns == ["m", "nope"] && named.runs.map { $0.metrics.map(\.value) }[0] == [0.7] && named.runs[1].metrics.isEmpty)
        #expect(try store.runs(RunQuery(experiment: "e", metrics: .matching([Glob("o*"), Glob("zz*")]))).columns == ["other"])
        let all = try store.runs(RunQuery(experiment: "e"))
        #expect(all.columns == ["other", "m"] && all.runs[0].metrics.map(\.name) == ["m", "other"])
        #expect(all.runs.map { $0.labels.map(\.value) } == [["dev"], ["main"], ["dev"], ["main"], ["main"]])
    }

    @Test(arguments: StoreBackend.all)
    func sortingByAMetricPutsNaNAndMissingLast(_ backend: StoreBackend) throws {
        let store = try seeded(backend)
        let descending = try store.runs(RunQuery(experiment: "e", sortMetric: "m"))
        #expect(descending.runs.map(\.name) == ["r3", "r5", "r1", "r2", "r4"])
        let ascending = try store.runs(RunQuery(experiment: "e", sortMetric: "m", ascending: true, limit: 4))
        #expect(ascending.runs.map(\.name) == ["r1", "r5", "r3", "r2"])
        let unknown = try store.runs(RunQuery(experiment: "e", sortMetric: "nope", limit: 2))
        #expect(unknown.runs.map(\.name) == ["r5", "r4"])
    }

    @Test(arguments: StoreBackend.all)
    func statisticsAndHistory(_ backend: StoreBackend) throws {
        let store = try seeded(backend)
        let statistics = try store.metricStatistics(experiment: "e")
        #expect(statistics.map(\.name) == ["other", "m"])
        let m = try #require(statistics.last)
        #expect(m.runCount == 4 && m.min == 0.5 && m.max == 0.9 && m.minRun == "r1" && m.maxRun == "r3")
        #expect(m.latest == 0.7 && m.latestRun == "r5" && m.format == .percentage)
        #expect(abs((m.mean ?? 0) - 0.7) < 1e-12)
        let history = try store.history(experiment: "e", metric: "m", limit: 3)
        #expect(history.map(\.run) == ["r2", "r3", "r5"])
        #expect(history[0].value.isNaN && history[1].value == 0.9 && history[2].createdAt == Build.time + 4 * 3600)
        let summaries = try store.experimentSummaries()
        #expect(summaries == [ExperimentSummary(name: "e", runCount: 5, firstRun: Build.time, latestRun: Build.time + 4 * 3600)])
    }

    @Test(arguments: StoreBackend.all)
    func namesSortByCodePointWhateverTheBackend(_ backend: StoreBackend) throws {
        let store = try backend.make()
        // Byte (code point) order, not a locale's: upper case before lower case, "_" between them, "é" last.
        let names = ["b", "B", "a_c", "a-c", "ab", "é", "Z", "a"]
        for name in names {
            _ = try store.ingest(Build.ingest("r", [Metric(name: name, value: 1, format: .raw)], experiment: name), replace: false)
        }
        let sorted = names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(try store.experimentNames() == sorted)
        #expect(try store.experimentSummaries().map(\.name) == sorted)
        _ = try store.ingest(Build.ingest("all", names.map { Metric(name: $0, value: 1, format: .raw) }.sorted { $0.name < $1.name }), replace: false)
        #expect(try store.run(experiment: "Default", name: "all").metrics.map(\.name) == sorted)
        #expect(try store.metricStatistics(experiment: "Default").map(\.name) == sorted)
    }

    @Test(arguments: StoreBackend.all)
    func statisticsMatchTheRowsAfterIngestsAndReplaces(_ backend: StoreBackend) throws {
        let store = try backend.make()
        var seed = UInt64(42)
        func next() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for step in 0..<60 {
            let run = "run-\(step % 25)"  // later steps replace earlier runs
            let names = ["a", "b", "c", "d"].filter { _ in next() < 0.7 }
            let metrics = names.map { Metric(name: $0, value: next() < 0.05 ? .nan : (next() * 10).rounded() / 10, format: .raw) }
            _ = try store.ingest(
                RunIngest(experiment: "e", run: run, labels: [], metrics: metrics, sources: [], time: Date(timeIntervalSince1970: Double(step))),
                replace: true)
        }
        // What `top` must say, computed the slow way from every stored run, oldest first.
        var expected: [String: (count: Int, min: Double?, max: Double?, latest: Double)] = [:]
        for run in try store.runs(RunQuery(experiment: "e")).runs.reversed() {
            for metric in run.metrics {
                var entry = expected[metric.name] ?? (0, nil, nil, 0)
                entry.count += 1
                if metric.value.isFinite {
                    entry.min = min(entry.min ?? .infinity, metric.value)
                    entry.max = max(entry.max ?? -.infinity, metric.value)
                }
                entry.latest = metric.value
                expected[metric.name] = entry
            }
        }
        let actual = try store.metricStatistics(experiment: "e")
        #expect(Set(actual.map(\.name)) == Set(expected.keys))
        for stats in actual {
            let want = try #require(expected[stats.name])
            #expect(stats.runCount == want.count, "\(stats.name)")
            #expect(stats.min == want.min && stats.max == want.max, "\(stats.name)")
            #expect(stats.latest == want.latest || (stats.latest.isNaN && want.latest.isNaN), "\(stats.name)")
        }
    }

    // MARK: - Labels and managing runs

    @Test(arguments: StoreBackend.all)
    func reIngestingWithMoreLabelsAddsThemAndFewerKeepsThem(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let main = Label(key: "branch", value: "main")
        _ = try store.ingest(Build.ingest("r", metrics, labels: [main]), replace: false)
        let commit = Label(key: "commit", value: "abc")
        #expect(try store.ingest(Build.ingest("r", metrics, labels: [main, commit]), replace: false)
            == .labelsAdded(metricCount: 3, labels: [commit]))
        #expect(try store.ingest(Build.ingest("r", metrics), replace: false) == .unchanged(metricCount: 3))
        #expect(try store.run(experiment: "Default", name: "r").labels == [main, commit])
        #expect(try store.ingest(Build.ingest("r", metrics, labels: [main]), replace: true) == .unchanged(metricCount: 3))
    }

    /// The newest runs that pass label conditions, however many or few pass and however far back they are: on
    /// SQLite the newest 2,048 runs are checked one by one first (`newestRunsWalked`), the runs that pass listed
    /// first when those hold too few.
    @Test(arguments: StoreBackend.all)
    func labelledRunsComeNewestFirstHoweverFarBackTheyAre(_ backend: StoreBackend) throws {
        let store = try backend.make()
        let runs = (0..<2100).map { i in
            var labels = [Label(key: "branch", value: i % 10 == 0 ? "main" : "feature")]
            if i < 3 { labels.append(Label(key: "rare", value: "yes")) }
            return Build.ingest(
                "r\(i)", [Metric(name: "m", value: Double(i), format: .raw)], labels: labels, experiment: "e",
                createdAt: Build.time.addingTimeInterval(Double(i) * 60))
        }
        var batches: [ImportBatch] = [.runs(runs), .end]
        _ = try store.importRuns(replace: false) { batches.removeFirst() }
        func names(_ filters: [LabelFilter], limit: Int?, before: String? = nil) throws -> [String] {
            try store.runs(
                RunQuery(
                    experiment: "e", filters: filters, limit: limit, before: before.map { RunReference(experiment: "e", name: $0) },
                    countMatching: false, metrics: .named([]))
            ).runs.map(\.name)
        }
        let main: [LabelFilter] = [.equals(key: "branch", value: Glob("main"))]
        let rare: [LabelFilter] = [.equals(key: "rare", value: Glob("y*"))]
        #expect(try names(main, limit: 3) == ["r2090", "r2080", "r2070"])
        #expect(try names(main, limit: 2, before: "r2090") == ["r2080", "r2070"])
        #expect(try names(main, limit: 2, before: "r11") == ["r10", "r0"])
        #expect(try names(rare, limit: 2) == ["r2", "r1"])
        #expect(try names(rare, limit: 5) == ["r2", "r1", "r0"])
        #expect(try names(rare + main, limit: 5) == ["r0"])
        #expect(try names([.lacks(key: "rare"), .differs(key: "branch", value: Glob("f*"))], limit: 2) == ["r2090", "r2080"])
        #expect(try names([.has(key: "rare")], limit: 1, before: "r2") == ["r1"])
        #expect(try names(main, limit: nil).count == 210)
    }

    @Test(arguments: StoreBackend.all)
    func labelFiltersTakeGlobsNegationsAndPresence(_ backend: StoreBackend) throws {
        let store = try seeded(backend)  // r1, r2, r4: branch=main; r3, r5: branch=dev
        _ = try store.changeLabels(experiment: "e", runs: ["r3"], set: [Label(key: "branch", value: "feat-x"), Label(key: "flaky", value: "")], remove: [])
        func names(_ filters: [LabelFilter]) throws -> [String] {
            try store.runs(RunQuery(experiment: "e", filters: filters)).runs.map(\.name)
        }
        #expect(try names([.equals(key: "branch", value: Glob("feat-*"))]) == ["r3"])
        #expect(try names([.equals(key: "branch", value: Glob("[a-f]*"))]) == ["r5", "r3"])
        #expect(try names([.differs(key: "branch", value: Glob("main"))]) == ["r5", "r3"])
        #expect(try names([.has(key: "flaky")]) == ["r3"])
        #expect(try names([.lacks(key: "flaky"), .equals(key: "branch", value: Glob("*"))]) == ["r5", "r4", "r2", "r1"])
        #expect(try names([.differs(key: "nokey", value: Glob("x"))]).count == 5)
        // A `[` that opens no set matches itself.
        _ = try store.changeLabels(experiment: "e", runs: ["r1"], set: [Label(key: "note", value: "a[b")], remove: [])
        #expect(try names([.equals(key: "note", value: Glob("a[b"))]) == ["r1"])
    }

    /// A label glob selects, on every backend, the runs whose value `Glob.matches` accepts (SQLite's GLOB reading;
    /// PostgreSQL's is a regular expression made from it): wildcards, sets, ranges, negated sets, a `]` first in a
    /// set, a `-` at either end, a reversed range, an unclosed `[`, case, and characters that mean something to SQL,
    /// LIKE or regular expressions. `KEY!=VALUE` selects the others.
    @Test(arguments: StoreBackend.all)
    func labelGlobsSelectWhatGlobMatches(_ backend: StoreBackend) throws {
        let values = [
            "main", "Main", "feat-x", "feat-", "feat-yy", "a[b", "a]b", "a-b", "a^b", "a.b", "axb", "ab", "", "100%", "x_y",
            "é", "e", "😀", "a\\b", "(a)", "a+b", "a$", "a*b", "a?b", "a{2}", "a|b", "\\d", "'; DROP TABLE run; --",
        ]
        let store = try backend.make()
        for (i, value) in values.enumerated() {
            let ingest = Build.ingest(
                "r\(i)", [Metric(name: "m", value: 1, format: .raw)], labels: [Label(key: "k", value: value)], experiment: "e",
                time: Build.time + Double(i))
            _ = try store.ingest(ingest, replace: false)
        }
        let patterns = [
            "*", "?", "??", "feat-*", "feat-?", "[Mm]ain", "[a-m]*", "[^a-m]*", "a[]]b", "a[^]]b", "a[-x]b", "a[x-]b",
            "a[^x]b", "a[b", "a[[]b", "*[.]*", "a.b", "a?b", "a\\b", "(a)", "a+b", "a$", "a[*]b", "a[?]b", "[é]", "[😀]",
            "[a-zé]", "*%", "x_y", "[z-a]", "[^z-a]", "a{2}", "a|b", "\\d", "*DROP*", "M*", "m*", "*[^a-z]*", "[",
        ]
        for pattern in patterns {
            let glob = Glob(pattern)
            let expected = Set(values.indices.filter { glob.matches(values[$0]) }.map { "r\($0)" })
            let equal = try store.runs(RunQuery(experiment: "e", filters: [.equals(key: "k", value: glob)])).runs.map(\.name)
            #expect(Set(equal) == expected, "k=\(pattern)")
            let differ = try store.runs(RunQuery(experiment: "e", filters: [.differs(key: "k", value: glob)])).runs.map(\.name)
            #expect(Set(differ) == Set(values.indices.map { "r\($0)" }).subtracting(expected), "k!=\(pattern)")
        }
    }

    @Test(arguments: StoreBackend.all)
    func deletingRunsIsAllOrNoneAndStatisticsForgetThem(_ backend: StoreBackend) throws {
        let store = try seeded(backend)
        #expect(throws: StoreError.self) { try store.deleteRuns(experiment: "e", names: ["r3", "nope"]) }
        #expect(try store.runs(RunQuery(experiment: "e")).runs.count == 5)
        #expect(try store.deleteRuns(experiment: "e", names: ["r3", "r5"]) == 4)
        #expect(try store.runs(RunQuery(experiment: "e")).runs.map(\.name) == ["r4", "r2", "r1"])
        let m = try #require(try store.metricStatistics(experiment: "e").first { $0.name == "m" })
        #expect(m.runCount == 2 && m.max == 0.5 && m.maxRun == "r1" && m.latestRun == "r2" && m.latest.isNaN)
        #expect(try store.history(experiment: "e", metric: "m", limit: nil).map(\.run) == ["r1", "r2"])
        #expect(try store.labelCounts(experiment: "e") == [LabelCount(key: "branch", value: "main", runCount: 3)])
    }

    @Test(arguments: StoreBackend.all)
    func renamingARunKeepsItsContentAndRefusesATakenName(_ backend: StoreBackend) throws {
        let store = try seeded(backend)
        #expect {
            try store.renameRun(experiment: "e", from: "r1", to: "r2")
        } throws: { error in
            guard case StoreError.runExists(_, let run) = error else { return false }
            return run == "r2"
        }
        try store.renameRun(experiment: "e", from: "r1", to: "first")
        #expect(try store.run(experiment: "e", name: "first").metrics.map(\.name) == ["m", "other"])
        #expect(throws: StoreError.self) { try store.run(experiment: "e", name: "r1") }
        #expect(try store.metricStatistics(experiment: "e").first { $0.name == "m" }?.minRun == "first")
    }

    @Test(arguments: StoreBackend.all)
    func labelsAreSetAndRemovedOnAllRunsOrNone(_ backend: StoreBackend) throws {
        let store = try seeded(backend)
        #expect(throws: StoreError.self) {
            try store.changeLabels(experiment: "e", runs: ["r1", "nope"], set: [Label(key: "team", value: "x")], remove: [])
        }
        #expect(Set(try store.labelCounts(experiment: "e").map(\.key)) == ["branch"])
        try store.changeLabels(experiment: "e", runs: ["r1", "r2"], set: [Label(key: "team", value: "x"), Label(key: "branch", value: "dev")], remove: [])
        try store.changeLabels(experiment: "e", runs: ["r2"], set: [], remove: ["team", "absent"])
        // A key set twice takes its last value; a key both removed and set is set.
        try store.changeLabels(
            experiment: "e", runs: ["r3", "r3"], set: [Label(key: "x", value: "1"), Label(key: "x", value: "2"), Label(key: "y", value: "3")],
            remove: ["y"])
        #expect(try store.run(experiment: "e", name: "r3").labels.filter { $0.key != "branch" } == [Label(key: "x", value: "2"), Label(key: "y", value: "3")])
        try store.changeLabels(experiment: "e", runs: ["r3"], set: [], remove: ["x", "y"])
        #expect(try store.labelCounts(experiment: "e") == [
            LabelCount(key: "branch", value: "dev", runCount: 4), LabelCount(key: "branch", value: "main", runCount: 1),
            LabelCount(key: "team", value: "x", runCount: 1),
        ])
        #expect(try store.run(experiment: "e", name: "r1").labels == [Label(key: "branch", value: "dev"), Label(key: "team", value: "x")])
    }
}
