import Foundation
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// The gate's decisions, table-driven: every rule kind, direction, pp vs %, window noise, missing/new/NaN.
struct GateEvaluatorTests {
    private func evaluate(
        _ candidate: StoredRun, _ baseline: [StoredRun], _ rules: [String], window: Bool = false,
        options: GateEvaluator.Options = GateEvaluator.Options(), defaultRule: String? = nil, onMissing: MissingPolicy = .fail
    ) throws -> GateReport {
        var set = GateRuleSet(rules: try rules.map { try RulesParser.parseInline($0) }, onMissing: onMissing)
        if let defaultRule { set.defaultRule = try RulesParser.parseInline("*:" + defaultRule) }
        let selector: BaselineSelector = window ? .window(baseline.count, nil) : .run(baseline.first?.name ?? "b")
        return try GateEvaluator.evaluate(
            candidate: candidate, baseline: Baseline(selector: selector, runs: baseline), rules: set, options: options)
    }

    /// One case: baseline value, candidate value, format, rule, expected verdict.
    struct Case: Sendable, CustomStringConvertible {
        var metric: String
        var base: Double
        var value: Double
        var format: MetricFormat
        var rule: String
        var verdict: GateVerdict
        var description: String { "\(metric) \(base)→\(value) [\(rule)] = \(verdict)" }
    }

    static let cases: [Case] = [
        // Percentage points on a PERCENTAGE metric: 2 points lost against a 1pp fail limit.
        Case(metric: "accuracy", base: 0.92, value: 0.90, format: .percentage, rule: "fail=1pp", verdict: .fail),
        Case(metric: "accuracy", base: 0.92, value: 0.915, format: .percentage, rule: "fail=1pp,warn=0.25pp", verdict: .warn),
        Case(metric: "accuracy", base: 0.92, value: 0.918, format: .percentage, rule: "fail=1pp,warn=0.25pp", verdict: .pass),
        Case(metric: "accuracy", base: 0.92, value: 0.91, format: .percentage, rule: "fail=1pp", verdict: .pass),  // exactly 1pp
        Case(metric: "accuracy", base: 0.92, value: 0.95, format: .percentage, rule: "fail=1pp", verdict: .improved),
        // Relative: 2% of the baseline.
        Case(metric: "accuracy", base: 0.50, value: 0.489, format: .raw, rule: "fail=2%", verdict: .fail),
        Case(metric: "accuracy", base: 0.50, value: 0.491, format: .raw, rule: "fail=2%", verdict: .pass),
        // Absolute amounts; lower is better for a loss (inferred), so a rise is a regression.
        Case(metric: "val_loss", base: 0.30, value: 0.36, format: .raw, rule: "fail=0.05", verdict: .fail),
        Case(metric: "val_loss", base: 0.30, value: 0.20, format: .raw, rule: "fail=0.05", verdict: .improved),
        Case(metric: "val_loss", base: 0.30, value: 0.34, format: .raw, rule: "fail=0.05,warn=0.01", verdict: .warn),
        // The rule's direction beats the name.
        Case(metric: "val_loss", base: 0.30, value: 0.20, format: .raw, rule: "direction=higher,fail=0.05", verdict: .fail),
        Case(metric: "latency", base: 100, value: 125, format: .raw, rule: "fail=20%", verdict: .fail),
        Case(metric: "latency", base: 100, value: 115, format: .raw, rule: "fail=20%", verdict: .pass),
        // Absolute bounds, with or without a baseline change.
        Case(metric: "accuracy", base: 0.80, value: 0.79, format: .raw, rule: "min=0.8", verdict: .fail),
        Case(metric: "latency", base: 100, value: 90, format: .raw, rule: "max=80", verdict: .fail),
        Case(metric: "accuracy", base: 0.80, value: 0.85, format: .raw, rule: "min=0.8,max=0.9", verdict: .improved),
        // A non-finite candidate always fails.
        Case(metric: "accuracy", base: 0.80, value: .nan, format: .raw, rule: "fail=1", verdict: .fail),
        Case(metric: "accuracy", base: 0.80, value: .infinity, format: .raw, rule: "min=0", verdict: .fail),
        // A NaN baseline cannot vouch for anything: a warning, never a silent pass.
        Case(metric: "accuracy", base: .nan, value: 0.80, format: .raw, rule: "fail=1", verdict: .warn),
    ]

    @Test(arguments: cases)
    func verdicts(_ c: Case) throws {
        let report = try evaluate(
            Build.storedRun("cand", [(c.metric, c.value, c.format)]), [Build.storedRun("base", [(c.metric, c.base, c.format)])],
            ["\(c.metric):\(c.rule)"])
        #expect(report.results.first?.verdict == c.verdict, "\(report.results.first.map { "\($0.verdict): \($0.reason)" } ?? "")")
        #expect(report.passed == (c.verdict != .fail))
    }

    @Test func reportNamesMetricValuesChangeAndLimit() throws {
        let report = try evaluate(
            Build.storedRun("run-42", [("accuracy", 0.90, .percentage)]), [Build.storedRun("run-41", [("accuracy", 0.92, .percentage)])],
            ["accuracy:fail=1pp"])
        let result = try #require(report.results.first)
        #expect(result.verdict == .fail)
        #expect(result.baseline == 0.92 && result.candidate == 0.90)
        #expect(abs((result.change?.percentagePoints ?? 0) + 2) < 1e-9)
        #expect(result.limit == "fail if worse by > 1pp (0.01)")
        #expect(result.reason == "worse by 2pp, more than 1pp")
        #expect(report.exitCode == 1)
        #expect(report.summary == "gate FAILED: 1 fail, 0 warn, 0 missing (run-42 vs run-41)")
    }

    @Test func missingMetricsFollowThePolicy() throws {
        let candidate = Build.storedRun("c", [("a", 1, .raw)])
        let baseline = [Build.storedRun("b", [("a", 1, .raw), ("gone", 1, .raw)])]
        #expect(try evaluate(candidate, baseline, []).results.first { $0.name == "gone" }?.verdict == .missing)
        #expect(try evaluate(candidate, baseline, []).passed == false)
        #expect(try evaluate(candidate, baseline, [], onMissing: .warn).passed == true)
        #expect(try evaluate(candidate, baseline, [], onMissing: .ignore).results.allSatisfy { $0.level == .ok })
        #expect(try evaluate(candidate, baseline, ["gone:on_missing=ignore"]).passed == true)
        var failOnWarn = GateEvaluator.Options()
        failOnWarn.failOnWarn = true
        #expect(try evaluate(candidate, baseline, [], options: failOnWarn, onMissing: .warn).passed == false)
    }

    @Test func newMetricsAreReportedAndBoundsStillApply() throws {
        let candidate = Build.storedRun("c", [("a", 1, .raw), ("fresh", 5, .raw)])
        let baseline = [Build.storedRun("b", [("a", 1, .raw)])]
        let report = try evaluate(candidate, baseline, [])
        #expect(report.results.first { $0.name == "fresh" }?.verdict == .new)
        #expect(report.passed)
        #expect(try evaluate(candidate, baseline, ["fresh:max=4"]).results.first { $0.name == "fresh" }?.verdict == .fail)
    }

    @Test func windowMedianAndNoise() throws {
        // Ten baseline runs around 0.900 with a spread of a few thousandths.
        let values = [0.900, 0.903, 0.897, 0.901, 0.899, 0.904, 0.896, 0.902, 0.898, 0.900]
        let window = values.enumerated().map { Build.storedRun("r\($0.offset)", [("accuracy", $0.element, .percentage)]) }
        #expect(Statistics.median(values) == 0.900)
        let sigma = try #require(Statistics.robustSigma(values))
        #expect(abs(sigma - 1.4826 * 0.002) < 1e-12)
        // 0.3 points down is inside 3σ (≈0.89 points): passes even though it is past a 0.1pp fail limit.
        let inside = try evaluate(Build.storedRun("c", [("accuracy", 0.897, .percentage)]), window, ["accuracy:sigma=3,fail=0.1pp"], window: true)
        #expect(inside.results.first?.verdict == .pass)
        #expect(inside.results.first?.reason.contains("within the window's noise") == true)
        // 1.5 points down is beyond the noise and past the limit: fails.
        let outside = try evaluate(Build.storedRun("c", [("accuracy", 0.885, .percentage)]), window, ["accuracy:sigma=3,fail=0.1pp"], window: true)
        #expect(outside.results.first?.verdict == .fail)
        // Beyond the noise with no other limit: the noise rule alone fails it.
        let sigmaOnly = try evaluate(Build.storedRun("c", [("accuracy", 0.885, .percentage)]), window, ["accuracy:sigma=3"], window: true)
        #expect(sigmaOnly.results.first?.verdict == .fail)
        #expect(sigmaOnly.results.first?.windowCount == 10)
        // Beyond the noise but better: improved.
        let better = try evaluate(Build.storedRun("c", [("accuracy", 0.95, .percentage)]), window, ["accuracy:sigma=3"], window: true)
        #expect(better.results.first?.verdict == .improved)
    }

    @Test func ppOnANonPercentageMetricIsARuleError() {
        #expect(throws: GateEvaluator.RuleProblems.self) {
            try evaluate(Build.storedRun("c", [("loss", 1, .raw)]), [Build.storedRun("b", [("loss", 1, .raw)])], ["loss:fail=1pp"])
        }
    }

    @Test func firstMatchingRuleWinsAndUnusedRulesAreReported() throws {
        let candidate = Build.storedRun("c", [("accuracy", 0.5, .raw)])
        let baseline = [Build.storedRun("b", [("accuracy", 0.6, .raw)])]
        let report = try evaluate(candidate, baseline, ["acc*:fail=1", "accuracy:fail=0.01", "nothing:fail=1,optional=true"])
        #expect(report.results.first?.verdict == .pass)
        #expect(report.unmatchedRules.count == 2)
        #expect(report.passed)
        var strict = GateEvaluator.Options()
        strict.strict = true
        #expect(try evaluate(candidate, baseline, ["acc*:fail=1", "nothing:fail=1,optional=true"], options: strict).passed == false)
    }

    @Test func aRuleThatMatchesNoMetricIsAnErrorThatSuggestsTheClosestNames() throws {
        let candidate = Build.storedRun("c", [("accuracy-score", 0.5, .raw), ("loss", 1, .raw)])
        let baseline = [Build.storedRun("b", [("accuracy-score", 0.6, .raw), ("old-metric", 1, .raw)])]
        #expect {
            try evaluate(candidate, baseline, ["acuracy-score:fail=1", "zzz:fail=1"])
        } throws: { error in
            let messages = (error as? GateEvaluator.RuleProblems)?.diagnostics.map(\.message) ?? []
            return messages.count == 2 && messages[0].contains("rule 'acuracy-score' matches no metric")
                && messages[0].contains("did you mean accuracy-score?")
                && messages[1].contains("(they have: accuracy-score, loss, old-metric)")
        }
        // A metric only the baseline has counts: the rule is not a typo.
        #expect(try evaluate(candidate, baseline, ["old-metric:fail=1"]).unmatchedRules.isEmpty)
    }

    @Test func defaultRuleCoversUnnamedMetrics() throws {
        let candidate = Build.storedRun("c", [("a", 0.5, .raw), ("b", 0.5, .raw)])
        let baseline = [Build.storedRun("p", [("a", 0.6, .raw), ("b", 0.6, .raw)])]
        #expect(try evaluate(candidate, baseline, []).passed)  // report only
        let report = try evaluate(candidate, baseline, ["a:fail=1"], defaultRule: "fail=5%")
        #expect(report.results.first { $0.name == "a" }?.verdict == .pass)
        #expect(report.results.first { $0.name == "b" }?.verdict == .fail)
    }

    @Test func noBaselineChecksBoundsOnlyAndSaysSo() throws {
        let report = try evaluate(Build.storedRun("c", [("a", 0.5, .raw)]), [], ["a:min=0.6"])
        #expect(report.results.first?.verdict == .fail)
        #expect(report.notes.first?.contains("no baseline run found") == true)
    }

    @Test(arguments: [("0.01", Threshold.absolute(0.01)), ("2%", .relative(percent: 2)), ("1pp", .percentagePoints(1)), (" 0.5 pp", .percentagePoints(0.5))])
    func thresholds(_ text: String, _ expected: Threshold) {
        #expect(Threshold(parsing: text) == expected)
    }

    @Test func badThresholdsAndSelectors() {
        for bad in ["-1", "x", "1pct", "nan", "inf%", ""] { #expect(Threshold(parsing: bad) == nil, "\(bad)") }
        #expect((try? BaselineSelector(parsing: "latest:branch=main")) == .latest(Label(key: "branch", value: "main")))
        #expect((try? BaselineSelector(parsing: "window:10")) == .window(10, nil))
        #expect((try? BaselineSelector(parsing: "window:10:branch=main")) == .window(10, Label(key: "branch", value: "main")))
        #expect((try? BaselineSelector(parsing: "previous")) == .previous)
        #expect((try? BaselineSelector(parsing: "run-41")) == .run("run-41"))
        #expect((try? BaselineSelector(parsing: "window:1")) == nil)
        #expect((try? BaselineSelector(parsing: "latest:branch")) == nil)
    }
}
