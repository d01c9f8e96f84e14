import ArgumentParser
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm compare BASELINE RUN...`: every metric of a baseline against other runs.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Compare runs against a baseline: every metric, each change, and whether it got better.",
            discussion: """
                A run of another experiment is named EXPERIMENT:RUN. Changes are absolute and relative, and in \
                percentage points for PERCENTAGE metrics. Better or worse follows each metric's direction: lower \
                is better for names with loss, error, mse, mae, rmse, perplexity, wer, latency, time or duration, \
                higher otherwise; --lower-is-better and --higher-is-better override it. --at compares another \
                value of each metric than its final one: the best or last point of its series, or the point at a \
                step. The parameters that differ between the runs follow the metrics (--all-params lists all).
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: "The baseline run.", completion: StoreCompletions.runs)
        var baseline: String

        @Argument(help: "The runs to compare with the baseline.", completion: StoreCompletions.runs)
        var runs: [String]

        @Flag(name: .long, help: "Leave out metrics that are unchanged in every run.")
        var onlyChanged = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Which value of each metric: final (the metrics file's), best or last (of its series), or step=N.",
                valueName: "position"),
            transform: parsePosition)
        var at: SeriesPosition = .final

        @Flag(name: .long, help: "List every parameter, not only those that differ.")
        var allParams = false

        @OptionGroup var directions: DirectionOptions
        @OptionGroup var output: OutputOptions<Comparison>

        func validate() throws {
            guard !runs.isEmpty else { throw ValidationError("name at least one run to compare with the baseline") }
        }

        func run() throws {
            let store = try storeOptions.open(.read)
            let stored = try ([baseline] + runs).map { name throws(StoreError) in
                try RunReference.resolve(name, defaultExperiment: storeOptions.experimentName, in: store)
            }
            var series = SeriesByRun()
            if at.needsSeries {
                for run in stored { series.add(try store.series(experiment: run.experiment, run: run.name, metrics: nil), of: run) }
            }
            let comparison = Comparison(
                runs: stored, directions: directions.policy, onlyChanged: onlyChanged, at: at, series: series,
                allParams: allParams)
            try Console.output(output.render(comparison))
        }
    }
}
