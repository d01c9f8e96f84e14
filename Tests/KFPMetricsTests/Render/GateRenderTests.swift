import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Golden files for the gate report in every format, and the JUnit output read back as XML.
struct GateRenderTests {
    /// run-42 against run-41 of the golden store under fixtures/gate/rules.yaml.
    static func report(failOnWarn: Bool = false, backend: StoreBackend = .sqlite) throws -> GateReport {
        let store = try GoldenStore.make(backend)
        let candidate = try store.run(experiment: "demo", name: "run-42")
        let baseline = try Baseline.find(.latest(Label(key: "branch", value: "main")), for: candidate, in: store)
        let text = String(decoding: try Fixtures.bytes("gate/rules.yaml"), as: UTF8.self)
        var options = GateEvaluator.Options()
        options.failOnWarn = failOnWarn
        return try GateEvaluator.evaluate(
            candidate: candidate, baseline: baseline, rules: RulesParser.parse(text, file: "rules.yaml").rules,
            options: options)
    }

    @Test(arguments: OutputFormat.checkFormats, StoreBackend.all)
    func gateMatchesGolden(_ format: OutputFormat, _ backend: StoreBackend) throws {
        let ending = ["table": "table.txt", "markdown": "md", "junit": "junit.xml", "github": "github.txt"][format.rawValue] ?? format.rawValue
        let text = format.render(try Self.report(backend: backend), options: RenderOptions())
        let mismatch = Golden.mismatch(text, file: "gate.\(ending)")
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func latestWithALabelFindsTheNewestEarlierMatchingRun() throws {
        let report = try Self.report()
        #expect(report.baselineRuns.map(\.name) == ["run-41"])
        #expect(!report.passed)
    }

    /// Collects testcases and failures from JUnit XML.
    final class JUnitReader: NSObject, XMLParserDelegate {
        var testcases: [String] = []
        var failures: [String: String] = [:]
        var suites: [[String: String]] = []
        private var current = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch name {
            case "testsuite": suites.append(attributes)
            case "testcase":
                current = attributes["name"] ?? ""
                testcases.append(current)
            case "failure": failures[current] = attributes["message"] ?? ""
            default: break
            }
        }
    }

    @Test func junitIsWellFormedWithOneTestcasePerMetric() throws {
        let report = try Self.report()
        let xml = OutputFormat.junit.render(report, options: RenderOptions())
        let parser = XMLParser(data: Data(xml.utf8))
        let reader = JUnitReader()
        parser.delegate = reader
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(reader.testcases.sorted() == report.results.map(\.name).sorted())
        #expect(Set(reader.failures.keys) == Set(report.results.filter { $0.level == .failure }.map(\.name)))
        #expect(reader.failures["accuracy-score"]?.contains("worse by 2pp, more than 1pp") == true)
        #expect(reader.suites.first?["failures"] == String(reader.failures.count))
    }

    @Test func junitEscapesHostileNames() {
        let report = GateReport(
            candidate: RunReference(experiment: "e<&>", name: "r\"'"), baselineSelector: "previous", baselineRuns: [],
            results: [
                MetricResult(
                    name: "a<b>&\"c\"\u{01}", format: .raw, direction: .higherIsBetter, verdict: .fail, level: .failure,
                    baseline: nil, candidate: .nan, change: nil, limit: "x", reason: "y]]>", rule: nil)
            ], unmatchedRules: [], notes: [], failOnWarn: false, strict: false)
        let parser = XMLParser(data: Data(OutputFormat.junit.render(report, options: RenderOptions()).utf8))
        let reader = JUnitReader()
        parser.delegate = reader
        #expect(parser.parse())
        #expect(reader.testcases == ["a<b>&\"c\"\u{FFFD}"])
    }

    @Test func githubCommandsEscapeTheirData() throws {
        #expect(GitHubRenderer.escapeData("50%\nx") == "50%25%0Ax")
        #expect(GitHubRenderer.escapeProperty("a:b,c") == "a%3Ab%2Cc")
        let text = OutputFormat.github.render(try Self.report(), options: RenderOptions())
        #expect(text.contains("::error title=kfpm gate%3A accuracy-score::accuracy-score: fail"))
    }
}
