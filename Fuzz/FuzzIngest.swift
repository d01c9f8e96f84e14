// The libFuzzer entry point over everything that reads untrusted bytes: format detection, gzip, tar, the JSON
// parser and every reader (KFP v1, KFP v1 artifact, KFP v2, flat), the YAML reader, dvclive's series files,
// params.yaml and MLflow's metric files. Built and run by Scripts/fuzz.sh, which
// compiles it together with the KFPModel and KFPIngest sources (it is not a SwiftPM target: a module with
// `LLVMFuzzerTestOneInput` and no `main` does not link as a normal executable).

// MARK: - Limits

/// Small caps, so that a mutated gzip bomb or a deep document costs milliseconds, not the fuzzer's memory.
private let fuzzLimits: InputLimits = {
    var limits = InputLimits()
    limits.maxFileBytes = 1 << 20
    limits.maxDecompressedBytes = 1 << 20
    limits.maxDepth = 64
    return limits
}()

/// Every way the ingest reads a file: detected and forced formats, strict KFP rules, non-finite values allowed.
private let fuzzOptions: [ReadOptions] =
    [
        ReadOptions(limits: fuzzLimits),
        ReadOptions(allowNonFinite: true, limits: fuzzLimits),
        ReadOptions(kfpRules: true, limits: fuzzLimits),
    ] + InputFormat.metricsFileFormats.map { ReadOptions(inputFormat: $0, limits: fuzzLimits) }

// MARK: - Structured documents

/// Builds a JSON document from the input's bytes with a small grammar of the formats' keys and edge values, so
/// that the readers' value checks get explored: random byte mutations rarely keep the JSON around them valid.
private struct DocumentBuilder {
    private var bytes: ArraySlice<UInt8>
    private var text = ""

    static let keys = [
        "metrics", "name", "numberValue", "number_value", "format", "nodeId", "runId", "artifacts", "metadata",
        "parameterValues", "uri", "display_name", "confusionMatrix", "step", "accuracy", "train", "", "a/b",
    ]
    static let numbers = [
        "0", "-0", "1", "2", "3", "-1", "0.5", "42", "1e20", "-1e20", "1e300", "1e-400", "5e-324",
        "1.7976931348623157e308", "9007199254740993", "9.3e18", "-9.3e18", "NaN", "Infinity", "-Infinity",
    ]
    static let strings = [
        "RAW", "PERCENTAGE", "UNSPECIFIED", "NaN", "Infinity", "-Infinity", "1e400", "0.9", "abc", "", "accuracy-score",
        "é", "\\ud800", "=1+1",
    ]

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    private mutating func next() -> Int { Int(bytes.popFirst() ?? 0) }

    private mutating func pick(_ list: [String]) -> String { list[next() % list.count] }

    private mutating func value(depth: Int) {
        switch depth > 4 ? next() % 4 : next() % 8 {
        case 0, 1: text += pick(Self.numbers)
        case 2: text += "\"" + pick(Self.strings) + "\""
        case 3: text += ["true", "false", "null"][next() % 3]
        case 4, 5: object(depth: depth + 1)
        default:
            text += "["
            for i in 0..<(next() % 4) {
                if i > 0 { text += "," }
                value(depth: depth + 1)
            }
            text += "]"
        }
    }

    private mutating func object(depth: Int) {
        text += "{"
        for i in 0..<(next() % 5) {
            if i > 0 { text += "," }
            text += "\"" + pick(Self.keys) + "\":"
            value(depth: depth)
        }
        text += "}"
    }

    /// A KFP v1 file, a KFP v2 executor output, or any object, as the first byte says.
    mutating func build() -> [UInt8] {
        switch next() % 3 {
        case 0:
            text += "{\"metrics\":[{\"name\":\"" + pick(Self.strings) + "\",\"numberValue\":" + pick(Self.numbers)
                + ",\"format\":"
            value(depth: 3)
            text += "}]}"
        case 1:
            text += "{\"artifacts\":{\"out\":{\"artifacts\":[{\"name\":\"m\",\"metadata\":"
            object(depth: 2)
            text += "}]}}}"
        default:
            object(depth: 0)
        }
        return Array(text.utf8)
    }
}

// MARK: - Entry point

/// Called by libFuzzer once per input. Any trap, crash, leak-free hang or sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []

    // The JSON parser alone, at the default depth and at a tiny one.
    for depth in [JSONParser.defaultMaxDepth, 2] {
        if let node = try? JSONParser.parse(bytes, maxDepth: depth) {
            _ = MetricsFileReader.detect(node)
            _ = node.kindDescription
        }
    }

    // Detection, gzip, tar and every reader, with every option that changes how a file is read.
    for options in fuzzOptions {
        let reading = MetricsFileReader.read(bytes, file: "fuzz.json", options: options)
        for diagnostic in reading.diagnostics { _ = diagnostic.description }
        for metric in reading.metrics { _ = metric.location.description }
    }

    // A document the grammar builds from the same bytes, through every reader.
    var builder = DocumentBuilder(bytes)
    let document = builder.build()
    for options in fuzzOptions {
        let reading = MetricsFileReader.read(document, file: "built.json", options: options)
        for diagnostic in reading.diagnostics { _ = diagnostic.description }
    }

    // The archive layers directly: mutated gzip rarely survives its CRC, so tar is fuzzed on its own too.
    _ = try? MetricsArchive.singleFile(fromTar: bytes)
    _ = try? MetricsArchive.gunzip(bytes, maxBytes: fuzzLimits.maxDecompressedBytes)

    // The cross-file checks of an ingest: the same bytes found twice in a folder, under a step.
    let inputs = [
        InputFile(path: "a/m.json", folder: "a", bytes: bytes, foundInFolder: true),
        InputFile(path: "b/m.json", folder: "b", bytes: bytes, foundInFolder: true),
    ]
    let plan = IngestPlanner.plan(inputs, step: "s", options: fuzzOptions[0])
    for diagnostic in plan.diagnostics { _ = diagnostic.description }

    // The text formats: YAML (params.yaml, MLflow's meta.yaml), dvclive's series, MLflow's metric lines, and the
    // series and parameters through the planner (a series may make its metric).
    _ = try? YAMLParser.parse(bytes)
    for diagnostic in ParamsFileReader.read(bytes, file: "params.yaml").diagnostics { _ = diagnostic.description }
    for diagnostic in SeriesFileReader.read(bytes, file: "m.tsv").diagnostics { _ = diagnostic.description }
    for diagnostic in MLflowFileStore.history(bytes, file: "loss").diagnostics { _ = diagnostic.description }
    let texts = [
        InputFile(path: "plots/metrics/a.tsv", folder: "", bytes: bytes, foundInFolder: true, kind: .series(metric: "a")),
        InputFile(path: "params.yaml", folder: "", bytes: bytes, foundInFolder: true, kind: .params),
    ]
    for diagnostic in IngestPlanner.plan(texts, step: nil, options: fuzzOptions[1]).diagnostics { _ = diagnostic.description }

    // Line:column placement of every offset, including past the end.
    let lines = LineIndex(bytes)
    for offset in stride(from: 0, through: bytes.count + 1, by: max(1, bytes.count / 16)) {
        _ = lines.position(of: offset)
    }
    return 0
}
