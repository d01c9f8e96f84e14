import KFPModel
import KFPReports

/// One report (a run, the runs list, a comparison, a gate…) as every output format needs it, computed once: a
/// document for the human formats, the documented JSON and CSV shapes, and checks for CI formats. A new report
/// conforms once; a new output format renders these and is one new file.
package protocol Report {
    /// The formats this report can be written in.
    static var formats: [OutputFormat] { get }
    /// The report as people read it, for the table, Markdown and HTML renderers.
    func document(_ options: RenderOptions) -> ReportDocument
    /// The documented JSON shape (keys are written sorted).
    var json: JSONOutput { get }
    /// The documented CSV records, the header first.
    var csv: [[String]] { get }
    /// The report as CI test results and annotations (JUnit, GitHub); nil for reports that are not checks.
    func checks(_ options: RenderOptions) -> CheckSuite?
}

extension Report {
    package static var formats: [OutputFormat] { OutputFormat.dataFormats }
    package func checks(_ options: RenderOptions) -> CheckSuite? { nil }
}
