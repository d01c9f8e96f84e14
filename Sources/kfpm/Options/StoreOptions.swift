import ArgumentParser
import FoundationEssentials
import KFPStore

/// `--store`, shared by every command that touches a store.
struct StoreOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store: a file, or a postgresql:// URI. Default: $KFPM_STORE, else kfpm.db in the working directory.",
            valueName: "location"),
        completion: .file())
    var store: String?

    /// The store's location after the environment and the default.
    var location: StoreLocation { Self.location(store) }

    /// The location `--store` names, else `$KFPM_STORE`, else kfpm.db in the working directory.
    static func location(_ store: String?) -> StoreLocation {
        StoreLocation(store ?? Environment.value("KFPM_STORE") ?? "kfpm.db")
    }

    /// Opens the store: for reading (it must exist, and is never created or changed) or for writing. A write
    /// waits for another process's lock up to `KFPM_BUSY_TIMEOUT` milliseconds (default 10000).
    func open(_ access: StoreAccess) throws(StoreError) -> any MetricsStore {
        try Self.open(location, access)
    }

    /// Opens the store at `location` for `access`, with the busy timeout of `KFPM_BUSY_TIMEOUT`.
    static func open(_ location: StoreLocation, _ access: StoreAccess) throws(StoreError) -> any MetricsStore {
        let timeout = Environment.value("KFPM_BUSY_TIMEOUT").flatMap { Int32($0) }.flatMap { $0 > 0 ? $0 : nil }
        return try StoreFactory.open(
            location, for: access, busyTimeoutMilliseconds: timeout ?? StoreFactory.defaultBusyTimeoutMilliseconds)
    }
}

/// `--store` and `--experiment`, shared by every command that works in one experiment.
struct StoreOptions: ParsableArguments {
    @OptionGroup var storeOption: StoreOption

    @Option(
        name: [.short, .long], help: "The experiment. Default: $KFPM_EXPERIMENT, else Default.",
        completion: StoreCompletions.experiments)
    var experiment: String?

    /// The experiment after the environment and the default.
    var experimentName: String { Self.experimentName(experiment) }

    /// The experiment `--experiment` names, else `$KFPM_EXPERIMENT`, else Default.
    static func experimentName(_ experiment: String?) -> String {
        experiment ?? Environment.value("KFPM_EXPERIMENT") ?? "Default"
    }

    /// Opens the store; see `StoreOption.open`.
    func open(_ access: StoreAccess) throws(StoreError) -> any MetricsStore {
        try storeOption.open(access)
    }
}
