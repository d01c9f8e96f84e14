import FoundationEssentials
import KFPModel
import KFPReports
import KFPStore

/// What `kfpm report` was asked to show, free of any command-line parsing.
package struct ReportRequest: Sendable {
    package var experiment: String
    /// How many of the latest runs the runs table and the charts show; nil for all.
    package var last: Int?
    /// How many of the most prevalent metrics get statistics and a chart; nil for all.
    package var topCount: Int?
    /// The runs table's metric columns; nil for the top metrics.
    package var columns: MetricColumns?
    /// Whether the runs table shows each label as a column.
    package var showLabels: Bool
    package var directions: DirectionPolicy
    /// `--compare`: the baseline, then the runs compared with it (`RUN` or `EXPERIMENT:RUN`); empty for none.
    package var compare: [String]
    /// `--gate`: the gate to run and show on top; nil for none.
    package var gate: GateRequest?
    /// The time to write on the page; nil writes none.
    package var generatedAt: Date?

    package init(
        experiment: String, last: Int? = 100, topCount: Int? = 20, columns: MetricColumns? = nil, showLabels: Bool = false,
        directions: DirectionPolicy = DirectionPolicy(), compare: [String] = [], gate: GateRequest? = nil,
        generatedAt: Date? = nil
    ) {
        self.experiment = experiment
        self.last = last
        self.topCount = topCount
        self.columns = columns
        self.showLabels = showLabels
        self.directions = directions
        self.compare = compare
        self.gate = gate
        self.generatedAt = generatedAt
    }
}

/// `kfpm report` without the command line: it reads only what the page shows (the statistics kept per metric, the
/// latest runs, the compared runs, the gate's candidate and baseline) from one store opened once.
package enum ReportRun {
    /// Builds the report. An unknown experiment or run, a broken rules file or no baseline is an error, as in
    /// the commands these parts come from.
    package static func run(
        _ request: ReportRequest, openStore: () throws(StoreError) -> any MetricsStore
    ) throws -> ExperimentReport {
        let store = try openStore()
        let top = TopMetrics(
            experiment: request.experiment, statistics: try store.metricStatistics(experiment: request.experiment),
            directions: request.directions, limit: request.topCount)
        let columns = request.columns ?? .named(top.entries.map(\.statistics.name))
        let page = try store.runs(RunQuery(experiment: request.experiment, limit: request.last, metrics: columns))
        let runs = RunList(experiment: request.experiment, page: page, showLabels: request.showLabels)
        var comparison: Comparison?
        if !request.compare.isEmpty {
            let compared = try request.compare.map { name throws(StoreError) in
                try RunReference.resolve(name, defaultExperiment: request.experiment, in: store)
            }
            comparison = Comparison(runs: compared, directions: request.directions)
        }
        let gate = try request.gate.map { gate in try GateRun.run(gate) { () throws(StoreError) -> any MetricsStore in store } }
        return ExperimentReport(
            experiment: request.experiment, runs: runs, top: top, comparison: comparison, gate: gate,
            generatedAt: request.generatedAt)
    }
}
