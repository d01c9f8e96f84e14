import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Round tick values for a chart's value axis: steps of 1, 2 or 5 times a power of ten, from a multiple of the step
/// at or below the lowest value to one at or above the highest (`0.8934…0.9134` as PERCENTAGE: 89%, 89.5%, … 91.5%).
package struct AxisTicks: Sendable, Equatable {
    /// The axis' ends (the first and last tick).
    package var lower: Double
    package var upper: Double
    /// The distance between ticks.
    package var step: Double
    /// The decimals a tick label needs to tell the ticks apart.
    package var decimals: Int

    /// Ticks for values from `low` to `high` (finite, `low <= high`), about `count` of them.
    package init(low: Double, high: Double, count: Int = 5) {
        var (low, high) = (low, high)
        if high == low {
            // One value: a band around it, so that it sits mid-axis.
            let pad = low == 0 ? 1 : abs(low) * 0.05
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / Double(max(1, count - 1))
        guard raw.isFinite, raw > 0 else {
            // Too wide for doubles (near ±1.8e308): the two ends alone.
            (lower, upper, step, decimals) = (low, high, high - low, 0)
            return
        }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        step = (residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10) * magnitude
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
        decimals = max(0, -Int((log10(step)).rounded(.down)))
    }

    /// The tick values, lowest first.
    package var values: [Double] {
        guard step > 0, step.isFinite else { return [lower, upper] }
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// A tick's label in display units (`90%` for PERCENTAGE ticks already × 100); very large or small
    /// magnitudes in short scientific form.
    package func label(_ value: Double, percentage: Bool) -> String {
        let text =
            decimals > 6 || abs(value) >= 1e9 ? NumberText.compact(value) : ValueText.fixed(value, precision: decimals)
        return text + (percentage ? "%" : "")
    }
}
