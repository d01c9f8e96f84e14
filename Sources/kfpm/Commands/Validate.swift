import ArgumentParser
import KFPIngest
import KFPMetrics

extension KFPM {
    /// `kfpm validate FILE...`: the ingest checks without a store.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
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
            let result = Validator.validate(files, options: options, standardInput: Console.readStandardInput)
            for passed in result.passed {
                try Console.output("\(passed.path): ok, \(passed.summary)\n")
            }
            for diagnostic in result.diagnostics { Console.diagnostic(diagnostic.description) }
            if result.errorCount > 0 {
                let (errors, inputs) = (result.errorCount, result.inputsWithErrors)
                throw CommandFailure(
                    message: "\(errors) problem\(errors == 1 ? "" : "s") in \(inputs) input\(inputs == 1 ? "" : "s")")
            }
        }
    }
}
