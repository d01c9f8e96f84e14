import KFPModel

/// A stored run's row: what the run table says before its content is loaded. Every store reads runs as heads
/// first, then their content for many runs at once (`RunAssembly`).
struct RunHead {
    var id: Int64
    var name: String
    /// Milliseconds since 1970 (UTC).
    var createdAt: Int64
    var ingestedAt: Int64
    /// What the run has beside its metrics.
    var extras: RunExtras
}

/// The content of many runs, read a table at a time and keyed by run id, then put together as `StoredRun`s
/// the same way by every store.
struct RunAssembly {
    var labels: [Int64: [Label]] = [:]
    var sources: [Int64: [MetricsSource]] = [:]
    var metrics: [Int64: [Metric]] = [:]
    var params: [Int64: [Parameter]] = [:]
    var seriesCounts: [Int64: [String: Int]] = [:]

    /// The runs, in the order of `heads`.
    func runs(_ heads: [RunHead], experiment: String) -> [StoredRun] {
        heads.map { head in
            // Metrics sorted in Swift, not by the database's order (byte order in SQLite, a collation in
            // PostgreSQL): `StoredRun.metric(_:)` searches with Swift's string order.
            StoredRun(
                experiment: experiment, name: head.name, labels: labels[head.id] ?? [],
                metrics: (metrics[head.id] ?? []).sorted { $0.name < $1.name }, sources: sources[head.id] ?? [],
                createdAt: StoreTime.date(head.createdAt), ingestedAt: StoreTime.date(head.ingestedAt),
                params: params[head.id] ?? [], seriesPointCounts: seriesCounts[head.id] ?? [:])
        }
    }
}

extension RunPage {
    /// The page of the runs a query selected (`heads`, of `total` matching), with only the metrics its columns
    /// need, the same way on every store: the columns come from the query's names when it gives them exactly,
    /// else from how many of the selected runs have each metric (`prevalence`; `wholeExperiment` says the
    /// selection is every run of the experiment, so that the kept statistics can answer); then `load` reads the
    /// runs with those metrics (nil: all of them).
    static func assemble(
        _ query: RunQuery, heads: [RunHead], total: Int,
        prevalence: (_ heads: [RunHead], _ wholeExperiment: Bool) throws -> [String: Int],
        load: (_ heads: [RunHead], _ metrics: [String]?) throws -> [StoredRun]
    ) throws -> RunPage {
        let totalMatching = query.countMatching ? total : heads.count
        if query.metrics == .all {
            let runs = try load(heads, nil)
            return RunPage(runs: runs, totalMatching: totalMatching, columns: MetricColumns.all.names(for: runs))
        }
        let columns =
            if let names = query.metrics.literalNames {
                names
            } else {
                query.metrics.names(
                    prevalence: try prevalence(
                        heads, query.filters.isEmpty && query.before == nil && query.countMatching && heads.count == total))
            }
        return RunPage(runs: try load(heads, columns), totalMatching: totalMatching, columns: columns)
    }
}
