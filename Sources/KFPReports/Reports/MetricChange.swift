import KFPModel

/// How one run's value of a metric moved against the baseline's.
package struct MetricChange: Sendable, Equatable {
    /// candidate − baseline.
    package var absolute: Double
    /// (candidate − baseline) / |baseline|, as a fraction; nil when the baseline is 0 or not finite.
    package var relative: Double?
    /// For PERCENTAGE metrics, the change in percentage points ((candidate − baseline) × 100); nil otherwise.
    package var percentagePoints: Double?
    /// Better or worse by the metric's direction; nil when unchanged or not comparable.
    package var verdict: Verdict

    package enum Verdict: String, Sendable {
        case better, worse, unchanged
        /// A value is NaN or infinite, so better or worse cannot be said.
        case incomparable
    }

    /// The change from `baseline` to `value` for a metric of this format and direction. The amounts are rounded
    /// to the 15 significant digits the values themselves hold, so that 0.9134 → 0.8934 is a change of -0.02 and
    /// -2pp, not -0.020000000000000018 (the values stay exact; only what is computed from them is rounded).
    package init(from baseline: Double, to value: Double, format: MetricFormat, direction: Direction) {
        let difference = value - baseline
        let scale = Swift.max(abs(baseline), abs(value))
        absolute = NumberText.rounded(difference, atPrecisionOf: scale)
        relative =
            baseline.isFinite && value.isFinite && baseline != 0
            ? NumberText.rounded(difference / abs(baseline), atPrecisionOf: scale / abs(baseline)) : nil
        percentagePoints =
            format == .percentage && difference.isFinite ? NumberText.rounded(difference * 100, atPrecisionOf: scale * 100) : nil
        if !baseline.isFinite || !value.isFinite {
            verdict = baseline.bitPattern == value.bitPattern || (baseline.isNaN && value.isNaN) ? .unchanged : .incomparable
        } else {
            switch direction.isBetter(value, than: baseline) {
            case nil: verdict = .unchanged
            case true?: verdict = .better
            case false?: verdict = .worse
            }
        }
    }
}
