import ArgumentParser
import Foundation
import KFPMetrics

/// `--store` and `--experiment`, shared by every command that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store file. Default: $KFPM_STORE, else kfpm.db in the working directory.")
    var store: String?

    @Option(name: [.short, .long], help: "The experiment. Default: $KFPM_EXPERIMENT, else Default.")
    var experiment: String?

    init() {}

    /// Options set in code, for commands that take `--store` without `--experiment`.
    init(store: String?, experiment: String?) {
        self.store = store
        self.experiment = experiment
    }

    /// The store path after the environment and the default.
    var storePath: String {
        store ?? ProcessInfo.processInfo.environment["KFPM_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "kfpm.db"
    }

    /// The experiment after the environment and the default.
    var experimentName: String {
        experiment ?? ProcessInfo.processInfo.environment["KFPM_EXPERIMENT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "Default"
    }

    /// Opens the store; `create` only for commands that write.
    func open(create: Bool) throws(StoreError) -> SQLiteMetricsStore {
        try SQLiteMetricsStore(path: storePath, create: create)
    }
}
