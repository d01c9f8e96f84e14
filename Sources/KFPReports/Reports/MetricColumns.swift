import FoundationEssentials
import KFPModel

/// Which metrics `kfpm runs` shows as columns.
package enum MetricColumns: Sendable, Equatable {
    /// The N most prevalent metrics of the runs shown, then by name (the KFP runs list shows 2).
    case top(Int)
    /// Every metric of the runs shown.
    case all
    /// Names or globs, in the order given; each glob expands to the matching names, sorted.
    case matching([Glob])

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

    /// The column names for these runs.
    package func names(for runs: [StoredRun]) -> [String] {
        var prevalence: [String: Int] = [:]
        for run in runs {
            for metric in run.metrics { prevalence[metric.name, default: 0] += 1 }
        }
        let byPrevalence = prevalence.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
        switch self {
        case .top(let n): return Array(byPrevalence.prefix(n))
        case .all: return byPrevalence
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
}
