import Dispatch
import FoundationEssentials
import KFPIngest
import KFPModel
import KFPStore

/// What `kfpm import` was asked to do.
package struct ImportRequest: Sendable {
    /// The folder (a tree of runs, or an MLflow file store) or MLflow SQLite database to import.
    package var root: String
    /// When set, the folders in `root` are runs of this experiment; otherwise they are experiments (or KFP v2
    /// local runs) holding runs.
    package var experiment: String?
    package var labels: [Label]
    package var replace: Bool
    package var options: ReadOptions
    package var time: Date
    /// For an MLflow store: import deleted runs and experiments too.
    package var includeDeleted: Bool

    package init(
        root: String, experiment: String? = nil, labels: [Label] = [], replace: Bool = false,
        options: ReadOptions = ReadOptions(), time: Date = Date(), includeDeleted: Bool = false
    ) {
        self.root = root
        self.experiment = experiment
        self.labels = labels
        self.replace = replace
        self.options = options
        self.time = time
        self.includeDeleted = includeDeleted
    }
}

/// What an import found and did.
package struct ImportResult: Sendable {
    /// Problems, warnings and notes (at most `Importer.maxDiagnostics`; `omittedDiagnostics` counts the rest).
    package var diagnostics: [Diagnostic]
    package var omittedDiagnostics: Int
    /// Nil when nothing was stored because of errors.
    package var summary: ImportSummary?
    package var runsRead: Int
    package var experiments: Set<String>

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// `kfpm import`: a whole tree of runs, or an MLflow store, in one transaction, streaming. Runs are read and
/// checked in batches (spread over the cores where the source allows) while the store writes the previous batch;
/// memory holds one or two batches.
package enum Importer {
    /// Runs read and checked per batch.
    static let batchSize = 256
    /// Diagnostics kept for printing; the rest are counted.
    package static let maxDiagnostics = 1000

    /// Imports the tree. Nothing is stored unless every run folder is free of errors.
    package static func run(
        _ request: ImportRequest, openStore: () throws(StoreError) -> any MetricsStore
    ) throws(StoreError) -> ImportResult {
        var result = ImportResult(diagnostics: [], omittedDiagnostics: 0, summary: nil, runsRead: 0, experiments: [])
        func record(_ diagnostics: [Diagnostic]) {
            for diagnostic in diagnostics {
                if result.diagnostics.count < maxDiagnostics { result.diagnostics.append(diagnostic) } else { result.omittedDiagnostics += 1 }
            }
        }
        var sawErrors = false
        // The labels go on every run: a problem with them is reported once, before anything is read.
        let labelProblems = RunNaming.problems(labels: request.labels)
        if !labelProblems.isEmpty {
            record(labelProblems)
            return result
        }
        // A producer thread walks the tree and reads batches (on every core) while this thread stores the
        // previous batch; the queue holds at most two batches, so memory stays flat however large the tree.
        let queue = BoundedQueue<Produced>(capacity: 2)
        let producer = Producer(request: request, queue: queue)
        producer.start()
        defer { producer.stop() }
        /// The next batch to store; once anything had an error, it reads on to the end to report every
        /// problem, then says `.abort`.
        func produce() -> ImportBatch {
            while true {
                switch queue.take() {
                case .finished(let diagnostics, let layoutProblems, let nothingFound)?:
                    record(diagnostics)
                    if layoutProblems { sawErrors = true }
                    if result.runsRead == 0 && !sawErrors {
                        record([Diagnostic(.error, file: request.root, message: nothingFound, rule: "input")])
                        sawErrors = true
                    }
                    return sawErrors ? .abort : .end
                case .batch(let count, let runs, let diagnostics)?:
                    result.runsRead += count
                    record(diagnostics)
                    if diagnostics.contains(where: { $0.severity == .error }) { sawErrors = true }
                    if sawErrors { continue }
                    for run in runs { result.experiments.insert(run.experiment) }
                    return .runs(runs)
                case nil:
                    return .abort
                }
            }
        }
        // The first batch is read before the store is opened, so that an import that fails from the start
        // does not even create a store.
        var first: ImportBatch? = produce()
        if case .abort = first { return result }
        let store = try openStore()
        do {
            result.summary = try store.importRuns(replace: request.replace) {
                if let batch = first {
                    first = nil
                    return batch
                }
                return produce()
            }
        } catch .importAborted {
            result.summary = nil
        }
        return result
    }

    /// What the producer hands over.
    enum Produced: Sendable {
        /// `count` run folders read: the runs without errors, and every diagnostic.
        case batch(count: Int, runs: [RunIngest], diagnostics: [Diagnostic])
        /// The tree is done; the walk's own diagnostics, whether it hit a problem, and what to say if it found
        /// no run.
        case finished(diagnostics: [Diagnostic], layoutProblems: Bool, nothingFound: String)
    }

    /// The thread that walks the source and reads batches ahead of the writer.
    final class Producer: @unchecked Sendable {
        private let request: ImportRequest
        private let queue: BoundedQueue<Produced>
        private let done = DispatchSemaphore(value: 0)

        init(request: ImportRequest, queue: BoundedQueue<Produced>) {
            self.request = request
            self.queue = queue
        }

        func start() {
            DetachedThread.start(stackBytes: 8 << 20) { [self] in
                defer { done.signal() }
                // Made here: an SQLite source's connection is used on this thread only.
                var source = ImportSources.open(
                    ImportSourceOptions(
                        root: request.root, experiment: request.experiment, labels: request.labels, read: request.options,
                        time: request.time, includeDeleted: request.includeDeleted))
                while let batch = source.next(batchSize) {
                    guard queue.put(.batch(count: batch.count, runs: batch.runs, diagnostics: batch.diagnostics)) else { return }
                }
                let end = source.finish()
                _ = queue.put(.finished(diagnostics: end.diagnostics, layoutProblems: end.problems, nothingFound: source.nothingFound))
            }
        }

        /// Stops the producer (if still running) and waits for it to end.
        func stop() {
            queue.cancel()
            done.wait()
        }
    }
}
