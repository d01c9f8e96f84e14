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

    /// The change from `baseline` to `value` for a metric of this format and direction.
    package init(from baseline: Double, to value: Double, format: MetricFormat, direction: Direction) {
        absolute = value - baseline
        relative = baseline.isFinite && value.isFinite && baseline != 0 ? (value - baseline) / abs(baseline) : nil
        percentagePoints = format == .percentage && absolute.isFinite ? absolute * 100 : nil
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
