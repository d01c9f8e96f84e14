import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPStore

/// dvclive's per-step histories and params.yaml, checked against `fixtures/dvclive-params/expected.json`, and the
/// readers' refusals with their places.
struct DvcliveSeriesTests {
    /// The oracle, read with kfpm's own exact JSON parser.
    private func oracle() throws -> [JSONMember] {
        guard case .object(let members) = try JSONParser.parse(try Fixtures.bytes("dvclive-params/expected.json")).value else { return [] }
        return Array(members)
    }

    private func member(_ members: some Sequence<JSONMember>, _ key: String) -> JSONNode? { members.first { $0.key == key }?.value }

    private func ingested() throws -> (any MetricsStore, IngestResult) {
        let store = try StoreFactory.open(.file(path: ":memory:"), for: .write)
        let result = try Ingestor.ingest(
            IngestRequest(experiment: "e", run: "r", paths: [Fixtures.path("dvclive-params")], time: Build.time),
            openStore: { store }, standardInput: { [] })
        return (store, result)
    }

    @Test func everySeriesPointMatchesWhatDvcliveLogged() throws {
        let (store, result) = try ingested()
        #expect(result.outcome == .created(metricCount: 5), "\(result.diagnostics)")
        guard case .object(let series) = member(try oracle(), "series")?.value else { Issue.record("no series"); return }
        let stored = try store.series(experiment: "e", run: "r", metrics: nil)
        #expect(stored.map(\.metric) == series.map(\.key).sorted())
        for entry in series {
            guard case .object(let fields) = entry.value.value, case .array(let points) = member(fields, "points")?.value,
                let found = stored.first(where: { $0.metric == entry.key })
            else {
                Issue.record("\(entry.key) missing")
                continue
            }
            #expect(found.points.count == points.count, "\(entry.key)")
            for (point, expected) in zip(found.points, points) {
                guard case .object(let p) = expected.value, case .number(let step)? = member(p, "step")?.value,
                    case .number(let value)? = member(p, "value")?.value
                else { continue }
                #expect(point.step == Int64(step) && point.value.bitPattern == value.bitPattern, "\(entry.key): \(point)")
                if case .number(let time)? = member(p, "timestamp")?.value {
                    #expect(point.timestamp == Int64(time), "\(entry.key)")
                } else {
                    #expect(point.timestamp == nil, "\(entry.key)")
                }
            }
        }
        // The final values stay metrics.json's: val/acc was last logged at step 4, and that is its value.
        let run = try store.run(experiment: "e", name: "r")
        #expect(run.metric("val/acc")?.value == 0.73 && run.seriesPointCounts["val/acc"] == 3)
    }

    @Test func everyParameterKeepsTheTextWritten() throws {
        let (store, _) = try ingested()
        guard case .object(let params) = member(try oracle(), "params")?.value else { Issue.record("no params"); return }
        let stored = try store.run(experiment: "e", name: "r").params
        #expect(stored.map(\.key) == params.map(\.key).sorted())
        for entry in params {
            guard case .object(let fields) = entry.value.value, let text = member(fields, "text") else { continue }
            let expected: String
            switch text.value {
            case .string(let value): expected = value
            case .array(let items): expected = "[" + items.compactMap { if case .string(let s) = $0.value { s } else { nil } }.joined(separator: ", ") + "]"
            default: expected = "?"
            }
            #expect(stored.first { $0.key == entry.key }?.value == expected, "\(entry.key)")
        }
    }

    // MARK: - Where files are found

    @Test(arguments: [
        ("plots/metrics/train/loss.tsv", "", "train/loss", ""),
        ("dvclive/plots/metrics/val/acc.tsv", "", "val/acc", "dvclive"),
        ("a/b/plots/metrics/lr.tsv", "", "lr", "a/b"),
        ("train/loss.tsv", "x/dvclive/plots/metrics", "train/loss", ""),
        ("metrics/loss.tsv", "x/plots", "loss", ""),
    ])
    func seriesFilesAreNamedByTheirPathBelowPlotsMetrics(_ relative: String, _ root: String, _ metric: String, _ step: String) {
        let found = InputKind.ofFound(relative, root: root)
        #expect(found?.kind == .series(metric: metric) && found?.step == step)
    }

    @Test func otherFilesOfAWalk() {
        #expect(InputKind.ofFound("data/table.tsv", root: ".") == nil)
        #expect(InputKind.ofFound("dvclive/params.yaml", root: ".")?.kind == .params)
        #expect(InputKind.ofFound("dvclive/params.yaml", root: ".")?.step == "dvclive")
        #expect(InputKind.ofFound("dvc.yaml", root: ".") == nil)
        #expect(InputKind.ofGiven("out/plots/metrics/train/loss.tsv") == .series(metric: "train/loss"))
        #expect(InputKind.ofGiven("loss.tsv") == .series(metric: "loss"))
        #expect(InputKind.ofGiven("dvclive/params.yaml") == .params)
    }

    // MARK: - Refusals

    private func seriesErrors(_ text: String) -> [String] {
        SeriesFileReader.read(Array(text.utf8), file: "loss.tsv").diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    @Test func brokenSeriesFilesAreRefusedWithTheirPlace() {
        #expect(seriesErrors("") == ["loss.tsv: error: the file is empty [empty]"])
        #expect(seriesErrors("step\tloss\tother\n0\t1\t2\n").first?.hasPrefix("loss.tsv:1:1: error: the header must name the columns") == true)
        #expect(seriesErrors("loss\n1\n").first?.contains("found 'loss'") == true)
        #expect(seriesErrors("step\tloss\n0\t0.5\n1\n") == ["loss.tsv:3:1: error: expected 2 tab-separated cells (step, loss), found 1 [series-line]"])
        #expect(seriesErrors("step\tloss\n0\t0.5\n1.5\t0.4\n") == ["loss.tsv:3:1: error: the step must be a whole number, found '1.5' [series-step]"])
        #expect(seriesErrors("step\tloss\n0\thigh\n") == ["loss.tsv:2:3: error: the value must be a number, found 'high' [series-value]"])
        #expect(seriesErrors("timestamp\tstep\tloss\nnow\t0\t1\n") == ["loss.tsv:2:1: error: the timestamp must be whole milliseconds, found 'now' [series-timestamp]"])
        #expect(seriesErrors("step\tloss\n0\t1\n\n1\t2\n") == ["loss.tsv:3:1: error: an empty line (each line is one point) [series-line]"])
        #expect(seriesErrors("step\tloss\n0\t1e400\n").first?.contains("found '1e400'") == true)
        #expect(seriesErrors("\u{FEFF}step\tloss\n").first?.contains("byte-order mark") == true)
    }

    @Test func seriesValuesAsPythonWritesThem() {
        let reading = SeriesFileReader.read(Array("loss\tstep\r\nnan\t0\r\ninf\t1\r\n-inf\t2\r\n64\t-3\r\n1e-05\t4\r\n".utf8), file: "f.tsv")
        #expect(reading.diagnostics.isEmpty)
        #expect(reading.points.map(\.step) == [0, 1, 2, -3, 4])
        #expect(reading.points[0].value.isNaN && reading.points[1].value == .infinity && reading.points[2].value == -.infinity)
        #expect(reading.points[3].value == 64 && reading.points[4].value == 1e-05 && reading.points.allSatisfy { $0.timestamp == nil })
    }

    @Test func brokenParameterFilesAreRefusedWithTheirPlace() {
        func errors(_ text: String) -> [String] {
            ParamsFileReader.read(Array(text.utf8), file: "params.yaml").diagnostics.map(\.description)
        }
        #expect(errors("- a\n- b\n") == ["params.yaml:1:1: error: a parameters file is a mapping of names to values, found a list [params-shape]"])
        #expect(errors("lr: 1\nlr: 2\n") == ["params.yaml:2:1: error: invalid YAML: duplicate key 'lr' [yaml-syntax]"])
        #expect(errors("a:\n  b: &x 1\n") == ["params.yaml:2:6: error: invalid YAML: anchors and aliases ('&', '*') are not supported [yaml-syntax]"])
        #expect(errors("\"\\u0007\": 1\n").first?.contains("contains control characters") == true)
        #expect(errors("").isEmpty && errors("# nothing yet\n").isEmpty)
    }

    @Test func aSeriesWithoutAFinalValueGetsItsLastPointAndNaNNeedsTheFlag() throws {
        try withTemporaryFolder { folder in
            let plots = folder.file("out/plots/metrics")
            try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true)
            try Data("step\tacc\n0\t0.5\n1\t0.75\n".utf8).write(to: URL(fileURLWithPath: plots + "/acc.tsv"))
            try Data("step\tloss\n0\t1\n1\tnan\n".utf8).write(to: URL(fileURLWithPath: plots + "/loss.tsv"))
            let store = try StoreFactory.open(.file(path: ":memory:"), for: .write)
            let request = IngestRequest(experiment: "e", run: "r", paths: [folder.file("out")], time: Build.time)
            let refused = try Ingestor.ingest(request, openStore: { store }, standardInput: { [] })
            #expect(refused.outcome == nil)
            #expect(refused.diagnostics.contains { $0.description.hasSuffix("loss.tsv:3:1: error: metric 'loss' is in no metrics file, and its last point, its final value, is NaN; pass --allow-nonfinite to store non-finite values [non-finite]") })
            var allowed = request
            allowed.options.allowNonFinite = true
            let stored = try Ingestor.ingest(allowed, openStore: { store }, standardInput: { [] })
            #expect(stored.outcome == .created(metricCount: 2))
            #expect(try store.run(experiment: "e", name: "r").metric("acc")?.value == 0.75)
        }
    }
}
