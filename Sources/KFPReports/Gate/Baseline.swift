import KFPModel
import KFPStore

/// The baseline runs a selector found: one run, or a window of runs.
package struct Baseline: Sendable {
    package var selector: BaselineSelector
    /// Newest first; one run except for `window:` selectors. Empty when none was found.
    package var runs: [StoredRun]

    package init(selector: BaselineSelector, runs: [StoredRun]) {
        self.selector = selector
        self.runs = runs
    }

    package var isWindow: Bool {
        if case .window = selector { return true }
        return false
    }

    /// Finds the baseline of `candidate` in the store. Runs "before" the candidate were created earlier.
    package static func find(
        _ selector: BaselineSelector, for candidate: StoredRun, in store: any MetricsStore
    ) throws(StoreError) -> Baseline {
        let before = RunReference(experiment: candidate.experiment, name: candidate.name)
        func query(_ labels: [Label], _ limit: Int) throws(StoreError) -> [StoredRun] {
            try store.runs(
                RunQuery(
                    experiment: candidate.experiment, filters: labels.map(LabelFilter.init), limit: limit, before: before,
                    countMatching: false)
            ).runs
        }
        switch selector {
        case .run(let name):
            let run = try RunReference.resolve(name, defaultExperiment: candidate.experiment, in: store)
            // A run compared with itself always passes: that is no baseline.
            guard run.experiment != candidate.experiment || run.name != candidate.name else {
                return Baseline(selector: selector, runs: [])
            }
            return Baseline(selector: selector, runs: [run])
        case .previous: return Baseline(selector: selector, runs: try query([], 1))
        case .latest(let label): return Baseline(selector: selector, runs: try query([label], 1))
        case .window(let n, let label): return Baseline(selector: selector, runs: try query(label.map { [$0] } ?? [], n))
        }
    }
}
