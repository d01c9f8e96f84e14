import ArgumentParser
import FoundationEssentials
import KFPStore

/// Shell completion of the names in the store: runs, experiments and metrics, read from the store that the
/// words being completed name (`--store`, `-e`), else from `KFPM_STORE` / `KFPM_EXPERIMENT` and the defaults. A
/// store that cannot be read completes nothing; completion never creates or changes a store.
enum StoreCompletions {
    /// Run names of the experiment, newest first (the latest 500).
    static let runs = CompletionKind.custom { words, _, prefix in
        names(words, prefix) { store, experiment in
            try store.runs(RunQuery(experiment: experiment, limit: 500, countMatching: false, metrics: .named([]))).runs.map(\.name)
        }
    }

    /// Experiment names.
    static let experiments = CompletionKind.custom { words, _, prefix in
        names(words, prefix) { store, _ in try store.experimentNames() }
    }

    /// Metric names of the experiment, most prevalent first.
    static let metrics = CompletionKind.custom { words, _, prefix in
        names(words, prefix) { store, experiment in try store.metricStatistics(experiment: experiment).map(\.name) }
    }

    /// The names `list` gives for the store and experiment the words name, those starting with `prefix`.
    private static func names(
        _ words: [String], _ prefix: String, _ list: (any MetricsStore, String) throws -> [String]
    ) -> [String] {
        let store = StoreOption.location(value(of: ["--store"], in: words))
        let experiment = StoreOptions.experimentName(value(of: ["-e", "--experiment"], in: words))
        guard let opened = try? StoreFactory.open(store, for: .read),
            let names = try? list(opened, experiment)
        else { return [] }
        return names.filter { $0.hasPrefix(prefix) }
    }

    /// The value given to one of the options in the words (`--store x` or `--store=x`), the last one winning.
    private static func value(of options: [String], in words: [String]) -> String? {
        var found: String?
        for (i, word) in words.enumerated() {
            if options.contains(word), i + 1 < words.count {
                found = words[i + 1]
            } else if let option = options.first(where: { word.hasPrefix($0 + "=") }) {
                found = String(word.dropFirst(option.count + 1))
            }
        }
        return found
    }
}
