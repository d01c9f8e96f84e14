import ArgumentParser
import FoundationEssentials
import KFPMetrics
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm gate CANDIDATE`: fail a CI job when a metric regressed against its baseline.
    struct Gate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gate",
            abstract: "Check a run against a baseline with per-metric rules; exit 1 on a regression.",
            discussion: """
                Baselines: a run name (or EXPERIMENT:RUN); previous (the latest run before the candidate); \
                latest:KEY=VALUE (the latest run before it with that label); window:N[:KEY=VALUE] (the last N such \
                runs: their median is the baseline, their spread the noise). Rules come from --rules (YAML or \
                JSON) and --rule 'GLOB:KEY=VALUE,...' (checked first); the first matching rule wins. Nothing \
                passes silently: a metric missing from the candidate fails (on_missing), a NaN fails, a missing \
                baseline is an error unless --allow-no-baseline. Exit codes: 0 passed (warnings allowed), 1 a \
                regression (the report is printed first), 2 an error.
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The run to check.", valueName: "candidate"), completion: StoreCompletions.runs)
        var candidate: String

        @OptionGroup var gate: GateOptions

        @OptionGroup var directions: DirectionOptions
        @OptionGroup var output: OutputOptions<GateReport>

        func run() throws {
            let request = gate.request(
                candidate: candidate, experiment: storeOptions.experimentName, directions: directions.policy)
            let report: GateReport
            do {
                report = try GateRun.run(request) { () throws(StoreError) -> any MetricsStore in try storeOptions.open(.read) }
            } catch {
                // A CI report step expects a document: say in it that the gate could not run (exit 2 all the same).
                if [.junit, .github].contains(output.format) {
                    let problems = ((error as? OperationFailure)?.diagnostics ?? []).map(\.description)
                    let message = (problems + ["\(error)"]).joined(separator: "\n")
                    try? Console.output(output.format.render(GateFailure(candidate: candidate, message: message), options: output.renderOptions))
                }
                throw error
            }
            try Console.output(output.render(report))
            let environment = ProcessInfo.processInfo.environment
            if let warning = StepSummary.publish(report, format: output.format, options: output.renderOptions, environment: environment) {
                Console.diagnostic("kfpm: warning: \(warning)")
            }
            if !report.passed { throw ExitCode(report.exitCode) }
        }
    }
}
