import FoundationEssentials
import KFPIngest
import KFPModel
import KFPStore

/// What `kfpm ingest` was asked to do, free of any command-line parsing.
package struct IngestRequest: Sendable {
    package var experiment: String
    package var run: String
    /// Files, folders, or `-` for standard input.
    package var paths: [String]
    /// `--step`: a prefix for every metric name.
    package var step: String?
    package var labels: [Label]
    /// `--param`: parameters beside those of `params.yaml` files (a key in both is an error).
    package var params: [Parameter]
    package var replace: Bool
    package var options: ReadOptions
    package var time: Date

    package init(
        experiment: String, run: String, paths: [String], step: String? = nil, labels: [Label] = [],
        params: [Parameter] = [], replace: Bool = false, options: ReadOptions = ReadOptions(), time: Date = Date()
    ) {
        self.experiment = experiment
        self.run = run
        self.paths = paths
        self.step = step
        self.labels = labels
        self.params = params
        self.replace = replace
        self.options = options
        self.time = time
    }
}

/// What an ingest found and did.
package struct IngestResult: Sendable {
    /// Every diagnostic of every input.
    package var diagnostics: [Diagnostic]
    /// What the store did; nil when the inputs had errors and nothing was stored.
    package var outcome: IngestOutcome?
    /// The formats read, one per stored source.
    package var sources: [MetricsSource]
}

/// Reads, checks and stores one run: the whole `kfpm ingest` without the command line.
package enum Ingestor {
    /// Reads every input and checks it; only when nothing is wrong does it open the store (creating it when
    /// missing) and store the run in one transaction. Inputs with errors leave the store untouched.
    package static func ingest(
        _ request: IngestRequest, openStore: () throws(StoreError) -> any MetricsStore,
        standardInput: () throws -> [UInt8]
    ) throws(StoreError) -> IngestResult {
        var diagnostics = RunNaming.problems(
            experiment: request.experiment, run: request.run, step: request.step, labels: request.labels,
            params: request.params)
        let collected = InputCollector.collect(request.paths, limits: request.options.limits, standardInput: standardInput)
        diagnostics += collected.diagnostics
        let plan = IngestPlanner.plan(collected.inputs, step: request.step, options: request.options)
        diagnostics += plan.diagnostics
        for param in request.params where plan.params.contains(where: { $0.key == param.key }) {
            diagnostics.append(
                Diagnostic(
                    .error, file: "arguments",
                    message: "parameter '\(param.key)' is given by --param and by a parameters file", rule: "duplicate-name"))
        }
        if diagnostics.contains(where: { $0.severity == .error }) {
            return IngestResult(diagnostics: diagnostics, outcome: nil, sources: [])
        }
        let store = try openStore()
        let outcome = try store.ingest(
            RunIngest(
                experiment: request.experiment, run: request.run, labels: request.labels, metrics: plan.metrics,
                sources: plan.sources, time: request.time, params: plan.params + request.params, series: plan.series),
            replace: request.replace)
        return IngestResult(diagnostics: diagnostics, outcome: outcome, sources: plan.sources)
    }
}
