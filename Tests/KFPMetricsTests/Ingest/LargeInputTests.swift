import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPStore

/// Large inputs read through the compact paths (the JSON tape, `MetricList`, hashed duplicate checks, batched
/// writes) give exactly what small ones do.
struct LargeInputTests {
    private func input(_ path: String, _ text: String) -> InputFile {
        InputFile(path: path, folder: "", bytes: Array(text.utf8), foundInFolder: false)
    }

    /// A list of names spelled as given (not normalized), each with the value 1.
    private func list(_ names: some Sequence<String>) -> MetricList {
        var list = MetricList()
        for name in names { list.append(name: name, value: 1, format: .raw) }
        return list
    }

    @Test func namesSortInSQLiteByteOrder() {
        var random = SystemRandomNumberGenerator()
        let pieces = ["metrics/", "m", "m1", "é", "e\u{301}", "\u{0}", "z", "metrics/m", "Z", "10", "9", "/"]
        var names = Set<String>()
        while names.count < 2000 {
            let count = Int.random(in: 1...5, using: &random)
            names.insert((0..<count).map { _ in pieces.randomElement(using: &random) ?? "" }.joined())
        }
        let list = list(names)
        let sorted = list.sortedByNameBytes(Array(list.indices)).map { Array(list.name(at: $0).utf8) }
        func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
        #expect(sorted == names.sorted(by: byteOrder).map { Array($0.utf8) })
        // Names that share a long prefix, and an input already in order, which is returned as it is.
        let long = (0..<500).reversed().map { "metrics/evaluation/m\($0)" }
        let shared = self.list(long)
        let order = shared.sortedByNameBytes(Array(shared.indices)).map { String(shared.name(at: $0)) }
        #expect(order == long.sorted(by: byteOrder))
        #expect(shared.sortedByNameBytes([3, 2, 1]) == [3, 2, 1])
    }

    @Test func aListKeepsNamesAsGivenAndGivesThemInNFC() {
        let names = ["a", "e\u{301}", "\u{212A}", "x/y"]
        let raw = list(names)
        #expect(!raw.isASCII)
        #expect(raw.indices.map { String(raw.name(at: $0)) }.elementsEqual(names) { $0.utf8.elementsEqual($1.utf8) })
        let nfc = raw.nfc
        #expect(nfc.isASCII == false && nfc.map(\.name) == ["a", "\u{e9}", "K", "x/y"])
        #expect(Array(nfc.name(at: 2).utf8) == [0x4B])
        // The planner's append: `prefix/name` in NFC; -0 is kept as 0, as `Metric` keeps it.
        var plan = MetricList()
        plan.append(contentsOf: list(["k"]), prefix: "")
        plan.append(contentsOf: raw, prefix: "s\u{301}")
        plan.append(prefix: "p", name: "z", value: -0.0, format: .percentage)
        #expect(plan.map(\.name) == ["k", "\u{15B}/a", "\u{15B}/\u{e9}", "\u{15B}/K", "\u{15B}/x/y", "p/z"])
        #expect(plan.last?.value.sign == .plus && plan.last?.format == .percentage)
        #expect(plan.removing(sorted: [0, 2, 5]).map(\.name) == ["\u{15B}/a", "\u{15B}/K", "\u{15B}/x/y"])
        // A run keeps its metrics in NFC, however they were given.
        let run = RunIngest(experiment: "e", run: "r", labels: [], metrics: raw, sources: [], time: Date())
        #expect(Array(run.metrics.name(at: 1).utf8) == Array("\u{e9}".utf8))
    }

    @Test func aLargeObjectKeepsEveryCheckAndPlace() {
        var text = "{\n"
        for i in 0..<5000 { text += "  \"m\(i)\": \(i),\n" }
        text += "  \"m17\": 1,\n  \"K\": 1,\n  \"\u{212A}\": 2\n}"
        let reading = MetricsFileReader.read(Array(text.utf8), file: "big.json", options: ReadOptions())
        #expect(
            reading.diagnostics.map(\.description) == [
                "big.json:5002:3: error: $.m17: duplicate key [duplicate-key]",
                "big.json:5004:3: error: $[\"\u{212A}\"]: duplicate key [duplicate-key]",
            ])
        #expect(reading.metrics.count == 5001)
        #expect(reading.metrics[4999].name == "m4999" && reading.metrics[4999].value == 4999)
        #expect(reading.metrics[4999].location.description == "big.json:5001:12: error: $.m4999: ")
    }

    @Test func everyReaderPlacesItsMetricsAndRefusesControlCharacters() {
        let v1 = #"{"metrics": [{"name": "a", "numberValue": 1}, {"name": "b", "numberValue": 2, "format": "RAW"}]}"#
        let v1Reading = MetricsFileReader.read(Array(v1.utf8), file: "v1.json", options: ReadOptions())
        #expect(v1Reading.metrics.map(\.path) == ["$.metrics[0]", "$.metrics[1]"])
        let v2 = #"{"artifacts": {"": {"artifacts": [{"metadata": {"x y": 1, "ok": "NaN", "c\u0007": 2}}]}}}"#
        let v2Reading = MetricsFileReader.read(
            Array(v2.utf8), file: "v2.json", options: ReadOptions(allowNonFinite: true))
        #expect(v2Reading.metrics.map(\.name) == ["/x y", "/ok"])
        #expect(
            v2Reading.metrics.map(\.path) == [
                #"$.artifacts[""].artifacts[0].metadata["x y"]"#, #"$.artifacts[""].artifacts[0].metadata.ok"#,
            ])
        #expect(
            v2Reading.diagnostics.map(\.description) == [
                "v2.json:1:83: error: $.artifacts[\"\"].artifacts[0].metadata[\"c\u{07}\"]: "
                    + #"metric name '/c\u0007' contains control characters [naming]"#
            ])
        let flat = "{\"a\": {\"b\\u001b\": 1, \"c\": {\"d\": 2}}, \"step\": 3}"
        let flatReading = MetricsFileReader.read(Array(flat.utf8), file: "m.json", options: ReadOptions())
        #expect(flatReading.metrics.map(\.name) == ["a/c/d"] && flatReading.metrics.map(\.path) == ["$.a.c.d"])
        #expect(
            flatReading.diagnostics.map(\.description) == [
                "m.json:1:19: error: $.a[\"b\u{1B}\"]: " + #"metric name 'a/b\u001b' contains control characters [naming]"#
            ])
    }

    @Test func aNameGivenTwiceIsPlacedInEitherFile() {
        var first = "{\"a\": {"
        first += (0..<300).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        first += "}, \"\u{e9}\": 1}"
        let plan = IngestPlanner.plan(
            [input("a.json", first), input("b.json", "{\"a/k299\": 2,\n \"e\u{301}\": 3}")], step: "s",
            options: ReadOptions())
        // The name is said in NFC, the path as the file spells the key.
        #expect(
            plan.diagnostics.map(\.description) == [
                "b.json:1:12: error: $[\"a/k299\"]: metric 's/a/k299' is given twice (first at a.json:1:3683) "
                    + "[duplicate-name]",
                "b.json:2:8: error: $[\"e\u{301}\"]: metric 's/\u{e9}' is given twice (first at a.json:1:3694) "
                    + "[duplicate-name]",
            ])
        #expect(plan.metrics.count == 301)
        #expect(plan.metrics.last?.name == "s/\u{e9}")
        // A non-ASCII step: the first of a name is still placed in its file.
        let stepped = IngestPlanner.plan(
            [input("a.json", "{\"x\": 1}"), input("b.json", "{\"y\": 1,\n \"x\": 2}")], step: "e\u{301}",
            options: ReadOptions())
        #expect(
            stepped.diagnostics.map(\.description) == [
                "b.json:2:7: error: $.x: metric '\u{e9}/x' is given twice (first at a.json:1:7) [duplicate-name]"
            ])
        #expect(stepped.metrics.map(\.name) == ["\u{e9}/x", "\u{e9}/y"])
    }

    @Test func batchedWritesStoreWhatSingleRowsDid() throws {
        let store = try StoreBackend.sqlite.make()
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        func run(_ name: String, _ metrics: [Metric]) -> RunIngest {
            RunIngest(experiment: "e", run: name, labels: [], metrics: metrics, sources: [], time: time)
        }
        // 150 names, then 300 in random order of which 150 are stored already: whole batches of new names, of
        // stored names and of both, and single rows after them.
        let old = (0..<150).map { Metric(name: "n\($0)", value: Double($0), format: .raw) }
        let new = ((0..<300).map { Metric(name: "n\($0)", value: Double($0) / 2, format: .percentage) }).shuffled()
        #expect(try store.ingest(run("r1", old), replace: false) == .created(metricCount: 150))
        #expect(try store.ingest(run("r2", new), replace: false) == .created(metricCount: 300))
        #expect(try store.ingest(run("r1", new), replace: true) == .replaced(metricCount: 300, previousCount: 150))
        let stored = try store.run(experiment: "e", name: "r2")
        #expect(stored.metrics.count == 300)
        for metric in new {
            #expect(stored.metric(metric.name)?.sameContent(as: metric) == true, "\(metric.name)")
        }
        let statistics = try store.metricStatistics(experiment: "e")
        #expect(statistics.count == 300)
        #expect(statistics.allSatisfy { $0.runCount == 2 })
        #expect(statistics.first { $0.name == "n10" }?.max == 5)
        // Two metrics of one name in one run are refused as a whole, as one row at a time did.
        let twice = (0..<100).map { Metric(name: "t\($0 % 70)", value: 1, format: .raw) }
        #expect(throws: StoreError.self) { try store.ingest(run("r3", twice), replace: false) }
        #expect(throws: StoreError.self) { try store.run(experiment: "e", name: "r3") }
    }

    @Test func ingestWritesWithoutForeignKeyChecksAndTurnsThemBackOn() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("s.db"), access: .write)
        let metrics = (0..<200).map { Metric(name: "m\($0)", value: 1, format: .raw) }
        _ = try store.ingest(
            RunIngest(experiment: "e", run: "r", labels: [], metrics: metrics, sources: [], time: Date()), replace: false)
        #expect(try store.database.pragmaInteger("foreign_keys") == 1)
        // Deleting a run still goes by the foreign keys' cascades.
        #expect(try store.deleteRuns(experiment: "e", names: ["r"]) == 200)
        #expect(try store.database.prepare("SELECT count(*) FROM metric").rows([]) { $0.int(at: 0) } == [0])
    }
}
