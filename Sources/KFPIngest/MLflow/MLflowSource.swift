import Dispatch
import FoundationEssentials
import KFPModel

/// The runs of an MLflow store for `kfpm import`: listed and named first (`MLflowMapping`), then read batch by
/// batch: a file store's runs on every core, an SQLite store's through one read-only connection, one snapshot
/// per batch.
struct MLflowSource: RunBatchSource {
    private enum Store {
        case files
        case sqlite(MLflowSQLiteStore)
    }

    private let options: ImportSourceOptions
    private var store: Store?
    private var entries: [MLflowRun.Entry] = []
    private var names: [String] = []
    private var position = 0
    /// The listing's diagnostics and notes, reported at the end.
    private var listed: [Diagnostic] = []

    /// A file store (`mlruns/`).
    init(files options: ImportSourceOptions) {
        self.options = options
        let listing = MLflowFileStore.list(FilePath(options.root), includeDeleted: options.includeDeleted, limits: options.read.limits)
        store = .files
        accept(listing.entries, skippedRuns: listing.skippedRuns, skippedExperiments: listing.skippedExperiments)
        listed = listing.diagnostics + listed
    }

    /// An SQLite store (`mlflow.db`), opened read-only.
    init(sqlite options: ImportSourceOptions) {
        self.options = options
        do {
            let database = try MLflowSQLiteStore(path: options.root)
            let listing = try database.list(includeDeleted: options.includeDeleted)
            store = .sqlite(database)
            accept(listing.entries, skippedRuns: listing.skippedRuns, skippedExperiments: listing.skippedExperiments)
        } catch {
            listed.append(Diagnostic(.error, file: options.root, message: "cannot read the MLflow store: \(error.message)", rule: "mlflow"))
        }
    }

    /// Orders and names the listed runs, and notes what was left out.
    private mutating func accept(_ found: [MLflowRun.Entry], skippedRuns: Int, skippedExperiments: Int) {
        entries = MLflowMapping.ordered(found)
        let naming = MLflowMapping.names(entries)
        names = naming.names
        listed += naming.notes
        if skippedRuns + skippedExperiments > 0 {
            let experiments = skippedExperiments > 0
                ? " (\(skippedExperiments) deleted experiment\(skippedExperiments == 1 ? "" : "s") among them)" : ""
            listed.append(
                Diagnostic(
                    .note, file: options.root,
                    message: "left out \(skippedRuns) deleted run\(skippedRuns == 1 ? "" : "s")\(experiments); "
                        + "--include-deleted imports them"))
        }
    }

    mutating func next(_ size: Int) -> RunBatch? {
        guard let store, position < entries.count else { return nil }
        let range = position..<min(position + size, entries.count)
        position = range.upperBound
        var runs: [RunIngest] = []
        var diagnostics: [Diagnostic] = []
        let (labels, time) = (options.labels, options.time)
        @Sendable func map(_ run: MLflowRun?, _ found: [Diagnostic]) -> (RunIngest?, [Diagnostic]) {
            guard let run else { return (nil, found) }
            let mapped = MLflowMapping.ingest(run, labels: labels, time: time)
            return (mapped.run, found + mapped.diagnostics)
        }
        switch store {
        case .files:
            let slots = Slots<(RunIngest?, [Diagnostic])>(count: range.count)
            let (entries, names, limits) = (self.entries, self.names, options.read.limits)
            DispatchQueue.concurrentPerform(iterations: range.count) { i in
                let index = range.lowerBound + i
                let read = MLflowFileStore.read(entries[index], storedName: names[index], limits: limits)
                slots[i] = map(read.0, read.1)
            }
            for case let (run, found)? in slots.values {
                if let run { runs.append(run) }
                diagnostics += found
            }
        case .sqlite(let database):
            do {
                try database.startBatch()
                defer { database.finishBatch() }
                for index in range {
                    let (run, found) = map(try database.read(entries[index], storedName: names[index]), [])
                    if let run { runs.append(run) }
                    diagnostics += found
                }
            } catch {
                diagnostics.append(
                    Diagnostic(.error, file: options.root, message: "cannot read the MLflow store: \(error.message)", rule: "mlflow"))
            }
        }
        return RunBatch(count: range.count, runs: runs, diagnostics: diagnostics)
    }

    mutating func finish() -> (diagnostics: [Diagnostic], problems: Bool) {
        (listed, listed.contains { $0.severity == .error })
    }

    var nothingFound: String { "no runs found in the MLflow store" }
}
