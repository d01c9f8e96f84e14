import KFPModel
import KFPStore

/// The gate's decisions: pure functions from a candidate, its baseline and the rules to a report.
package enum GateEvaluator {
    /// Options that change the outcome, not the per-metric results.
    package struct Options: Sendable {
        package var failOnWarn = false
        package var strict = false
        /// Check absolute bounds only when no baseline was found (otherwise that is an error).
        package var allowNoBaseline = false
        /// Directions from the command line, used where a rule sets none.
        package var directions = DirectionPolicy()
        package init() {}
    }

    /// Rules that do not fit the metrics, each at its place: a rule that matches no metric of the candidate or
    /// the baseline (a misspelled name would let a regression pass), a `pp` limit on a metric that is not
    /// PERCENTAGE.
    package struct RuleProblems: Error, Sendable, CustomStringConvertible {
        package var diagnostics: [Diagnostic]
        package var description: String {
            "the rules have \(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s"); the gate did not run"
        }
    }

    /// Evaluates every metric of the candidate and the baseline under the rules. `series` holds the series of
    /// the candidate and baseline runs when a rule checks a point of them (`at:`).
    package static func evaluate(
        candidate: StoredRun, baseline: Baseline, rules: GateRuleSet, options: Options, series: SeriesByRun = SeriesByRun()
    ) throws(RuleProblems) -> GateReport {
        var notes: [String] = []
        let window = baseline.isWindow
        if baseline.runs.isEmpty {
            notes.append("no baseline run found for '\(baseline.selector)': only absolute bounds (min, max) were checked")
        } else if case .window(let n, _) = baseline.selector, baseline.runs.count < n {
            notes.append("the window has \(baseline.runs.count) of \(n) runs")
        }

        var results: [MetricResult] = []
        var used = Set<Int>()
        let baselineNames = Set(baseline.runs.flatMap { $0.metrics.map(\.name) })
        let allNames = Set(candidate.metrics.map(\.name)).union(baselineNames).sorted()
        var problems = unmatchedNames(rules, allNames)
        for name in allNames {
            let index = rules.ruleIndex(for: name)
            if let index { used.insert(index) }
            let rule = index.map { rules.rules[$0] } ?? rules.defaultRule
            let direction = rule?.direction ?? options.directions.direction(of: name)
            let at = rule?.at ?? .final
            let picked = series.value(of: candidate, metric: name, at: at, direction: direction)
            let base = baselineValue(name, of: baseline.runs, window: window, at: at, direction: direction, series: series)
            let format = base?.format ?? candidate.metric(name)?.format ?? .raw
            var result = MetricResult(
                name: name, format: format, direction: direction, verdict: .pass, level: .ok, baseline: base?.value,
                candidate: picked?.value, change: nil, noise: base?.noise, windowCount: window ? base?.count : nil,
                limit: "report only", reason: "", rule: rule?.origin, at: at, candidateStep: picked?.step,
                baselineStep: base?.step)
            if let rule, format != .percentage,
                [rule.warn, rule.fail].contains(where: { if case .percentagePoints = $0 { return true } else { return false } })
            {
                problems.append(
                    rule.diagnostic(
                        "rule '\(rule.metric)' gives a limit in percentage points (pp), but metric '\(name)' is "
                            + "\(format.name), not PERCENTAGE; use an absolute amount or a %"))
                continue
            }
            guard let value = picked?.value else {
                // In the baseline only (or, at a step, no point there in the candidate).
                let policy = rule?.onMissing ?? rules.onMissing
                result.verdict = .missing
                result.level = policy == .fail ? .failure : policy == .warn ? .warning : .ok
                result.limit = "on_missing: \(policy.rawValue)"
                result.reason = candidate.metric(name) == nil
                    ? "in the baseline, not in the candidate"
                    : "the candidate has no point at \(at)" + (base == nil ? ", nor has the baseline" : "")
                results.append(position(result))
                continue
            }
            judge(&result, value: value, base: base?.value, rule: rule, window: window)
            results.append(position(result))
        }
        if !problems.isEmpty { throw RuleProblems(diagnostics: problems) }
        // A rule that decides no metric (an optional one matching none, or one whose metrics earlier rules take)
        // is reported.
        let unmatched = rules.rules.indices.filter { !used.contains($0) }.map {
            "\(rules.rules[$0].metric) (\(rules.rules[$0].origin))"
        }
        let candidateNames = Set(candidate.metrics.map(\.name))
        notes += StepMismatch.notes(
            only: baselineNames.filter { !candidateNames.contains($0) }.sorted(), in: baseline.runs.first?.name ?? "the baseline",
            against: candidateNames.filter { !baselineNames.contains($0) }.sorted(), in: candidate.name)
        if options.strict && !unmatched.isEmpty {
            notes.append("--strict: rules that match no metric fail the gate")
        }
        return GateReport(
            candidate: RunReference(experiment: candidate.experiment, name: candidate.name),
            baselineSelector: baseline.selector.description,
            baselineRuns: baseline.runs.map { RunReference(experiment: $0.experiment, name: $0.name) },
            results: results, unmatchedRules: unmatched, notes: notes, failOnWarn: options.failOnWarn,
            strict: options.strict)
    }

    /// The rules, not optional, whose name or glob matches no metric of the candidate or the baseline, each with
    /// the names closest to it.
    private static func unmatchedNames(_ rules: GateRuleSet, _ names: [String]) -> [Diagnostic] {
        rules.rules.filter { rule in !rule.optional && !names.contains(where: rule.metric.matches) }.map { rule in
            let close = Suggestions.closest(to: rule.metric.pattern, in: names)
            let hint =
                close.isEmpty
                ? " (they have: \(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", …" : ""))."
                : "; did you mean \(close.joined(separator: " or "))?"
            return rule.diagnostic(
                "rule '\(rule.metric)' matches no metric of the candidate or the baseline\(hint) Fix the name, or add "
                    + "`optional: true` to the rule if it may match nothing")
        }
    }

    /// A result of a rule with `at:` says where its values were taken: `at best (step 7 vs 5); …`.
    private static func position(_ result: MetricResult) -> MetricResult {
        guard result.at != .final else { return result }
        var result = result
        // At a step the step goes without saying; the best and last points may be at different steps.
        let steps = [result.candidateStep, result.baselineStep].compactMap { $0 }.map(String.init)
        let varies = result.at == .best || result.at == .last
        let shown = steps.isEmpty || !varies ? "" : " (step \(steps.joined(separator: " vs ")))"
        result.limit = "at \(result.at)\(shown); \(result.limit)"
        return result
    }

    /// The baseline of one metric at a position: the run's value (and its step), or the window's median and its
    /// noise over the runs that have a value there; nil when no baseline run has one.
    private static func baselineValue(
        _ name: String, of runs: [StoredRun], window: Bool, at: SeriesPosition, direction: Direction, series: SeriesByRun
    ) -> (value: Double, format: MetricFormat, noise: Double?, count: Int, step: Int64?)? {
        let found = runs.compactMap { run in
            run.metric(name).flatMap { metric in
                series.value(of: run, metric: name, at: at, direction: direction).map { (metric.format, $0.value, $0.step) }
            }
        }
        guard let first = found.first else { return nil }
        guard window else { return (first.1, first.0, nil, 1, first.2) }
        let finite = found.map(\.1).filter(\.isFinite)
        guard let median = Statistics.median(finite) else { return (.nan, first.0, nil, found.count, nil) }
        return (median, first.0, Statistics.robustSigma(finite), finite.count, nil)
    }

    /// Decides a metric the candidate has: bounds first, then the change against the baseline.
    private static func judge(_ result: inout MetricResult, value: Double, base: Double?, rule: GateRule?, window: Bool) {
        let unit = { (number: Double) in NumberText.compact(number) }
        guard value.isFinite else {
            result.verdict = .fail
            result.level = .failure
            result.limit = "a finite value"
            result.reason = "the candidate's value is \(NumberText.exact(value))"
            return
        }
        if let min = rule?.min, value < min {
            fail(&result, limit: "min \(unit(min))", reason: "\(unit(value)) is below the minimum \(unit(min))")
            return
        }
        if let max = rule?.max, value > max {
            fail(&result, limit: "max \(unit(max))", reason: "\(unit(value)) is above the maximum \(unit(max))")
            return
        }
        let bounds = [rule?.min.map { "min \(unit($0))" }, rule?.max.map { "max \(unit($0))" }].compactMap { $0 }
        guard let base else {
            result.verdict = .new
            result.limit = bounds.isEmpty ? "none (new metric)" : bounds.joined(separator: ", ")
            result.reason = "not in the baseline"
            return
        }
        guard base.isFinite else {
            result.verdict = .warn
            result.level = .warning
            result.limit = bounds.isEmpty ? "none" : bounds.joined(separator: ", ")
            result.reason = "the baseline's value is \(unit(base)): only bounds could be checked"
            return
        }
        let change = MetricChange(from: base, to: value, format: result.format, direction: result.direction)
        result.change = change
        // How much worse, in the metric's unit (negative when better).
        let worsening = result.direction == .higherIsBetter ? base - value : value - base
        let tolerance = 1e-12 * Swift.max(1, abs(base))
        var limits: [String] = []
        if let noise = result.noise, let sigma = rule?.sigma {
            let band = sigma * noise
            limits.append("noise ±\(NumberText.compact(sigma))σ = \(unit(band))")
            if abs(value - base) <= band + tolerance {
                // A change inside the noise is no signal either way.
                result.verdict = .pass
                result.limit = (limits + bounds).joined(separator: ", ")
                result.reason = "within the window's noise (\(NumberText.compact(sigma))σ = \(unit(band)))"
                return
            }
            if rule?.fail == nil && worsening > tolerance {
                fail(&result, limit: (limits + bounds).joined(separator: ", "), reason: "worse by \(unit(worsening)), beyond \(NumberText.compact(sigma))σ of the window")
                return
            }
        }
        if let threshold = rule?.fail {
            let allowed = threshold.allowance(baseline: base)
            limits.append("fail if worse by > \(threshold)" + (threshold.isAbsolute ? "" : " (\(unit(allowed)))"))
            if worsening > allowed + tolerance {
                fail(&result, limit: limits.joined(separator: ", "), reason: "worse by \(describe(worsening, result.format)), more than \(threshold)")
                return
            }
        }
        if let threshold = rule?.warn {
            let allowed = threshold.allowance(baseline: base)
            limits.append("warn if worse by > \(threshold)" + (threshold.isAbsolute ? "" : " (\(unit(allowed)))"))
            if worsening > allowed + tolerance {
                result.verdict = .warn
                result.level = .warning
                result.limit = limits.joined(separator: ", ")
                result.reason = "worse by \(describe(worsening, result.format)), more than \(threshold)"
                return
            }
        }
        limits += bounds
        result.limit = limits.isEmpty ? "report only" : limits.joined(separator: ", ")
        if worsening < -tolerance {
            result.verdict = .improved
            result.reason = "better by \(describe(-worsening, result.format))"
        } else if worsening > tolerance {
            result.verdict = .pass
            result.reason = rule?.hasLimits == true ? "worse by \(describe(worsening, result.format)), within the limit" : "worse by \(describe(worsening, result.format)) (no limit)"
        } else {
            result.verdict = .pass
            result.reason = "unchanged"
        }
    }

    private static func fail(_ result: inout MetricResult, limit: String, reason: String) {
        result.verdict = .fail
        result.level = .failure
        result.limit = limit
        result.reason = reason
    }

    /// An amount of change in words: `0.02 (2pp)` for PERCENTAGE metrics, `0.05` otherwise.
    private static func describe(_ amount: Double, _ format: MetricFormat) -> String {
        format == .percentage ? "\(NumberText.compact(amount * 100))pp" : NumberText.compact(amount)
    }
}

extension Threshold {
    /// Whether the amount is in the metric's own unit already.
    var isAbsolute: Bool {
        if case .absolute = self { return true }
        return false
    }
}
