import Foundation

/// Renders a gate report as GitHub Actions workflow commands: `::error` for each failure, `::warning` for each
/// warning, `::notice` for the summary, so that they show as annotations on the run and the PR.
struct GitHubRenderer {
    let options: RenderOptions

    /// Escapes a workflow command's message (GitHub's own rules: `%`, CR and LF).
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Escapes a workflow command's property value (also `:` and `,`).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    func render(_ report: GateReport) -> String {
        var out = ""
        for result in report.resultsWorstFirst where result.level != .ok {
            let command = result.level == .failure || report.failOnWarn ? "error" : "warning"
            let message = "\(result.name): \(result.verdict.rawValue) — \(result.reason); baseline "
                + "\(result.baselineText(options.precision)), candidate \(result.candidateText(options.precision))"
                + (result.change == nil ? "" : ", change \(result.changeText(options.precision))") + "; limit: \(result.limit)"
            out += "::\(command) title=\(Self.escapeProperty("kfpm gate: \(result.name)"))::\(Self.escapeData(message))\n"
        }
        for rule in report.unmatchedRules {
            let command = report.strict ? "error" : "warning"
            out += "::\(command) title=\(Self.escapeProperty("kfpm gate: rules"))::\(Self.escapeData("rule applies to no metric: \(rule)"))\n"
        }
        for note in report.notes {
            out += "::notice title=\(Self.escapeProperty("kfpm gate"))::\(Self.escapeData(note))\n"
        }
        out += "::notice title=\(Self.escapeProperty("kfpm gate"))::\(Self.escapeData(report.summary))\n"
        return out
    }
}
