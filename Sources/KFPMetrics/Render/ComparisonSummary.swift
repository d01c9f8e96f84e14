/// One summary line per compared run, shared by the table, Markdown and JSON renderers.
package enum ComparisonSummary {
    /// `run-42 vs run-41: 3 better, 1 worse, 5 unchanged, 1 added, 0 removed`.
    package static func lines(_ comparison: Comparison) -> [String] {
        comparison.runs.indices.dropFirst().map { index in
            let c = comparison.counts(run: index)
            var text = "\(comparison.runs[index].name) vs \(comparison.runs[0].name): \(c["better"] ?? 0) better, "
                + "\(c["worse"] ?? 0) worse, \(c["unchanged"] ?? 0) unchanged, \(c["added"] ?? 0) added, "
                + "\(c["removed"] ?? 0) removed"
            if let n = c["incomparable"], n > 0 { text += ", \(n) not comparable (NaN or infinite)" }
            return text
        }
    }
}
