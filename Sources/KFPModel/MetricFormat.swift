/// How a metric's value is meant to be shown, as KFP v1 defines it (`RunMetric.Format`).
///
/// The raw values are KFP's own enum numbers, which is also how the store keeps them.
package enum MetricFormat: Int, Sendable, CaseIterable, Codable {
    /// No format given; KFP shows it like `raw`.
    case unspecified = 0
    /// A plain number, shown with three decimals.
    case raw = 1
    /// A fraction, shown times 100 with a `%` sign: 0.9 is `90.000%`.
    case percentage = 2

    /// KFP's name for the format: `UNSPECIFIED`, `RAW` or `PERCENTAGE`.
    package var name: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .raw: "RAW"
        case .percentage: "PERCENTAGE"
        }
    }

    /// Parses KFP's name for a format (exact, upper case, as protojson does).
    package init?(name: String) {
        guard let format = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = format
    }
}
