import FoundationEssentials
import KFPModel
import KFPStore

/// `kfpm report`: one experiment on one page: its latest runs with the top metrics as columns, those metrics with
/// their statistics and their trend over the same runs, and, when asked, a comparison and a gate. Every part is
/// the typed result of its own command, read once from the runs shown.
package struct ExperimentReport: Sendable {
    package var experiment: String
    /// The latest runs (`--last`), newest first.
    package var runs: RunList
    /// The experiment's metrics, most prevalent first (`-n`): the statistics table and one chart each.
    package var top: TopMetrics
    /// `--compare BASELINE RUN...`.
    package var comparison: Comparison?
    /// `--gate CANDIDATE`.
    package var gate: GateReport?
    /// When the page was made; nil unless asked, so that the same store gives the same page.
    package var generatedAt: Date?

    package init(
        experiment: String, runs: RunList, top: TopMetrics, comparison: Comparison? = nil, gate: GateReport? = nil,
        generatedAt: Date? = nil
    ) {
        self.experiment = experiment
        self.runs = runs
        self.top = top
        self.comparison = comparison
        self.gate = gate
        self.generatedAt = generatedAt
    }

    /// One top metric over the runs shown, oldest first: each run's value, nil where the run lacks it.
    package func trend(of entry: TopMetrics.Entry) -> [(run: StoredRun, value: Double?)] {
        runs.runs.reversed().map { ($0, $0.metric(entry.statistics.name)?.value) }
    }
}
