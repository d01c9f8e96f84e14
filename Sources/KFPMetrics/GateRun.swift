import FoundationEssentials
import KFPIngest
import KFPModel
import KFPRender
import KFPReports
import KFPStore

/// What `kfpm gate` was asked to check, free of any command-line parsing.
package struct GateRequest: Sendable {
    /// The candidate run, as named (`RUN` or `EXPERIMENT:RUN`).
    package var candidate: String
    /// The experiment a bare run name belongs to.
    package var experiment: String
    package var baseline: BaselineSelector
    /// A YAML or JSON rules file, whose rules come after the inline ones.
    package var rulesFile: String?
    /// `--rule` rules, checked first.
    package var inlineRules: [GateRule]
    package var options: GateEvaluator.Options

    package init(
        candidate: String, experiment: String, baseline: BaselineSelector = .previous, rulesFile: String? = nil,
        inlineRules: [GateRule] = [], options: GateEvaluator.Options = GateEvaluator.Options()
    ) {
        self.candidate = candidate
        self.experiment = experiment
        self.baseline = baseline
        self.rulesFile = rulesFile
        self.inlineRules = inlineRules
        self.options = options
    }
}

/// `kfpm gate` without the command line: rules, candidate, baseline, the no-baseline policy, the evaluation.
package enum GateRun {
    /// Checks the candidate. Rules are read first, so that a broken rules file fails before the store is opened.
    /// No baseline found is an error unless `options.allowNoBaseline`.
    package static func run(
        _ request: GateRequest, openStore: () throws(StoreError) -> any MetricsStore
    ) throws -> GateReport {
        var rules = try request.rulesFile.map(loadRules) ?? GateRuleSet()
        rules.rules = request.inlineRules + rules.rules
        let store = try openStore()
        let candidate = try RunReference.resolve(request.candidate, defaultExperiment: request.experiment, in: store)
        if case .run(let name) = request.baseline,
            let named = try? RunReference.resolve(name, defaultExperiment: request.experiment, in: store),
            named.experiment == candidate.experiment && named.name == candidate.name
        {
            throw OperationFailure(
                "the baseline '\(name)' is the candidate itself; name another run, or use previous, latest:KEY=VALUE "
                    + "or window:N")
        }
        let baseline = try Baseline.find(request.baseline, for: candidate, in: store)
        if baseline.runs.isEmpty && !request.options.allowNoBaseline {
            throw OperationFailure(
                "no baseline found for '\(request.baseline)' before run '\(candidate.name)' in experiment "
                    + "'\(candidate.experiment)'; ingest a baseline run first, or pass --allow-no-baseline to "
                    + "check absolute bounds only")
        }
        // A rule with `at:` checks a point of a series: read the series of the runs compared.
        var series = SeriesByRun()
        if rules.needsSeries {
            for run in [candidate] + baseline.runs {
                series.add(try store.series(experiment: run.experiment, run: run.name, metrics: nil), of: run)
            }
        }
        do {
            return try GateEvaluator.evaluate(
                candidate: candidate, baseline: baseline, rules: rules, options: request.options, series: series)
        } catch {
            throw OperationFailure(error.description, diagnostics: error.diagnostics)
        }
    }

    /// Reads a rules file (YAML, or JSON read as YAML); every problem is listed with file:line:column.
    package static func loadRules(_ path: String) throws(OperationFailure) -> GateRuleSet {
        let bytes: [UInt8]
        switch InputCollector.readFile(FilePath(path), limits: InputLimits()) {
        case .success(let read): bytes = read
        case .failure(let problem): throw OperationFailure("cannot read the rules file \(path)", diagnostics: [problem])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw OperationFailure("\(path): the rules file is not UTF-8 text")
        }
        let parsed = RulesParser.parse(text, file: path)
        guard parsed.diagnostics.isEmpty else {
            throw OperationFailure(
                "the rules file \(path) has \(parsed.diagnostics.count) problem(s); the gate did not run",
                diagnostics: parsed.diagnostics)
        }
        return parsed.rules
    }
}

/// GitHub's job summary: with `--format github` and `GITHUB_STEP_SUMMARY` set, the gate's Markdown report is
/// appended to that file, so that the job's summary page shows it.
package enum StepSummary {
    /// Appends the report when the format and environment ask for it. The verdict stands whatever happens
    /// here: a file that cannot be written comes back as a warning to print.
    package static func publish(
        _ report: GateReport, format: OutputFormat, options: RenderOptions, environment: [String: String]
    ) -> String? {
        guard format == .github, let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return nil }
        let text = OutputFormat.markdown.render(report, options: options) + "\n"
        let code = DescriptorOutput.append(text, toFileAt: path)
        return code == 0 ? nil : "cannot write GITHUB_STEP_SUMMARY file \(path): \(DescriptorOutput.reason(code))"
    }
}
