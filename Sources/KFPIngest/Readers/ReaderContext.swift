import KFPModel

/// A metric as read from one input, before step prefixes and cross-file checks, with where it was found.
package struct ReadMetric: Sendable {
    /// The name within its file: `accuracy`, `train/loss`, `eval_metrics/accuracy`.
    package var name: String
    package var value: Double
    package var format: MetricFormat
    /// The input, the byte offset of the metric and its JSON path; the line:column is found only when needed.
    package var file: String
    package var offset: Int
    package var path: String
    package var lines: LineIndex?

    /// Where the metric stands, for messages about it (such as a name given twice).
    package var location: Diagnostic {
        let position = lines?.position(of: offset)
        return Diagnostic(.error, file: file, line: position?.line, column: position?.column, path: path, message: "")
    }
}

/// What reading one input gave: its format, its metrics and every diagnostic, all at once.
package struct FileReading: Sendable {
    /// The format read (or tried last, when the input is no metrics file).
    package var format: InputFormat?
    package var metrics: [ReadMetric]
    package var diagnostics: [Diagnostic]
    /// True when the input is not a metrics file at all (so a folder walk can skip it with a note).
    package var isNotMetrics: Bool

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// State shared by the JSON readers: where diagnostics go and how metrics are placed.
struct ReaderContext {
    var sink: DiagnosticSink
    let options: ReadOptions
    var metrics: [ReadMetric] = []

    init(file: String, bytes: [UInt8], options: ReadOptions) {
        self.sink = DiagnosticSink(file: file, bytes: bytes)
        self.options = options
    }

    /// Records a metric found at `node`; a name with control characters (which could drive a terminal) is an
    /// error instead.
    mutating func addMetric(name: String, value: Double, format: MetricFormat, node: JSONNode, path: String) {
        if name.hasControlCharacters {
            sink.error(
                at: node.offset, path: path,
                "metric name '\(name.visibleControlCharacters())' contains control characters", rule: "naming")
            return
        }
        metrics.append(
            ReadMetric(
                name: name, value: value, format: format, file: sink.file, offset: node.offset, path: path,
                lines: sink.lines))
    }

    /// Accepts or rejects a non-finite value under the options, naming the metric.
    /// Returns whether the value may be stored.
    mutating func checkNonFinite(_ value: Double, name: String, node: JSONNode, path: String) -> Bool {
        guard !value.isFinite else { return true }
        let token = JSONNode.token(for: value)
        if options.kfpRules {
            sink.error(
                at: node.offset, path: path,
                "metric '\(name)' is \(token): KFP rejects non-finite values (a bare \(token) is not JSON)",
                rule: "non-finite")
            return false
        }
        if !options.allowNonFinite {
            sink.error(
                at: node.offset, path: path,
                "metric '\(name)' is \(token); pass --allow-nonfinite to store non-finite values", rule: "non-finite")
            return false
        }
        return true
    }

    /// The number a metric node holds: a JSON number, a bare `NaN`/`Infinity` token, or a string spelling one
    /// (`"NaN"`, `"Infinity"`, `"-Infinity"`, as Python and protojson write them); nil for anything else.
    static func number(in node: JSONNode) -> Double? {
        switch node.value {
        case .number(let d), .nonFinite(let d): d
        case .string(let text): nonFiniteValue(spelledBy: text)
        default: nil
        }
    }

    /// Records the metric if `node` holds a number (a non-finite one only when the options allow it, else with
    /// an error naming the metric). Returns false when the node holds no number at all.
    mutating func addNumber(name: String, node: JSONNode, path: String) -> Bool {
        guard let value = Self.number(in: node) else { return false }
        if value.isFinite || checkNonFinite(value, name: name, node: node, path: path) {
            addMetric(name: name, value: value, format: .raw, node: node, path: path)
        }
        return true
    }

    /// The non-finite value a string spells (`"NaN"`, `"Infinity"`, `"-Infinity"`, as Python and protojson
    /// write them), or nil for any other string.
    static func nonFiniteValue(spelledBy text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: nil
        }
    }

    /// The result so far, diagnostics in file order.
    func reading(_ format: InputFormat) -> FileReading {
        let ordered = sink.diagnostics.enumerated().sorted {
            ($0.element.line ?? 0, $0.element.column ?? 0, $0.offset) < ($1.element.line ?? 0, $1.element.column ?? 0, $1.offset)
        }.map(\.element)
        return FileReading(format: format, metrics: metrics, diagnostics: ordered, isNotMetrics: false)
    }
}
