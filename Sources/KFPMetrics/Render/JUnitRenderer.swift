/// Renders a gate report as JUnit XML: one testcase per metric, a `<failure>` for each that fails the gate,
/// so that CI systems show the gate as a test report.
struct JUnitRenderer {
    /// Escapes text for XML attributes and content; characters XML 1.0 cannot hold become U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            case let s where s.value < 0x20 || s.value == 0xFFFE || s.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether a result fails the gate (warnings only under `--fail-on-warn`).
    private func fails(_ result: MetricResult, _ report: GateReport) -> Bool {
        result.level == .failure || (report.failOnWarn && result.level == .warning)
    }

    func render(_ report: GateReport) -> String {
        let strictFailure = report.strict && !report.unmatchedRules.isEmpty
        let tests = report.results.count + (strictFailure ? 1 : 0)
        let failures = report.results.filter { fails($0, report) }.count + (strictFailure ? 1 : 0)
        let suite = "kfpm gate: \(report.candidate.experiment)/\(report.candidate.name) vs \(report.baselineDescription)"
        let className = "kfpm.gate." + report.candidate.experiment
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"kfpm gate\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\">\n"
        out += "  <testsuite name=\"\(Self.escape(suite))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">\n"
        out += "    <properties>\n"
        out += "      <property name=\"candidate\" value=\"\(Self.escape(report.candidate.name))\"/>\n"
        out += "      <property name=\"baseline\" value=\"\(Self.escape(report.baselineSelector))\"/>\n"
        out += "      <property name=\"baseline_runs\" value=\"\(Self.escape(report.baselineRuns.map(\.name).joined(separator: ",")))\"/>\n"
        out += "      <property name=\"summary\" value=\"\(Self.escape(report.summary))\"/>\n"
        out += "    </properties>\n"
        for result in report.results {
            let detail = "verdict: \(result.verdict.rawValue)\nbaseline: \(result.baseline.map(ValueText.exact) ?? "-")\n"
                + "candidate: \(result.candidate.map(ValueText.exact) ?? "-")\n"
                + "change: \(result.change.map { ValueText.exact($0.absolute) } ?? "-")\nlimit: \(result.limit)\nreason: \(result.reason)"
            out += "    <testcase classname=\"\(Self.escape(className))\" name=\"\(Self.escape(result.name))\">\n"
            if fails(result, report) {
                out += "      <failure type=\"\(result.verdict.rawValue)\" message=\"\(Self.escape("\(result.name): \(result.reason) (limit: \(result.limit))"))\">"
                out += Self.escape(detail) + "</failure>\n"
            } else {
                out += "      <system-out>\(Self.escape(detail))</system-out>\n"
            }
            out += "    </testcase>\n"
        }
        if strictFailure {
            out += "    <testcase classname=\"\(Self.escape(className))\" name=\"rules\">\n"
            out += "      <failure type=\"strict\" message=\"\(Self.escape("rules apply to no metric: " + report.unmatchedRules.joined(separator: "; ")))\"/>\n"
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}
