import KFPModel

// MARK: - What a run has beside its metrics

/// What a run has beside its metrics, kept in its row (`run.extras`, the same bits in every backend) so that
/// reading a run skips the lookups of what it lacks.
struct RunExtras: OptionSet {
    let rawValue: Int64

    static let params = RunExtras(rawValue: 1)
    static let series = RunExtras(rawValue: 2)

    init(rawValue: Int64) { self.rawValue = rawValue }

    /// What an ingest has.
    init(_ ingest: RunIngest) {
        self = []
        if !ingest.params.isEmpty { insert(.params) }
        if !ingest.series.isEmpty { insert(.series) }
    }
}
