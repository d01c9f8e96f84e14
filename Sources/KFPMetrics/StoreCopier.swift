import Dispatch
import FoundationEssentials
import KFPIngest
import KFPModel
import KFPStore

/// What `kfpm copy` was asked to do.
package struct CopyRequest: Sendable {
    /// The experiments to copy; nil for every one.
    package var experiments: [String]?
    /// Replace runs of the target that hold different content.
    package var replace: Bool
    /// Runs read and written per batch.
    package var batchSize: Int

    package init(experiments: [String]? = nil, replace: Bool = false, batchSize: Int = 256) {
        self.experiments = experiments
        self.replace = replace
        self.batchSize = batchSize
    }
}

/// What a copy did.
package struct CopyResult: Sendable {
    /// What the target's import did with the runs.
    package var summary = ImportSummary()
    /// Runs read from the source.
    package var runsRead = 0
    /// The experiments those runs belong to.
    package var experiments: Set<String> = []
}

/// `kfpm copy`: experiments and their runs (labels, parameters, series, sources, times) from one store to another, whatever their
/// backends. The source is read through `MetricsStore.exportRuns`, one snapshot, batch by batch on a thread of its
/// own; the target writes them through `importRuns`, in one transaction, with the ingest rules (identical is
/// unchanged, different is a conflict unless replaced). Memory holds two batches or so.
package enum StoreCopier {
    /// What the reading thread hands over.
    private enum Produced: Sendable {
        case runs([RunIngest])
        case finished
        case failed(StoreError)
    }

    /// The source store, handed to the reading thread, which is the only one to use it from then on.
    private final class SourceHandle: @unchecked Sendable {
        let store: any MetricsStore
        init(_ store: any MetricsStore) { self.store = store }
    }

    /// Copies. The target is opened only once the source has given its first batch, so that an unknown experiment
    /// or an unreadable source does not create a target.
    package static func copy(
        _ request: CopyRequest, openSource: () throws(StoreError) -> any MetricsStore,
        openTarget: () throws(StoreError) -> any MetricsStore
    ) throws(StoreError) -> CopyResult {
        let source = SourceHandle(try openSource())
        let queue = BoundedQueue<Produced>(capacity: 2)
        let done = DispatchSemaphore(value: 0)
        DetachedThread.start(stackBytes: 8 << 20) {
            defer { done.signal() }
            do throws(StoreError) {
                try source.store.exportRuns(experiments: request.experiments, batchSize: request.batchSize) { batch in
                    queue.put(.runs(batch.map(\.ingest)))
                }
                _ = queue.put(.finished)
            } catch {
                _ = queue.put(.failed(error))
            }
        }
        defer {
            queue.cancel()
            done.wait()
        }
        var result = CopyResult()
        var failure: StoreError?
        /// The next batch for the target; `.abort` (keeping the source's error) when reading failed.
        func produce() -> ImportBatch {
            switch queue.take() {
            case .runs(let runs)?:
                result.runsRead += runs.count
                for run in runs { result.experiments.insert(run.experiment) }
                return .runs(runs)
            case .finished?:
                return .end
            case .failed(let error)?:
                failure = error
                return .abort
            case nil:
                return .abort
            }
        }
        var first: ImportBatch? = produce()
        if let failure { throw failure }
        let target = try openTarget()
        do {
            result.summary = try target.importRuns(replace: request.replace) {
                if let batch = first {
                    first = nil
                    return batch
                }
                return produce()
            }
        } catch .importAborted {
            throw failure ?? .importAborted
        }
        return result
    }
}
