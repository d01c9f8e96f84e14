import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// Checks across the inputs of one invocation: step prefixes and names given twice.
struct IngestPlannerTests {
    private func input(_ path: String, _ text: String, folder: String = "", foundInFolder: Bool = false) -> InputFile {
        InputFile(path: path, folder: folder, bytes: Array(text.utf8), foundInFolder: foundInFolder)
    }

    @Test func stepsPrefixNamesAndKeepSameNamesApart() {
        let plan = IngestPlanner.plan(
            [
                input("train/m.json", #"{"loss": 1}"#, folder: "train", foundInFolder: true),
                input("eval/m.json", #"{"loss": 2}"#, folder: "eval", foundInFolder: true),
            ], step: "p", options: ReadOptions())
        #expect(!plan.hasErrors)
        #expect(plan.metrics.map(\.name) == ["p/train/loss", "p/eval/loss"])
        #expect(plan.sources.map(\.step) == ["p/train", "p/eval"])
    }

    @Test func aNameTwiceAcrossFilesIsAnErrorNamingBothPlaces() {
        let plan = IngestPlanner.plan(
            [input("a.json", #"{"loss": 1}"#), input("b.json", "{\n \"loss\": 2}")], step: nil, options: ReadOptions())
        let errors = plan.diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.description == "b.json:2:10: error: $.loss: metric 'loss' is given twice (first at a.json:1:10) [duplicate-name]")
    }

    @Test func nonMetricsFilesInAFolderAreSkippedWithANote() {
        let plan = IngestPlanner.plan(
            [input("d/m.json", #"{"loss": 1}"#, foundInFolder: true), input("d/pkg.json", #"{"name": "x"}"#, foundInFolder: true)],
            step: nil, options: ReadOptions())
        #expect(!plan.hasErrors)
        #expect(plan.diagnostics.contains { $0.severity == .note && $0.file == "d/pkg.json" })
        // Named on the command line, the same file is an error.
        #expect(IngestPlanner.plan([input("pkg.json", #"{"name": "x"}"#)], step: nil, options: ReadOptions()).hasErrors)
    }
}
