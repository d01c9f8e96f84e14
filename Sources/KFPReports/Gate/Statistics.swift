/// Robust statistics for window baselines.
package enum Statistics {
    /// The median of the values; nil when empty.
    package static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// 1.4826 × the median absolute deviation: a standard deviation that one outlier cannot blow up.
    package static func robustSigma(_ values: [Double]) -> Double? {
        guard let center = median(values) else { return nil }
        return median(values.map { abs($0 - center) }).map { 1.4826 * $0 }
    }
}
