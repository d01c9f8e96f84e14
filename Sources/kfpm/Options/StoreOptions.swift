import ArgumentParser
import Foundation
import KFPStore

/// `--store`, shared by every command that touches a store.
struct StoreOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: a file, or a postgresql:// URI. Default: $KFPM_STORE, else kfpm.db in the working directory.",
            valueName: "location"))
    var store: String?

    /// The store's location after the environment and the default.
    var location: StoreLocation {
        StoreLocation(store ?? ProcessInfo.processInfo.environment["KFPM_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? "kfpm.db")
    }

    /// Opens the store: for reading (it must exist, and is never created or changed) or for writing.
    func open(_ access: StoreAccess) throws(StoreError) -> any MetricsStore {
        try StoreFactory.open(location, for: access)
    }
}

/// `--store` and `--experiment`, shared by every command that works in one experiment.
struct StoreOptions: ParsableArguments {
    @OptionGroup var storeOption: StoreOption

    @Option(name: [.short, .long], help: "The experiment. Default: $KFPM_EXPERIMENT, else Default.")
    var experiment: String?

    /// The experiment after the environment and the default.
    var experimentName: String {
        experiment ?? ProcessInfo.processInfo.environment["KFPM_EXPERIMENT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "Default"
    }

    /// Opens the store; see `StoreOption.open`.
    func open(_ access: StoreAccess) throws(StoreError) -> any MetricsStore {
        try storeOption.open(access)
    }
}
