/// What every gate renderer shows of a result: values the KFP way, the change, in the order people read.
extension GateReport {
    /// Results worst first (failures, warnings, then the rest), then by name: for reports people read.
    package var resultsWorstFirst: [MetricResult] {
        results.enumerated().sorted { a, b in
            (b.element.level.rawValue, a.offset) < (a.element.level.rawValue, b.offset)
        }.map(\.element)
    }

    /// `run-41` or `window:10:branch=main (10 runs: run-41, …)`.
    package var baselineDescription: String {
        if baselineRuns.isEmpty { return "none found for \(baselineSelector)" }
        if baselineRuns.count == 1 {
            let name = baselineRuns[0].name
            return name == baselineSelector ? name : "\(name) (\(baselineSelector))"
        }
        let names = baselineRuns.prefix(5).map(\.name).joined(separator: ", ")
        return "\(baselineSelector) (\(baselineRuns.count) runs: \(names)\(baselineRuns.count > 5 ? ", …" : ""))"
    }
}

extension MetricResult {
    /// The baseline value shown the KFP way (a window's median), or `-`.
    func baselineText(_ precision: Int) -> String {
        baseline.map { ValueText.display($0, format: format, precision: precision) } ?? "-"
    }

    func candidateText(_ precision: Int) -> String {
        candidate.map { ValueText.display($0, format: format, precision: precision) } ?? "-"
    }

    /// `-2.000pp (-2.19%)`, or empty without a change.
    func changeText(_ precision: Int) -> String {
        guard let change else { return "" }
        let relative = ValueText.relative(change)
        return ValueText.change(change, format: format, precision: precision) + (relative.isEmpty ? "" : " (\(relative))")
    }
}
