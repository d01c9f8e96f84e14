import KFPModel
import KFPStore
import FoundationEssentials

/// An allowed regression: how much worse a metric may get against its baseline.
package enum Threshold: Sendable, Equatable, CustomStringConvertible {
    /// In the metric's own unit: `0.01`.
    case absolute(Double)
    /// A percentage of the baseline's magnitude: `2%`.
    case relative(percent: Double)
    /// Percentage points, for PERCENTAGE metrics (whose values are fractions): `1pp` is 0.01.
    case percentagePoints(Double)

    /// Parses `0.01`, `2%` or `1pp`; the amount must be a finite number ≥ 0.
    package init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        func amount(_ number: Substring) -> Double? {
            guard let value = Double(number.trimmingWhitespace()), value.isFinite, value >= 0 else {
                return nil
            }
            return value
        }
        if trimmed.hasSuffix("pp"), let value = amount(trimmed.dropLast(2)) {
            self = .percentagePoints(value)
        } else if trimmed.hasSuffix("%"), let value = amount(trimmed.dropLast()) {
            self = .relative(percent: value)
        } else if let value = amount(Substring(trimmed)) {
            self = .absolute(value)
        } else {
            return nil
        }
    }

    /// The allowed worsening in the metric's unit, against a baseline value.
    package func allowance(baseline: Double) -> Double {
        switch self {
        case .absolute(let value): value
        case .relative(let percent): percent / 100 * abs(baseline)
        case .percentagePoints(let points): points / 100
        }
    }

    package var description: String {
        switch self {
        case .absolute(let value): NumberText.compact(value)
        case .relative(let percent): "\(NumberText.compact(percent))%"
        case .percentagePoints(let points): "\(NumberText.compact(points))pp"
        }
    }
}

/// What to do when the baseline has a metric the candidate lacks.
package enum MissingPolicy: String, Sendable, CaseIterable {
    case fail, warn, ignore
}

/// One rule of a gate: which metrics it covers and what it allows. Unset fields fall back to the defaults.
package struct GateRule: Sendable, Equatable {
    /// The metric name or glob; `*` for the default rule.
    package var metric: Glob
    package var direction: Direction?
    /// Absolute bounds on the candidate's value (in the metric's unit: a PERCENTAGE metric's 0.8 is 80%).
    package var min: Double?
    package var max: Double?
    /// Allowed regressions against the baseline before a warning, and before a failure.
    package var warn: Threshold?
    package var fail: Threshold?
    /// For `window:` baselines: a change within this many robust standard deviations is noise and passes.
    package var sigma: Double?
    package var onMissing: MissingPolicy?
    /// Which value of the metric is checked, the candidate's and the baseline's alike (`at: best`); nil for the
    /// final value.
    package var at: SeriesPosition?
    /// Where the rule came from, for reports: `rules.yaml:7:5` or `--rule …`.
    package var origin: String
    /// The rule's place in its file, for diagnostics (nil for `--rule`).
    package var place: Diagnostic?
    /// Whether the rule may match no metric (`optional: true`); otherwise a rule that matches nothing, usually a
    /// misspelled name, stops the gate.
    package var optional = false

    package init(
        metric: Glob, direction: Direction? = nil, min: Double? = nil, max: Double? = nil, warn: Threshold? = nil,
        fail: Threshold? = nil, sigma: Double? = nil, onMissing: MissingPolicy? = nil, at: SeriesPosition? = nil,
        origin: String = ""
    ) {
        self.metric = metric
        self.direction = direction
        self.min = min
        self.max = max
        self.warn = warn
        self.fail = fail
        self.sigma = sigma
        self.at = at
        self.onMissing = onMissing
        self.origin = origin
    }

    /// A diagnostic at the rule's place.
    package func diagnostic(_ message: String) -> Diagnostic {
        var diagnostic = place ?? Diagnostic(.error, file: "--rule", message: "")
        diagnostic.message = message
        diagnostic.rule = "rules"
        return diagnostic
    }

    /// Whether the rule checks anything beyond reporting.
    package var hasLimits: Bool { min != nil || max != nil || warn != nil || fail != nil || sigma != nil }
}

/// All the rules of a gate: first match wins; `defaultRule` covers metrics no rule names.
package struct GateRuleSet: Sendable, Equatable {
    package var rules: [GateRule]
    /// For metrics no rule names; nil means report only.
    package var defaultRule: GateRule?
    /// The policy for missing metrics where a rule sets none.
    package var onMissing: MissingPolicy

    package init(rules: [GateRule] = [], defaultRule: GateRule? = nil, onMissing: MissingPolicy = .fail) {
        self.rules = rules
        self.defaultRule = defaultRule
        self.onMissing = onMissing
    }

    /// The rule for a metric: the first whose glob matches, else the default rule.
    package func rule(for name: String) -> GateRule? {
        ruleIndex(for: name).map { rules[$0] } ?? defaultRule
    }

    /// Whether any rule checks a point of a series (`at:` other than `final`), so that series must be read.
    package var needsSeries: Bool { (rules + [defaultRule].compactMap { $0 }).contains { $0.at?.needsSeries == true } }

    /// The index in `rules` of the first rule whose glob matches; nil when only the default applies.
    package func ruleIndex(for name: String) -> Int? {
        rules.firstIndex { $0.metric.matches(name) }
    }
}
