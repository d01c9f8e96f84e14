import ArgumentParser
import KFPMetrics

extension KFPM {
    /// `kfpm validate FILE...`: the ingest checks without a store.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check metrics files with the ingest rules, storing nothing.",
            discussion: """
                With --kfp, KFP's own rules apply exactly, so a component author learns before deploying whether \
                KFP will show the file: at most 50 metrics, names matching \(KFPRules.namePattern) (64 characters \
                at most), and no NaN or Infinity. Exits 2 if any file has a problem.
                """
        )

        @Argument(help: "Metrics files or folders; - reads standard input.")
        var files: [String]

        @Flag(name: .long, help: "Apply KFP's own rules exactly; every breach is an error.")
        var kfp = false

        @OptionGroup var readOptions: ReadFlags

        func run() throws {
            var options = readOptions.options
            options.kfpRules = kfp
            let collected = InputCollector.collect(files, limits: options.limits, standardInput: Console.readStandardInput)
            var diagnostics = collected.diagnostics
            for input in collected.inputs {
                let plan = IngestPlanner.plan([input], step: nil, options: options)
                diagnostics += plan.diagnostics
                if plan.hasErrors {
                    continue
                }
                if let source = plan.sources.first {
                    Console.output("\(input.path): ok, \(source.inputFormat.title), \(source.metricCount) metrics\n")
                }
            }
            for diagnostic in diagnostics { Console.diagnostic(diagnostic.description) }
            let errors = diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty {
                let files = Set(errors.map(\.file)).count
                throw CommandFailure(
                    message: "\(errors.count) problem\(errors.count == 1 ? "" : "s") in \(files) input\(files == 1 ? "" : "s")")
            }
        }
    }
}
