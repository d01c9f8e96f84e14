import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where an import's runs come from, batch by batch, on the importer's producer thread: a tree of run folders, or
/// an MLflow store.
package protocol RunBatchSource {
    /// The next batch of at most `size` runs; nil when every run was read.
    mutating func next(_ size: Int) -> RunBatch?
    /// The diagnostics of the walk itself, and whether it hit a problem that must stop the import; called once,
    /// after the last batch.
    mutating func finish() -> (diagnostics: [Diagnostic], problems: Bool)
    /// What to say when the source held no run at all.
    var nothingFound: String { get }
}

extension RunBatchSource {
    package var nothingFound: String { "no run folders found to import" }
}

/// Runs read together: how many were read, those read without errors, and every diagnostic.
package struct RunBatch: Sendable {
    package var count: Int
    package var runs: [RunIngest]
    package var diagnostics: [Diagnostic]
}

/// What `kfpm import` reads, and how.
package struct ImportSourceOptions: Sendable {
    /// The folder (or MLflow SQLite database) to import.
    package var root: String
    /// For a folder tree: the folders in `root` are runs of this experiment.
    package var experiment: String?
    /// Labels given to every run.
    package var labels: [Label]
    package var read: ReadOptions
    /// The ingest time of every run.
    package var time: Date
    /// For an MLflow store: import deleted runs and experiments too.
    package var includeDeleted: Bool

    package init(
        root: String, experiment: String?, labels: [Label], read: ReadOptions, time: Date, includeDeleted: Bool
    ) {
        self.root = root
        self.experiment = experiment
        self.labels = labels
        self.read = read
        self.time = time
        self.includeDeleted = includeDeleted
    }
}

/// Chooses the source of an import from what `root` is: an MLflow SQLite database (a file with SQLite's header),
/// an MLflow file store (a folder of experiment folders with `meta.yaml`), or a tree of run folders.
package enum ImportSources {
    package static func open(_ options: ImportSourceOptions) -> any RunBatchSource {
        var info = stat()
        let root = FilePath(options.root)
        let exists = root.withCString { stat($0, &info) } == 0
        let isMLflowSQLite = exists && info.st_mode & S_IFMT == S_IFREG && MLflowSQLiteStore.isSQLite(options.root)
        let isMLflowFiles = exists && info.st_mode & S_IFMT == S_IFDIR && MLflowFileStore.isFileStore(root)
        guard isMLflowSQLite || isMLflowFiles else {
            if exists && info.st_mode & S_IFMT == S_IFREG {
                return FailedSource(
                    problem: Diagnostic(
                        .error, file: options.root,
                        message: "not a folder of runs, an MLflow file store (mlruns/) or an MLflow SQLite store", rule: "input"))
            }
            return FolderTreeSource(options)
        }
        if options.experiment != nil {
            return FailedSource(
                problem: Diagnostic(
                    .error, file: options.root,
                    message: "-e/--experiment applies to a folder of runs; an MLflow store's runs keep their experiments",
                    rule: "input"))
        }
        return isMLflowSQLite ? MLflowSource(sqlite: options) : MLflowSource(files: options)
    }
}

/// A source that reads nothing and reports one problem.
struct FailedSource: RunBatchSource {
    var problem: Diagnostic

    mutating func next(_ size: Int) -> RunBatch? { nil }
    mutating func finish() -> (diagnostics: [Diagnostic], problems: Bool) { ([problem], true) }
}

/// A tree of run folders (`ImportLayout`), each read by `RunFolderReader` on every core.
struct FolderTreeSource: RunBatchSource {
    private var layout: ImportLayout
    private let reader: RunFolderReader
    private var walked: [Diagnostic] = []

    init(_ options: ImportSourceOptions) {
        layout = ImportLayout(root: options.root, experiment: options.experiment)
        reader = RunFolderReader(labels: options.labels, options: options.read, time: options.time)
    }

    mutating func next(_ size: Int) -> RunBatch? {
        let folders = layout.next(size)
        let found = layout.takeDiagnostics()
        guard !folders.isEmpty else {
            walked += found
            return nil
        }
        let batch = reader.read(folders)
        return RunBatch(count: folders.count, runs: batch.runs, diagnostics: found + batch.diagnostics)
    }

    mutating func finish() -> (diagnostics: [Diagnostic], problems: Bool) {
        (walked + layout.takeDiagnostics(), layout.problems > 0)
    }
}
