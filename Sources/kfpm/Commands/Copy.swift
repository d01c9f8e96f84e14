import ArgumentParser
import KFPMetrics
import KFPStore

extension KFPM {
    /// `kfpm copy FROM TO`: experiments and runs from one store to another, SQLite or PostgreSQL.
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy experiments and runs from one store to another (SQLite or PostgreSQL), in one transaction.",
            discussion: """
                FROM and TO are each a file (SQLite) or a postgresql:// URI. Runs keep their labels, parameters, \
                series, sources and times. FROM is read in one snapshot, so this is also the safe way to back up a SQLite store that \
                others are writing; TO is created if missing and written in one transaction with the ingest rules: \
                a run already there with the same content is unchanged, one with different content stops the copy \
                (nothing is stored) unless --replace.
                """
        )

        @Argument(help: ArgumentHelp("The store to copy from: a file or a postgresql:// URI.", valueName: "from"))
        var from: String

        @Argument(help: ArgumentHelp("The store to copy to, created if missing.", valueName: "to"))
        var to: String

        @Option(name: [.short, .long], help: "Copy only this experiment (repeatable). Default: every experiment.")
        var experiment: [String] = []

        @Flag(name: .long, help: "Replace runs of TO that already hold different content (metrics, parameters, series).")
        var replace = false

        func run() throws {
            let source = StoreLocation(from)
            let target = StoreLocation(to)
            let request = CopyRequest(experiments: experiment.isEmpty ? nil : experiment, replace: replace)
            let result = try StoreCopier.copy(
                request, openSource: { () throws(StoreError) -> any MetricsStore in try StoreOption.open(source, .read) },
                openTarget: { () throws(StoreError) -> any MetricsStore in try StoreOption.open(target, .write) })
            let summary = result.summary
            let experiments = result.experiments.count
            let points = summary.points > 0 ? ", \(summary.points) series points" : ""
            try Console.output(
                "copied \(result.runsRead) run\(result.runsRead == 1 ? "" : "s") (\(summary.metrics) metrics\(points) written) of "
                    + "\(experiments) experiment\(experiments == 1 ? "" : "s") from '\(source)' to '\(target)': "
                    + "\(summary.created) new, \(summary.replaced) replaced, \(summary.unchanged) unchanged\n")
        }
    }
}
