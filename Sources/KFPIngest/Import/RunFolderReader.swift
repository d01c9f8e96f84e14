import Dispatch
import FoundationEssentials
import KFPModel

/// Reads and checks batches of run folders on every core, each the way `kfpm ingest RUN FOLDER` reads a folder.
package struct RunFolderReader: Sendable {
    /// Labels given to every run.
    package var labels: [Label]
    package var options: ReadOptions
    /// The ingest time of every run.
    package var time: Date

    package init(labels: [Label], options: ReadOptions, time: Date) {
        self.labels = labels
        self.options = options
        self.time = time
    }

    /// The runs read without errors, and every diagnostic (notes left out), in folder order.
    package func read(_ folders: [RunFolder]) -> (runs: [RunIngest], diagnostics: [Diagnostic]) {
        let slots = Slots<(RunIngest?, [Diagnostic])>(count: folders.count)
        DispatchQueue.concurrentPerform(iterations: folders.count) { i in
            slots[i] = readOne(folders[i])
        }
        var runs: [RunIngest] = []
        var diagnostics: [Diagnostic] = []
        for case let (run, found)? in slots.values {
            if let run { runs.append(run) }
            diagnostics += found
        }
        return (runs, diagnostics)
    }

    private func readOne(_ folder: RunFolder) -> (RunIngest?, [Diagnostic]) {
        let naming = RunNaming.problems(experiment: folder.experiment, run: folder.run, file: folder.path.description)
        let collected = InputCollector.collect(folder: folder.path, limits: options.limits)
        let plan = IngestPlanner.plan(collected.inputs, step: nil, options: options)
        let diagnostics = naming + collected.diagnostics + plan.diagnostics
        if diagnostics.contains(where: { $0.severity == .error }) { return (nil, diagnostics) }
        let run = RunIngest(
            experiment: folder.experiment, run: folder.run, labels: labels, metrics: plan.metrics,
            sources: plan.sources, time: time, createdAt: folder.createdAt, params: plan.params, series: plan.series)
        return (run, diagnostics.filter { $0.severity != .note })
    }
}
