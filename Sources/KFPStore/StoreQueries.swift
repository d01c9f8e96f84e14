import FoundationEssentials
import KFPModel

// MARK: - Experiments

/// One experiment in `kfpm experiments`.
package struct ExperimentSummary: Sendable, Equatable {
    package var name: String
    package var runCount: Int
    /// When its first and latest runs were created; nil without runs.
    package var firstRun: Date?
    package var latestRun: Date?

    package init(name: String, runCount: Int, firstRun: Date?, latestRun: Date?) {
        self.name = name
        self.runCount = runCount
        self.firstRun = firstRun
        self.latestRun = latestRun
    }
}

// MARK: - Runs

/// Which runs `kfpm runs` lists and in what order.
package struct RunQuery: Sendable {
    package var experiment: String
    /// Only runs that pass every one of these label conditions.
    package var filters: [LabelFilter]
    /// Sort by this metric's value (runs without it last); nil sorts newest first.
    package var sortMetric: String?
    /// With `sortMetric`: ascending or descending.
    package var ascending: Bool
    /// At most this many runs; nil for all.
    package var limit: Int?
    /// Only runs created before this run of the same experiment (ties broken by ingest order).
    package var before: RunReference?
    /// Whether to count every matching run (for "20 of 100000"); a baseline lookup does not need it.
    package var countMatching: Bool
    /// Which metrics of the runs to read: `.all`, or only the columns a list shows (`RunPage.columns` says which
    /// they came to), so that listing 100,000 runs holds two metrics of each in memory, not fifty.
    package var metrics: MetricColumns

    package init(
        experiment: String, filters: [LabelFilter] = [], sortMetric: String? = nil, ascending: Bool = false, limit: Int? = nil,
        before: RunReference? = nil, countMatching: Bool = true, metrics: MetricColumns = .all
    ) {
        self.countMatching = countMatching
        self.metrics = metrics
        self.experiment = experiment.nfc
        self.filters = filters
        self.sortMetric = sortMetric?.nfc
        self.ascending = ascending
        self.limit = limit
        self.before = before
    }
}

/// The runs a `RunQuery` selected, in order, with how many matched before the limit.
package struct RunPage: Sendable {
    /// The runs, each with the metrics the query asked for.
    package var runs: [StoredRun]
    package var totalMatching: Int
    /// The metric names `RunQuery.metrics` came to for these runs, in column order.
    package var columns: [String]

    package init(runs: [StoredRun], totalMatching: Int, columns: [String]) {
        self.runs = runs
        self.totalMatching = totalMatching
        self.columns = columns
    }
}

/// Which metrics a list of runs shows as columns (and so which a `RunQuery` reads).
package enum MetricColumns: Sendable, Equatable {
    /// The N most prevalent metrics of the runs shown, then by name (the KFP runs list shows 2).
    case top(Int)
    /// Every metric of the runs shown, most prevalent first.
    case all
    /// Names or globs, in the order given; each glob expands to the matching names of the runs shown, sorted.
    case matching([Glob])
    /// These names exactly, in this order (a name with `*` in it is no glob here).
    case named([String])

    /// Parses `top:N`, `all`, or a comma-separated list of names and globs.
    package init?(parsing text: String) {
        if text == "all" {
            self = .all
        } else if text.hasPrefix("top:") {
            guard let n = Int(text.dropFirst(4)), n >= 0 else { return nil }
            self = .top(n)
        } else {
            let parts = text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            guard !parts.isEmpty else { return nil }
            self = .matching(parts.map(Glob.init))
        }
    }

    /// The names given exactly, when there are only such (no globs, no counting needed); else nil.
    package var literalNames: [String]? {
        var seen = Set<String>()
        switch self {
        case .named(let names): return names.filter { seen.insert($0).inserted }
        case .matching(let globs) where globs.allSatisfy(\.isLiteral):
            return globs.map(\.pattern).filter { seen.insert($0).inserted }
        default: return nil
        }
    }

    /// The column names, from how many of the runs shown have each metric.
    package func names(prevalence: [String: Int]) -> [String] {
        let byPrevalence = { prevalence.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key) }
        switch self {
        case .top(let n): return Array(byPrevalence().prefix(n))
        case .all: return byPrevalence()
        case .named: return literalNames ?? []
        case .matching(let globs):
            var seen = Set<String>()
            var names: [String] = []
            for glob in globs {
                let matches = glob.isLiteral ? [glob.pattern] : prevalence.keys.filter(glob.matches).sorted()
                for name in matches where seen.insert(name).inserted { names.append(name) }
            }
            return names
        }
    }

    /// The column names for these runs (each holding every metric it has).
    package func names(for runs: [StoredRun]) -> [String] {
        var prevalence: [String: Int] = [:]
        for run in runs {
            for metric in run.metrics { prevalence[metric.name, default: 0] += 1 }
        }
        return names(prevalence: prevalence)
    }
}

// MARK: - Labels

/// A label key and value, and how many runs of an experiment have it (`kfpm labels`).
package struct LabelCount: Sendable, Equatable {
    package var key: String
    package var value: String
    package var runCount: Int

    package init(key: String, value: String, runCount: Int) {
        self.key = key
        self.value = value
        self.runCount = runCount
    }
}

// MARK: - Metric statistics

/// A metric across the runs of an experiment (`kfpm top`), as the store aggregates it.
package struct MetricStatistics: Sendable, Equatable {
    package var name: String
    /// The format of its latest value.
    package var format: MetricFormat
    /// How many runs have it (its prevalence).
    package var runCount: Int
    /// Over the finite values; nil when there are none.
    package var min: Double?
    package var minRun: String?
    package var max: Double?
    package var maxRun: String?
    package var mean: Double?
    /// The value of the latest run that has it.
    package var latest: Double
    package var latestRun: String

    package init(
        name: String, format: MetricFormat, runCount: Int, min: Double?, minRun: String?, max: Double?,
        maxRun: String?, mean: Double?, latest: Double, latestRun: String
    ) {
        self.name = name
        self.format = format
        self.runCount = runCount
        self.min = min
        self.minRun = minRun
        self.max = max
        self.maxRun = maxRun
        self.mean = mean
        self.latest = latest
        self.latestRun = latestRun
    }
}

// MARK: - History

/// One run's value of a metric, in `kfpm history`.
package struct HistoryPoint: Sendable, Equatable {
    package var run: String
    package var createdAt: Date
    package var value: Double
    package var format: MetricFormat

    package init(run: String, createdAt: Date, value: Double, format: MetricFormat) {
        self.run = run
        self.createdAt = createdAt
        self.value = value
        self.format = format
    }
}

extension MetricStatistics {
    /// The statistics of a stored row: the mean from the finite sum and count (nil without finite values).
    init(
        name: String, format: MetricFormat, runCount: Int, finiteSum: Double, finiteCount: Int, min: Double?,
        minRun: String?, max: Double?, maxRun: String?, latest: Double, latestRun: String
    ) {
        self.init(
            name: name, format: format, runCount: runCount, min: min, minRun: minRun, max: max, maxRun: maxRun,
            mean: finiteCount > 0 ? finiteSum / Double(finiteCount) : nil, latest: latest, latestRun: latestRun)
    }

    /// `top`'s order, whatever order a backend read them in: most prevalent first, then by name (Swift's order).
    static func inTopOrder(_ statistics: [MetricStatistics]) -> [MetricStatistics] {
        statistics.sorted { ($1.runCount, $0.name) < ($0.runCount, $1.name) }
    }
}

// MARK: - Time

/// How every backend stores a time: integer milliseconds since 1970 (UTC), so that a run reads back, and copies
/// between backends, to the same instant.
enum StoreTime {
    /// A time as stored.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    /// A stored time.
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
