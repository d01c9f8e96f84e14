import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// Golden files for `kfpm show` in every format, from real fixtures ingested at a fixed time.
struct ShowRenderTests {
    /// A run built from two real fixtures (KFP v1 with PERCENTAGE, KFP v2 executor output) plus a label.
    static func fixtureRun(_ backend: StoreBackend = .sqlite) throws -> StoredRun {
        let store = try backend.make()
        let request = IngestRequest(
            experiment: "demo", run: "run-42",
            paths: [Fixtures.path("kfp-v1/accuracy.json"), Fixtures.path("kfp-v2/executor_output.json")],
            labels: [Label(key: "branch", value: "main"), Label(key: "commit", value: "=HYPERLINK(\"x\")")],
            time: Date(timeIntervalSince1970: 1_790_000_000))
        let result = try Ingestor.ingest(request, openStore: { store }, standardInput: { [] })
        #expect(result.outcome == .created(metricCount: 9))
        var run = try store.run(experiment: "demo", name: "run-42")
        // Paths are machine-specific; keep them relative to the repository.
        run.sources = run.sources.map {
            var source = $0
            source.path = source.path.replacingOccurrences(of: Fixtures.repositoryRoot.path + "/", with: "")
            return source
        }
        return run
    }

    static let goldenFiles: [(OutputFormat, String)] = [
        (.table, "show.table.txt"), (.json, "show.json"), (.csv, "show.csv"), (.markdown, "show.md"), (.html, "show.html"),
    ]

    /// Every format, on every backend: the output must not depend on the store.
    @Test(arguments: goldenFiles, StoreBackend.all)
    func showMatchesGolden(_ golden: (OutputFormat, String), _ backend: StoreBackend) throws {
        let (format, golden) = golden
        let text = format.render(try Self.fixtureRun(backend), options: RenderOptions())
        let mismatch = Golden.mismatch(text, file: golden)
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func csvNeutralisesFormulasButNotNumbers() {
        #expect(CSVText.field("=1+1") == "'=1+1")
        #expect(CSVText.field("@cmd") == "'@cmd")
        #expect(CSVText.field("-0.5") == "-0.5")
        #expect(CSVText.field("-Infinity") == "-Infinity")
        #expect(CSVText.field("+x") == "'+x")
        #expect(CSVText.field("a,\"b\"") == "\"a,\"\"b\"\"\"")
        #expect(CSVText.record(["a", "b\nc"]) == "a,\"b\nc\"\r\n")
    }

    @Test func valuesShowTheKFPWay() {
        #expect(ValueText.display(0.9, format: .percentage, precision: 3) == "90.000%")
        #expect(ValueText.display(0.12341234, format: .percentage, precision: 3) == "12.341%")
        #expect(ValueText.display(0.1234, format: .raw, precision: 3) == "0.123")
        #expect(ValueText.display(-0.0001, format: .raw, precision: 3) == "-1.000e-04")
        #expect(ValueText.display(0.0005, format: .raw, precision: 3) == "0.001")
        #expect(ValueText.display(0, format: .raw, precision: 3) == "0.000")
        #expect(ValueText.display(.nan, format: .raw, precision: 3) == "NaN")
        #expect(ValueText.exact(0.1 + 0.2) == "0.30000000000000004")
        #expect(ValueText.exact(5e-324) == "5e-324")
    }

    @Test func jsonEscapesAndSortsKeys() {
        let text = JSONOutput.object(["b": .number(.infinity), "a": .string("q\"\n\u{01}")]).serialized()
        #expect(text == "{\n  \"a\": \"q\\\"\\n\\u0001\",\n  \"b\": \"Infinity\"\n}\n")
    }

    @Test func barsAndSparklines() {
        #expect(Blocks.bar(1) == "████████")
        #expect(Blocks.bar(0) == "▏       ", "a present value always gets a bar")
        #expect(Blocks.bar(0.5) == "████    ")
        #expect(Blocks.bar(1.0 / 16) == "▌       ")
        #expect(Blocks.sparkline([1, 2, 3, .nan, 8]) == "▁▂▃ █")
        #expect(Blocks.sparkline([2, 2]) == "▄▄")
    }
}
