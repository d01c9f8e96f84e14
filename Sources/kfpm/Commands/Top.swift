import ArgumentParser
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm top`: the metrics of an experiment, most prevalent first.
    struct Top: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "top",
            abstract: "List an experiment's metrics, most prevalent first, with min, max, mean, latest and best run."
        )

        @OptionGroup var storeOptions: StoreOptions

        @Option(name: .short, help: "Show at most this many metrics (0 for all).")
        var n: Int = 20

        @OptionGroup var directions: DirectionOptions
        @OptionGroup var output: OutputOptions<TopMetrics>

        func validate() throws {
            guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
        }

        func run() throws {
            let store = try storeOptions.open(.read)
            let statistics = try store.metricStatistics(experiment: storeOptions.experimentName)
            let top = TopMetrics(
                experiment: storeOptions.experimentName, statistics: statistics, directions: directions.policy,
                limit: n == 0 ? nil : n)
            try Console.output(output.render(top))
        }
    }
}
