import KFPModel
import KFPStore

/// The verdict on one metric.
package enum GateVerdict: String, Sendable, CaseIterable {
    /// Within its limits (or report only).
    case pass
    /// Better than the baseline.
    case improved
    /// Past its warn level: reported, fails only with `--fail-on-warn`.
    case warn
    /// Past its fail level, out of bounds, or not a finite number.
    case fail
    /// In the baseline, not in the candidate (fails, warns or is ignored by `on_missing`).
    case missing
    /// In the candidate, not in the baseline.
    case new
}

/// How much a result weighs in the outcome.
package enum GateLevel: Int, Sendable, Comparable {
    case ok = 0, warning = 1, failure = 2
    package static func < (a: GateLevel, b: GateLevel) -> Bool { a.rawValue < b.rawValue }
}

/// One metric's result: both values, the change, the limit that applied, and why.
package struct MetricResult: Sendable {
    package var name: String
    package var format: MetricFormat
    package var direction: Direction
    package var verdict: GateVerdict
    package var level: GateLevel
    /// The baseline value (the window's median for `window:` baselines); nil when absent.
    package var baseline: Double?
    package var candidate: Double?
    package var change: MetricChange?
    /// For `window:` baselines: the robust standard deviation (1.4826 × MAD) and how many runs had the metric.
    package var noise: Double?
    package var windowCount: Int?
    /// The limit that decided, in words: `fail if worse by > 1pp (0.01)`, `min 0.8`, `report only`.
    package var limit: String
    /// Why the verdict, in words.
    package var reason: String
    /// Where the rule came from, or nil when no rule matched.
    package var rule: String?
    /// Which value of the metric was checked (a rule's `at:`).
    package var at: SeriesPosition = .final
    /// With `at` other than `final`: the steps the candidate's and (a single run) the baseline's values were
    /// taken at; nil for a final value.
    package var candidateStep: Int64?
    package var baselineStep: Int64?
}

/// The whole gate: what was compared, each metric's result, and the outcome.
package struct GateReport: Sendable {
    package var candidate: RunReference
    package var baselineSelector: String
    /// The baseline runs used (one, or the window), newest first; empty when there was none.
    package var baselineRuns: [RunReference]
    package var results: [MetricResult]
    /// Rules that matched no metric of the candidate or baseline.
    package var unmatchedRules: [String]
    /// Things the reader must know: no baseline, strict mode, window size.
    package var notes: [String]
    /// Whether warnings fail the gate.
    package var failOnWarn: Bool
    /// Whether rules matching nothing fail the gate.
    package var strict: Bool

    /// How many results have each verdict.
    package var counts: [GateVerdict: Int] {
        Dictionary(grouping: results, by: \.verdict).mapValues(\.count)
    }

    /// The worst level: failures, or warnings under `--fail-on-warn`, or unmatched rules under `--strict`.
    package var passed: Bool {
        let worst = results.map(\.level).max() ?? .ok
        if worst == .failure { return false }
        if failOnWarn && worst == .warning { return false }
        if strict && !unmatchedRules.isEmpty { return false }
        return true
    }

    /// `0` passed, `1` a regression.
    package var exitCode: Int32 { passed ? 0 : 1 }

    /// One line: `gate FAILED: 1 fail, 1 warn, 3 pass, 1 improved, 0 missing, 1 new (run-42 vs run-41)`.
    package var summary: String {
        let c = counts
        let order: [GateVerdict] = [.fail, .warn, .missing, .pass, .improved, .new]
        let parts = order.filter { [.fail, .warn, .missing].contains($0) || (c[$0] ?? 0) > 0 }.map {
            "\(c[$0] ?? 0) \($0.rawValue)"
        }
        let against = baselineRuns.isEmpty
            ? "no baseline"
            : baselineRuns.count == 1 ? baselineRuns[0].name : "\(baselineSelector) (\(baselineRuns.count) runs)"
        var text = "gate \(passed ? "passed" : "FAILED"): \(parts.joined(separator: ", ")) (\(candidate.name) vs \(against))"
        if !unmatchedRules.isEmpty { text += "; \(unmatchedRules.count) rule(s) matched no metric" }
        return text
    }
}

extension GateReport {
    /// Results worst first (failures, warnings, then the rest), then in their order: for reports people read.
    package var resultsWorstFirst: [MetricResult] {
        results.enumerated().sorted { a, b in
            (b.element.level.rawValue, a.offset) < (a.element.level.rawValue, b.offset)
        }.map(\.element)
    }

    /// `run-41`, or `window:10:branch=main (10 runs: run-41, …)`, or `none found for previous`.
    package var baselineDescription: String {
        if baselineRuns.isEmpty { return "none found for \(baselineSelector)" }
        if baselineRuns.count == 1 {
            let name = baselineRuns[0].name
            return name == baselineSelector ? name : "\(name) (\(baselineSelector))"
        }
        let names = baselineRuns.prefix(5).map(\.name).joined(separator: ", ")
        return "\(baselineSelector) (\(baselineRuns.count) runs: \(names)\(baselineRuns.count > 5 ? ", …" : ""))"
    }
}
