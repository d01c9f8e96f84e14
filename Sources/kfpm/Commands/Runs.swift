import ArgumentParser
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm runs`: the runs of an experiment with their top metrics as columns.
    struct Runs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runs",
            abstract: "List the runs of an experiment with chosen metrics as columns, newest first.",
            discussion: """
                Metric columns are the two most prevalent metrics of the runs shown (then by name), as the KFP \
                runs list chose them; --metrics all shows every metric, --metrics 'acc*,loss' names or globs. \
                The table draws a bar per cell: PERCENTAGE values absolute, others relative to the min..max of \
                the runs shown.
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Option(name: .long, help: ArgumentHelp("Metric columns: top:N, all, or names and globs separated by commas.", valueName: "spec"))
        var metrics: String = "top:2"

        @Flag(name: .long, help: "Show each label as a column.")
        var labels = false

        @Flag(name: .long, help: "Show each parameter as a column (and in JSON).")
        var params = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Only runs whose labels pass: KEY=VALUE, KEY!=VALUE (VALUE may be a glob, e.g. branch=feat-*), KEY or !KEY (repeatable; all must pass).",
                valueName: "condition"),
            transform: parseLabelFilter)
        var `where`: [LabelFilter] = []

        @Option(
            name: .long, help: ArgumentHelp("Sort by this metric's value, best first; runs without it last.", valueName: "metric"),
            completion: StoreCompletions.metrics)
        var sortBy: String?

        @Flag(name: .long, help: "With --sort-by: ascending.")
        var asc = false

        @Flag(name: .long, help: "With --sort-by: descending.")
        var desc = false

        @Option(name: .long, help: "Show at most this many runs (0 for all).")
        var limit: Int = 50

        @OptionGroup var directions: DirectionOptions
        @OptionGroup var output: OutputOptions<RunList>

        func validate() throws {
            guard MetricColumns(parsing: metrics) != nil else {
                throw ValidationError("--metrics takes top:N, all, or names and globs separated by commas")
            }
            guard !(asc && desc) else { throw ValidationError("--asc and --desc exclude each other") }
            guard sortBy != nil || !(asc || desc) else { throw ValidationError("--asc and --desc go with --sort-by") }
            guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        }

        func run() throws {
            let ascending = asc || (!desc && sortBy.map { directions.policy.direction(of: $0) == .lowerIsBetter } == true)
            let store = try storeOptions.open(.read)
            let page = try store.runs(
                RunQuery(
                    experiment: storeOptions.experimentName, filters: `where`, sortMetric: sortBy, ascending: ascending,
                    limit: limit == 0 ? nil : limit, metrics: MetricColumns(parsing: metrics) ?? .top(2)))
            let list = RunList(experiment: storeOptions.experimentName, page: page, showLabels: labels, showParams: params)
            try Console.output(output.render(list))
            if page.runs.count < page.totalMatching {
                Console.diagnostic("kfpm: showing \(page.runs.count) of \(page.totalMatching) runs; --limit 0 shows all")
            }
        }
    }
}
