import ArgumentParser
import FoundationEssentials
import KFPMetrics
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm report`: one experiment on one self-contained HTML page.
    struct ReportPage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write an experiment as one self-contained HTML page: runs, top metrics, charts, compare, gate.",
            discussion: """
                The page shows the latest runs with the top metrics as columns (sortable by a click on any \
                column, filtered by run name or label), the top metrics with their statistics, a line chart per \
                top metric over those runs (the best run marked, missing and NaN values as gaps), and, when asked, \
                a comparison (--compare BASELINE RUN...) and a gate on top (--gate CANDIDATE with --baseline, \
                --rules, --rule). It opens anywhere, offline: nothing loads from the network, and it works with \
                scripts disabled. With -o the file is written atomically; the exit code is 0 whatever the gate's \
                verdict (`kfpm gate` gives that), 2 on an error.
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the page to this file instead of standard output.", valueName: "file"))
        var outputFile: String?

        @Option(name: .long, help: "The latest N runs in the runs table and the charts (0 for all).")
        var last: Int = 100

        @Option(name: .short, help: "The N most prevalent metrics: statistics and a chart each (0 for all).")
        var n: Int = 20

        @Option(name: .long, help: ArgumentHelp("The runs table's metric columns: top:N, all, or names and globs (default: the top metrics).", valueName: "spec"))
        var metrics: String?

        @Flag(name: .long, help: "Show each label as a column of the runs table.")
        var labels = false

        @Option(
            name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("Compare runs: the baseline, then the runs to compare with it.", valueName: "run"))
        var compare: [String] = []

        @Option(name: .long, help: ArgumentHelp("Check this run with the gate and show the result on top.", valueName: "candidate"))
        var gate: String?

        @OptionGroup var gateOptions: GateOptions
        @OptionGroup var directions: DirectionOptions
        @OptionGroup var precision: PrecisionOption

        @Flag(name: .long, help: "Write the current time on the page (without it, the same store gives the same page).")
        var timestamp = false

        func validate() throws {
            guard last >= 0 else { throw ValidationError("--last must be 0 or more") }
            guard n >= 0 else { throw ValidationError("-n must be 0 or more") }
            guard metrics.map({ MetricColumns(parsing: $0) != nil }) ?? true else {
                throw ValidationError("--metrics takes top:N, all, or names and globs separated by commas")
            }
            guard compare.isEmpty || compare.count >= 2 else {
                throw ValidationError("--compare takes the baseline and at least one run to compare with it")
            }
            guard gate != nil || gateOptions.isEmpty else {
                throw ValidationError("--baseline, --rules, --rule, --fail-on-warn, --strict and --allow-no-baseline go with --gate")
            }
        }

        func run() throws {
            let experiment = storeOptions.experimentName
            let request = ReportRequest(
                experiment: experiment, last: last == 0 ? nil : last, topCount: n == 0 ? nil : n,
                columns: metrics.flatMap(MetricColumns.init(parsing:)), showLabels: labels, directions: directions.policy,
                compare: compare,
                gate: gate.map { gateOptions.request(candidate: $0, experiment: experiment, directions: directions.policy) },
                generatedAt: timestamp ? Date() : nil)
            let report = try ReportRun.run(request) { () throws(StoreError) -> any MetricsStore in try storeOptions.open(.read) }
            let options = RenderOptions(precision: precision.precision)
            let page = OutputFormat.html.render(document: report.document(options), options: options)
            if let outputFile {
                try OutputFile.write(page, to: outputFile)
            } else {
                try Console.output(page)
            }
        }
    }
}
