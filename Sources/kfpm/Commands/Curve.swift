import ArgumentParser
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm curve RUN METRIC`: a metric of one run step by step.
    struct Curve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "curve",
            abstract: "Show a metric of one run over its steps, with its best and last points and a sparkline.",
            discussion: """
                The series comes from dvclive's plots/metrics/*.tsv or an MLflow history. NaN points are shown as \\
                gaps in the sparkline. Best follows the metric's direction (see compare); last is the point of the \\
                greatest step; final is the metric's value in the metrics file (MLflow's latest).
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The run's name (or EXPERIMENT:RUN).", valueName: "run"))
        var runName: String

        @Argument(help: "The metric's name.")
        var metric: String

        @Option(name: .long, help: "Show every Nth point only (the last one always).")
        var every: Int = 1

        @OptionGroup var directions: DirectionOptions
        @OptionGroup var output: OutputOptions<MetricCurve>

        func validate() throws {
            guard every >= 1 else { throw ValidationError("--every must be 1 or more") }
        }

        func run() throws {
            let store = try storeOptions.open(.read)
            let run = try RunReference.resolve(runName, defaultExperiment: storeOptions.experimentName, in: store)
            let series = try store.series(experiment: run.experiment, run: run.name, metrics: [metric])
            guard let found = series.first, let stored = run.metric(found.metric) else {
                throw CommandFailure(
                    message: "metric '\(metric)' of run '\(run.name)' has no series: it was stored with its final value only "
                        + "(series come from dvclive's plots/metrics/*.tsv and MLflow histories)")
            }
            let curve = MetricCurve(
                run: run, metric: stored, series: found, direction: directions.policy.direction(of: stored.name), every: every)
            try Console.output(output.render(curve))
        }
    }
}
