import KFPStore

/// `kfpm experiments`: every experiment of a store with its run count and time span, sorted by name.
package struct ExperimentList: Sendable {
    package var experiments: [ExperimentSummary]

    package init(_ experiments: [ExperimentSummary]) { self.experiments = experiments }
}
