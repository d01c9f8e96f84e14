import Foundation
import KFPMTestSupport
import Testing

@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// The HTML page: `kfpm report`'s goldens, the Content-Security-Policy's hashes, escaping, determinism and size,
/// and the pieces under it (SHA-256, axis ticks, the SVG chart). Every other report's page is a golden of
/// ReadRenderTests, GateRenderTests and ShowRenderTests; the browser opens them all (KFPMCLITests/BrowserTests).
struct HTMLRenderTests {
    // MARK: - Stores and reports

    /// Experiment `trend`: 16 runs an hour apart, `branch=main` on every third, with accuracy (PERCENTAGE; NaN in
    /// run-5, missing from run-9), val-loss and latency-ms.
    static func trendStore(backend: StoreBackend = .sqlite) throws -> any MetricsStore {
        let store = try backend.make()
        for i in 0..<16 {
            var metrics: [(String, Double, MetricFormat)] = [
                ("val-loss", 0.62 - Double(i) * 0.025 + Double((i * 3) % 4) * 0.012, .raw),
                ("latency-ms", 40 + Double((i * 7) % 5) * 1.5 + Double(i) * 0.4, .raw),
            ]
            if i != 9 { metrics.append(("accuracy", i == 5 ? .nan : 0.81 + Double(i) * 0.006 + Double((i * 7) % 5) * 0.004, .percentage)) }
            let ingest = Build.ingest(
                "run-\(i)", Build.metrics(metrics), labels: [Label(key: "branch", value: i % 3 == 0 ? "main" : "feature")],
                experiment: "trend", time: Date(timeIntervalSince1970: 1_790_000_000 + Double(i) * 3600))
            _ = try store.ingest(ingest, replace: false)
        }
        return store
    }

    /// The report of experiment `trend`: every run, a comparison of the last two, and a gate of the last against
    /// the latest `main` run.
    static func trendReport(backend: StoreBackend = .sqlite) throws -> ExperimentReport {
        let store = try trendStore(backend: backend)
        let top = TopMetrics(experiment: "trend", statistics: try store.metricStatistics(experiment: "trend"), directions: DirectionPolicy(), limit: nil)
        let page = try store.runs(RunQuery(experiment: "trend", limit: 100, metrics: .named(top.entries.map(\.statistics.name))))
        let runs = RunList(experiment: "trend", page: page, showLabels: true)
        let compared = try ["run-14", "run-15"].map { try store.run(experiment: "trend", name: $0) }
        let candidate = try store.run(experiment: "trend", name: "run-15")
        let baseline = try Baseline.find(.latest(Label(key: "branch", value: "main")), for: candidate, in: store)
        let rules = GateRuleSet(rules: [try RulesParser.parseInline("accuracy:fail=1pp"), try RulesParser.parseInline("*:warn=5%")])
        let gate = try GateEvaluator.evaluate(candidate: candidate, baseline: baseline, rules: rules, options: GateEvaluator.Options())
        return ExperimentReport(
            experiment: "trend", runs: runs, top: top, comparison: Comparison(runs: compared, directions: DirectionPolicy()),
            gate: gate)
    }

    /// The report of the golden store's experiment `demo`, with the comparison and the gate of the other goldens.
    static func demoReport(backend: StoreBackend = .sqlite) throws -> ExperimentReport {
        let store = try GoldenStore.make(backend)
        let top = TopMetrics(experiment: "demo", statistics: try store.metricStatistics(experiment: "demo"), directions: DirectionPolicy(), limit: 20)
        let page = try store.runs(RunQuery(experiment: "demo", limit: 100, metrics: .named(top.entries.map(\.statistics.name))))
        let runs = RunList(experiment: "demo", page: page, showLabels: false)
        let compared = try ["run-41", "run-42"].map { try store.run(experiment: "demo", name: $0) }
        return ExperimentReport(
            experiment: "demo", runs: runs, top: top, comparison: Comparison(runs: compared, directions: DirectionPolicy()),
            gate: try GateRenderTests.report(backend: backend))
    }

    /// A report as its page.
    static func page(_ report: ExperimentReport, options: RenderOptions = RenderOptions()) -> String {
        OutputFormat.html.render(document: report.document(options), options: options)
    }

    // MARK: - Goldens

    @Test(arguments: StoreBackend.all)
    func reportPagesMatchTheirGoldens(_ backend: StoreBackend) throws {
        for (file, report) in [("report.html", try Self.demoReport(backend: backend)), ("report-trend.html", try Self.trendReport(backend: backend))] {
            let mismatch = Golden.mismatch(Self.page(report), file: file)
            #expect(mismatch == nil, "\(mismatch ?? "")")
        }
    }

    // MARK: - The page's promises

    /// The hashes in the policy are those of the exact style and script on the page, and nothing else may load.
    @Test func contentSecurityPolicyHashesTheInlineStyleAndScript() throws {
        let page = Self.page(try Self.trendReport())
        let head = try #require(page.components(separatedBy: "<head>\n").dropFirst().first)
        #expect(head.hasPrefix("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"))
        func between(_ open: String, _ close: String) throws -> String {
            let start = try #require(page.range(of: open))
            let end = try #require(page.range(of: close, range: start.upperBound..<page.endIndex))
            return String(page[start.upperBound..<end.lowerBound])
        }
        let policy = try between("Content-Security-Policy\" content=\"", "\"")
        let style = try between("<style>", "</style>")
        let script = try between("<script>", "</script>")
        #expect(policy.contains("style-src 'sha256-\(SHA256.base64Digest(of: style))'"))
        #expect(policy.contains("script-src 'sha256-\(SHA256.base64Digest(of: script))'"))
        #expect(!policy.contains("unsafe"))
        #expect(page.components(separatedBy: "<script").count == 2, "one script")
        #expect(!page.contains(" style=\"") && !page.contains(" onclick="), "no inline style or handler attributes")
        for remote in ["http:", "https:", "src=\"", "href=\"", "url("] { #expect(!page.contains(remote), "\(remote)") }
    }

    /// Names, labels and values are text, wherever they are shown: a table cell, a chart's tooltip and labels, a
    /// title, a caption.
    @Test func everyNameLabelAndValueIsEscaped() throws {
        let store = try StoreBackend.sqlite.make()
        let hostile = "<script>alert(\"x\")</script>"
        for (i, run) in [hostile, "run-2"].enumerated() {
            let ingest = Build.ingest(
                run, Build.metrics([("<img src=x onerror=alert(1)>", Double(i), .raw), ("a&b", 0.5, .percentage)]),
                labels: [Label(key: "note", value: "<b onmouseover='alert(2)'>\"q\"</b>")], experiment: "<e>",
                time: Date(timeIntervalSince1970: Double(i) * 60))
            _ = try store.ingest(ingest, replace: false)
        }
        let request = ReportRequest(experiment: "<e>", showLabels: true, compare: [hostile, "run-2"])
        let page = Self.page(try ReportRun.run(request) { store })
        #expect(!page.contains("<script>alert"))
        #expect(!page.contains("<img"))
        #expect(!page.contains("<b "))
        #expect(!page.contains("<e>"))
        #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(page.contains("a&amp;b"))
        #expect(page.contains("<title>kfpm report · experiment &lt;e&gt;</title>"))
        #expect(XMLText.escape("a\nb\"<'>&\u{01}") == "a&#10;b&quot;&lt;&apos;&gt;&amp;\u{FFFD}")
        #expect(XMLText.escape("a\nb", lineFeeds: true) == "a\nb")
    }

    /// The same store gives the same page: no time unless asked, no path of this machine.
    @Test func pagesAreDeterministicAndCarryNoTimeOrPath() throws {
        let first = Self.page(try Self.trendReport())
        #expect(first == Self.page(try Self.trendReport()))
        #expect(!first.contains(Fixtures.repositoryRoot.path))
        #expect(!first.contains(FileManager.default.temporaryDirectory.path))
        #expect(!first.contains("generated"))
        var stamped = try Self.trendReport()
        stamped.generatedAt = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Self.page(stamped).contains("<dt>generated</dt><dd>2027-01-15T08:00:00.000Z</dd>"))
    }

    /// 100 runs × 20 metrics, each run labelled: the runs table with 20 metric columns, 20 charts of 100 points.
    @Test func aReportOf100RunsBy20MetricsIsUnder300KB() throws {
        let store = try StoreBackend.sqlite.make()
        let names = (0..<20).map { String(format: "metric-%02d", $0) }
        for i in 0..<100 {
            let metrics = names.enumerated().map { k, name in
                (name, Double((i * 37 + k * 11) % 97) / 97, k < 5 ? MetricFormat.percentage : .raw)
            }
            let ingest = Build.ingest(
                String(format: "run-%07d", i), Build.metrics(metrics),
                labels: [Label(key: "branch", value: i % 10 == 0 ? "main" : "feature")], experiment: "bench",
                time: Date(timeIntervalSince1970: Double(i) * 60))
            _ = try store.ingest(ingest, replace: false)
        }
        let page = Self.page(try ReportRun.run(ReportRequest(experiment: "bench")) { store })
        #expect(page.components(separatedBy: "<path d=\"M").count - 1 + page.components(separatedBy: "<path class=\"best\"").count - 1 == 2000)
        #expect(page.utf8.count < 300_000, "\(page.utf8.count) bytes")
    }

    // MARK: - SHA-256, ticks, charts

    @Test func sha256MatchesTheStandardVectors() {
        func hex(_ text: String) -> String { SHA256.digest(Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // 55, 56 and 64 bytes: the padding's edge cases.
        #expect(hex(String(repeating: "a", count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(hex(String(repeating: "a", count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(hex(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
        #expect(SHA256.base64Digest(of: "abc") == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }

    @Test func axisTicksAreRoundNumbers() {
        let percent = AxisTicks(low: 89.34, high: 91.34)
        #expect(percent.values == [89, 89.5, 90, 90.5, 91, 91.5])
        #expect(percent.values.map { percent.label($0, percentage: true) } == ["89.0%", "89.5%", "90.0%", "90.5%", "91.0%", "91.5%"])
        #expect(AxisTicks(low: 0, high: 1250).values == [0, 500, 1000, 1500])
        let loss = AxisTicks(low: 0.265, high: 0.31)
        #expect(loss.values.map { loss.label($0, percentage: false) } == ["0.26", "0.28", "0.30", "0.32"])
        let one = AxisTicks(low: 40, high: 40)
        #expect(one.lower < 40 && one.upper > 40)
        let zero = AxisTicks(low: 0, high: 0)
        #expect(zero.values == [-1, -0.5, 0, 0.5, 1])
        #expect(AxisTicks(low: -1e308, high: 1e308).values.count >= 2)
        #expect(AxisTicks(low: 1e-7, high: 3e-7).label(2e-7, percentage: false) == "2e-07")
    }

    /// NaN and missing values are gaps in the line, not points at zero; the best point is marked by direction;
    /// PERCENTAGE ticks and tooltips show %.
    @Test func chartsDrawGapsTheBestPointAndPercentages() {
        let points = [
            Chart.Point("a", 0.90, notes: ["branch=main"]), Chart.Point("b", .nan), Chart.Point("c", 0.92), Chart.Point("d", nil),
            Chart.Point("e", 0.91), Chart.Point("f", 0.93),
        ]
        let chart = Chart(title: "acc", format: .percentage, direction: .higherIsBetter, points: points, caption: "")
        let svg = SVGChart(chart: chart, precision: 3).svg()
        let line = svg.components(separatedBy: "<path class=\"line\" d=\"").dropFirst().first?.prefix { $0 != "\"" } ?? ""
        #expect(line.filter { $0 == "M" }.count == 3, "a; c; e-f: \(line)")
        #expect(line.filter { $0 == "L" }.count == 1)
        #expect(svg.components(separatedBy: "<title>").count - 1 == 4)
        #expect(svg.contains("<title>a\n90.000%\nbranch=main</title>"))
        #expect(svg.contains("<path class=\"best\" d=\"M") && svg.contains("<title>f\n93.000%\nbest</title>"))
        #expect(svg.contains(">90%</text>") && svg.contains(">93%</text>"))
        #expect(!svg.contains(">0%</text>"), "the axis is not stretched to zero")
        var lower = chart
        lower.direction = .lowerIsBetter
        #expect(lower.bestIndex == 0)
        lower.direction = nil
        #expect(lower.bestIndex == nil)
        let empty = SVGChart(chart: Chart(title: "x", format: .raw, direction: .higherIsBetter, points: [Chart.Point("a", .nan)], caption: ""), precision: 3).svg()
        #expect(empty.contains("no finite values") && !empty.contains("class=\"line\""))
        #expect(Chart.caption(points, format: .percentage, precision: 1) == "min 90.0% · max 93.0% · last 93.0% (f)")
    }
}
