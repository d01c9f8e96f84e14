import KFPModel

/// A gate that could not run (no baseline, an unknown run, broken rules): for CI formats, a report that says
/// so — a JUnit document with one errored test case, a GitHub `::error` — so that a CI job's report step finds a
/// valid file instead of an empty one. The command still exits 2.
package struct GateFailure: Report, Sendable {
    /// The candidate as named on the command line.
    package var candidate: String
    /// Why the gate could not run, with every problem found.
    package var message: String

    package init(candidate: String, message: String) {
        self.candidate = candidate
        self.message = message
    }

    package static var formats: [OutputFormat] { OutputFormat.checkFormats }

    package func document(_ options: RenderOptions) -> ReportDocument {
        ReportDocument([ReportBlock(.title("gate · candidate \(candidate) · could not run", markdown: nil)), ReportBlock(.list([[.text(message)]]))])
    }

    package var json: JSONOutput {
        .object(["candidate": .string(candidate), "error": .string(message), "exit_code": .integer(2)])
    }

    package var csv: [[String]] { [["candidate", "error"], [candidate, message]] }

    package func checks(_ options: RenderOptions) -> CheckSuite? {
        CheckSuite(
            name: "kfpm gate", suiteName: "kfpm gate: \(candidate)", properties: [CheckSuite.Property("candidate", candidate)],
            cases: [
                CheckSuite.TestCase(
                    className: "kfpm.gate", name: "gate", problem: CheckSuite.Problem(.error, type: "error", message: message))
            ],
            annotations: [CheckSuite.Annotation(.error, title: "kfpm gate", message: "the gate could not run: \(message)")])
    }
}
