import ArgumentParser
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm history METRIC`: one metric over the runs of an experiment.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show a metric over the runs of an experiment in time order, with a sparkline (a chart in HTML)."
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: "The metric's name.", completion: StoreCompletions.metrics)
        var metric: String

        @Option(name: .long, help: "Only the latest N runs that have the metric (0 for all).")
        var last: Int = 50

        @OptionGroup var directions: DirectionOptions
        @OptionGroup var output: OutputOptions<MetricHistory>

        func validate() throws {
            guard last >= 0 else { throw ValidationError("--last must be 0 or more") }
        }

        func run() throws {
            let store = try storeOptions.open(.read)
            let points = try store.history(
                experiment: storeOptions.experimentName, metric: metric, limit: last == 0 ? nil : last)
            let history = MetricHistory(
                experiment: storeOptions.experimentName, metric: metric, points: points,
                direction: directions.policy.direction(of: metric))
            try Console.output(output.render(history))
        }
    }
}
