import ArgumentParser
import Foundation
import KFPMetrics

extension KFPM {
    /// `kfpm gate CANDIDATE`: fail a CI job when a metric regressed against its baseline.
    struct Gate: ParsableCommand {
        static let configuration = CommandConfiguration(
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

        @Argument(help: ArgumentHelp("The run to check.", valueName: "candidate"))
        var candidate: String

        @Option(name: .long, help: ArgumentHelp("The baseline: RUN, previous, latest:KEY=VALUE or window:N[:KEY=VALUE].", valueName: "selector"))
        var baseline: String = "previous"

        @Option(name: .long, help: ArgumentHelp("A rules file, YAML or JSON.", valueName: "file"))
        var rules: String?

        @Option(name: .long, help: ArgumentHelp("An inline rule, GLOB:KEY=VALUE[,KEY=VALUE...] (repeatable), e.g. 'accuracy*:fail=1pp,warn=0.5pp'.", valueName: "rule"))
        var rule: [String] = []

        @Option(name: .long, help: "Output format: table, json, csv, markdown, junit or github.")
        var format: GateFormat = .table

        @Option(name: .long, help: "Decimals shown in table, Markdown and GitHub output.")
        var precision: Int = 3

        @Flag(name: .long, help: "Fail the gate on warnings too.")
        var failOnWarn = false

        @Flag(name: .long, help: "Fail the gate when a rule applies to no metric.")
        var strict = false

        @Flag(name: .long, help: "When no baseline is found, check absolute bounds only instead of failing with exit 2.")
        var allowNoBaseline = false

        @OptionGroup var directions: DirectionOptions

        func validate() throws {
            do { _ = try BaselineSelector(parsing: baseline) } catch { throw ValidationError(error.description) }
            for text in rule {
                do { _ = try RulesParser.parseInline(text) } catch { throw ValidationError(error.description) }
            }
            guard (0...17).contains(precision) else { throw ValidationError("--precision must be between 0 and 17") }
        }

        func run() throws {
            // Rules first: a broken rules file is exit 2 before anything else.
            var ruleSet = GateRuleSet()
            if let path = rules {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CommandFailure(message: "\(path): cannot read the rules file")
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    throw CommandFailure(message: "\(path): the rules file is not UTF-8 text")
                }
                let parsed = RulesParser.parse(text, file: path)
                if !parsed.diagnostics.isEmpty {
                    for diagnostic in parsed.diagnostics { Console.diagnostic(diagnostic.description) }
                    throw CommandFailure(message: "the rules file \(path) has \(parsed.diagnostics.count) problem(s); the gate did not run")
                }
                ruleSet = parsed.rules
            }
            ruleSet.rules = try rule.map { try RulesParser.parseInline($0) } + ruleSet.rules

            let store = try storeOptions.open(create: false)
            let candidateRun = try RunReference.resolve(candidate, defaultExperiment: storeOptions.experimentName, in: store)
            let selector = try BaselineSelector(parsing: baseline)
            let found = try Baseline.find(selector, for: candidateRun, in: store)
            if found.runs.isEmpty && !allowNoBaseline {
                throw CommandFailure(
                    message: "no baseline found for '\(selector)' before run '\(candidateRun.name)' in experiment "
                        + "'\(candidateRun.experiment)'; ingest a baseline run first, or pass --allow-no-baseline to "
                        + "check absolute bounds only")
            }
            var options = GateEvaluator.Options()
            options.failOnWarn = failOnWarn
            options.strict = strict
            options.allowNoBaseline = allowNoBaseline
            options.directions = directions.policy
            let report: GateReport
            do {
                report = try GateEvaluator.evaluate(candidate: candidateRun, baseline: found, rules: ruleSet, options: options)
            } catch {
                throw CommandFailure(message: error.description)
            }
            let renderOptions = RenderOptions(precision: precision, color: format == .table && Console.colorAllowed)
            Console.output(format.render(report, options: renderOptions))
            if format == .github, let summaryPath = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !summaryPath.isEmpty {
                // The verdict stands even if the summary cannot be written: say so, keep the exit code.
                do {
                    try appendStepSummary(GateFormat.markdown.render(report, options: renderOptions), to: summaryPath)
                } catch {
                    Console.diagnostic("kfpm: warning: \((error as? CommandFailure)?.message ?? "\(error)")")
                }
            }
            if !report.passed { throw ExitCode(report.exitCode) }
        }

        /// Appends the Markdown report to GitHub's step summary file.
        private func appendStepSummary(_ text: String, to path: String) throws {
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil)
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw CommandFailure(message: "cannot write GITHUB_STEP_SUMMARY file \(path)")
            }
            defer { try? handle.close() }
            handle.seekToEndOfFile()
            handle.write(Data((text + "\n").utf8))
        }
    }
}

extension GateFormat: ExpressibleByArgument {}
