import ArgumentParser
import KFPMetrics
import KFPModel
import KFPStore

extension KFPM {
    /// `kfpm import DIR`: a whole tree of runs in one transaction.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a tree of runs (<experiment>/<run>/…) or an MLflow store in one transaction.",
            discussion: """
                Each folder in DIR is an experiment and each folder in that a run, read the way `kfpm ingest RUN \
                FOLDER` reads a folder. A KFP v2 local-runner folder, <pipeline>-YYYY-MM-DD-HH-MM-SS-ffffff, is a \
                run of the experiment <pipeline> created at that time, its task folders the steps. With \
                -e/--experiment, the folders in DIR are the runs of that experiment. An MLflow file store \
                (mlruns/) or SQLite store (mlflow.db, opened read-only) is imported with its experiments, runs, \
                params, tags (as labels) and metric histories; deleted runs are left out unless \
                --include-deleted. Files are read and checked on every core while one writer stores them; memory \
                holds a batch at a time. If any file has an error, every problem is listed and nothing is stored \
                (exit 2).
                """
        )

        @OptionGroup var storeOption: StoreOption

        @Option(name: [.short, .long], help: "Treat the folders in DIR as the runs of this experiment.")
        var experiment: String?

        @Argument(help: "The folder to import (a tree of runs, or MLflow's mlruns/), or an MLflow SQLite store.")
        var folder: String

        @Option(
            name: .long, help: ArgumentHelp("A label for every imported run, KEY=VALUE (repeatable).", valueName: "key=value"),
            transform: parseLabel)
        var label: [Label] = []

        @Flag(name: .long, help: "Replace runs that already hold different metrics.")
        var replace = false

        @Flag(name: .long, help: "From an MLflow store: import deleted runs and experiments too.")
        var includeDeleted = false

        @OptionGroup var readOptions: ReadFlags

        func run() throws {
            let request = ImportRequest(
                root: folder, experiment: experiment, labels: label, replace: replace, options: readOptions.options,
                includeDeleted: includeDeleted)
            let result = try Importer.run(request) { () throws(StoreError) -> any MetricsStore in
                try storeOption.open(.write)
            }
            for diagnostic in result.diagnostics { Console.diagnostic(diagnostic.description) }
            if result.omittedDiagnostics > 0 {
                Console.diagnostic("kfpm: … and \(result.omittedDiagnostics) more diagnostics")
            }
            guard let summary = result.summary else {
                let errors = result.diagnostics.filter { $0.severity == .error }.count + result.omittedDiagnostics
                throw CommandFailure(message: "\(errors) problem\(errors == 1 ? "" : "s") in the input; nothing was imported")
            }
            let experiments = result.experiments.count
            let points = summary.points > 0 ? ", \(summary.points) series points" : ""
            let text = "imported \(result.runsRead) runs (\(summary.metrics) metrics\(points)) into \(experiments) experiment"
                + "\(experiments == 1 ? "" : "s"): \(summary.created) new, \(summary.replaced) replaced, "
                + "\(summary.unchanged) unchanged\n"
            do {
                try Console.output(text)
            } catch {
                throw OutputFailure(reason: error.reason, done: "the \(result.runsRead) runs were imported")
            }
        }
    }
}
