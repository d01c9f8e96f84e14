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

    /// Evaluates every metric of the candidate and the baseline under the rules.
    package static func evaluate(
        candidate: StoredRun, baseline: Baseline, rules: GateRuleSet, options: Options
    ) throws(RuleProblems) -> GateReport {
        var notes: [String] = []
        let window = baseline.isWindow
        if baseline.runs.isEmpty {
            notes.append("no baseline run found for '\(baseline.selector)': only absolute bounds (min, max) were checked")
        } else if case .window(let n, _) = baseline.selector, baseline.runs.count < n {
            notes.append("the window has \(baseline.runs.count) of \(n) runs")
        }
        // The baseline value of each metric: the run's value, or the window's median and noise.
        var baselineValues: [String: (value: Double, format: MetricFormat, noise: Double?, count: Int)] = [:]
        let names = Set(baseline.runs.flatMap { $0.metrics.map(\.name) })
        for name in names {
            let metrics = baseline.runs.compactMap { $0.metric(name) }
            guard let first = metrics.first else { continue }
            if window {
                let finite = metrics.map(\.value).filter(\.isFinite)
                guard let median = Statistics.median(finite) else {
                    baselineValues[name] = (.nan, first.format, nil, metrics.count)
                    continue
                }
                baselineValues[name] = (median, first.format, Statistics.robustSigma(finite), finite.count)
            } else {
                baselineValues[name] = (first.value, first.format, nil, 1)
            }
        }

        var results: [MetricResult] = []
        var used = Set<Int>()
        let allNames = Set(candidate.metrics.map(\.name)).union(baselineValues.keys).sorted()
        var problems = unmatchedNames(rules, allNames)
        for name in allNames {
            let index = rules.ruleIndex(for: name)
            if let index { used.insert(index) }
            let rule = index.map { rules.rules[$0] } ?? rules.defaultRule
            let direction = rule?.direction ?? options.directions.direction(of: name)
            let candidateMetric = candidate.metric(name)
            let base = baselineValues[name]
            let format = base?.format ?? candidateMetric?.format ?? .raw
            var result = MetricResult(
                name: name, format: format, direction: direction, verdict: .pass, level: .ok, baseline: base?.value,
                candidate: candidateMetric?.value, change: nil, noise: base?.noise, windowCount: window ? base?.count : nil,
                limit: "report only", reason: "", rule: rule?.origin)
            if let rule, format != .percentage,
                [rule.warn, rule.fail].contains(where: { if case .percentagePoints = $0 { return true } else { return false } })
            {
                problems.append(
                    rule.diagnostic(
                        "rule '\(rule.metric)' gives a limit in percentage points (pp), but metric '\(name)' is "
                            + "\(format.name), not PERCENTAGE; use an absolute amount or a %"))
                continue
            }
            guard let value = candidateMetric?.value else {
                // In the baseline only.
                let policy = rule?.onMissing ?? rules.onMissing
                result.verdict = .missing
                result.level = policy == .fail ? .failure : policy == .warn ? .warning : .ok
                result.limit = "on_missing: \(policy.rawValue)"
                result.reason = "in the baseline, not in the candidate"
                results.append(result)
                continue
            }
            judge(&result, value: value, base: base?.value, rule: rule, window: window)
            results.append(result)
        }
        if !problems.isEmpty { throw RuleProblems(diagnostics: problems) }
        // A rule that decides no metric (an optional one matching none, or one whose metrics earlier rules take)
        // is reported.
        let unmatched = rules.rules.indices.filter { !used.contains($0) }.map {
            "\(rules.rules[$0].metric) (\(rules.rules[$0].origin))"
        }
        let candidateNames = Set(candidate.metrics.map(\.name))
        notes += StepMismatch.notes(
            only: baselineValues.keys.filter { !candidateNames.contains($0) }.sorted(), in: baseline.runs.first?.name ?? "the baseline",
            against: candidateNames.filter { baselineValues[$0] == nil }.sorted(), in: candidate.name)
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
