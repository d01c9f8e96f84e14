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

// MARK: - The metrics of one input

/// The metrics read from one input, kept compactly (see `MetricList`), with where each was found.
package struct ReadMetrics: RandomAccessCollection, Sendable {
    /// Names (as the file spells them), values and formats.
    package private(set) var list = MetricList()
    /// Where each metric was found.
    package private(set) var locations: MetricLocations

    /// No metrics yet, of the input `file` (whose positions `lines` gives, when it has text).
    init(file: String, lines: LineIndex?) {
        locations = MetricLocations(file: file, lines: lines)
    }

    /// The first position, 0.
    package var startIndex: Int { 0 }
    /// One past the last position: the number of metrics.
    package var endIndex: Int { list.count }

    /// The metric at `position` with its JSON path spelled out (for tests and messages; readers of many metrics
    /// use `list`).
    package subscript(position: Int) -> ReadMetric {
        let name = list.name(at: position)
        let location = locations.location(of: position, name: name)
        return ReadMetric(
            name: String(name), value: list.value(at: position), format: list.format(at: position),
            file: locations.file, offset: locations.offset(of: position), path: location.path ?? "",
            lines: locations.lines)
    }

    /// Makes room for `count` more metrics whose names take about `nameBytes` bytes in all.
    mutating func reserveCapacity(_ count: Int, nameBytes: Int) {
        list.reserveCapacity(count, nameBytes: nameBytes)
        locations.reserveCapacity(count)
    }

    /// Adds the metric `prefix/name` (or `name` without a prefix) found at byte `offset`, its JSON path `parent`
    /// continued by `step`.
    mutating func append(
        prefix: String, name: String, value: Double, format: MetricFormat, offset: Int, parent: String, step: PathStep
    ) {
        list.append(prefix: prefix, name: name, value: value, format: format)
        locations.append(position: list.count - 1, offset: offset, parent: parent, step: step)
    }
}

/// How the JSON path of a metric continues from its parent's path.
enum PathStep: Equatable, Sendable {
    /// The member whose key is the metric's name without its first `n` UTF-8 bytes (the prefix and '/').
    case key(droppingNameBytes: Int)
    /// The array element at this index.
    case element(Int)

    /// The path of the value reached from `parent` by this step, whose key (for a member) is `key`.
    func path(from parent: String, key: @autoclosure () -> String) -> String {
        switch self {
        case .key: jsonPath(parent, key: key())
        case .element(let index): "\(parent)[\(index)]"
        }
    }
}

/// Where the metrics of one input were found: enough to place any of them at file:line:column and JSON path
/// when a message needs it. No path is spelled out before then: metrics that share a parent (the members of one
/// object, the elements of one array) share one record, so a million metrics keep one offset each.
package struct MetricLocations: Sendable {
    /// The input, as messages name it.
    package let file: String
    /// Positions in the input; nil when there is no text to point into.
    let lines: LineIndex?
    /// The byte offset of each metric.
    private var offsets: [Int] = []
    /// Metrics with one parent, in order: each record holds from its first metric to the next record's.
    private var runs: [(first: Int, parent: String, step: PathStep)] = []

    /// No locations yet, in `file`.
    init(file: String, lines: LineIndex?) {
        self.file = file
        self.lines = lines
    }

    /// Makes room for `count` more metrics (growing at least geometrically, as `MetricList` does).
    mutating func reserveCapacity(_ count: Int) {
        guard offsets.count + count > offsets.capacity else { return }
        offsets.reserveCapacity(Swift.max(offsets.count + count, 2 * offsets.capacity))
    }

    /// The byte offset of the metric at `position`.
    func offset(of position: Int) -> Int { offsets[position] }

    /// Records where the metric at `position` (the next one) was found.
    mutating func append(position: Int, offset: Int, parent: String, step: PathStep) {
        offsets.append(offset)
        if let last = runs.last, last.parent == parent {
            switch (last.step, step) {
            case (.key(let a), .key(let b)) where a == b: return
            case (.element(let a), .element(let b)) where a + (position - last.first) == b: return
            default: break
            }
        }
        runs.append((position, parent, step))
    }

    /// Where the metric at `position`, named `name` in its file, was found.
    package func location(of position: Int, name: some StringProtocol) -> Diagnostic {
        // The last record that starts at or before `position`.
        var low = 0
        var high = runs.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if runs[mid].first <= position { low = mid } else { high = mid - 1 }
        }
        var path: String?
        if runs.indices.contains(low) {
            let run = runs[low]
            switch run.step {
            case .key(let dropped):
                path = jsonPath(run.parent, key: String(decoding: Array(name.utf8.dropFirst(dropped)), as: UTF8.self))
            case .element(let first): path = "\(run.parent)[\(first + position - run.first)]"
            }
        }
        let place = lines?.position(of: offsets[position])
        return Diagnostic(.error, file: file, line: place?.line, column: place?.column, path: path, message: "")
    }
}

/// What reading one input gave: its format, its metrics and every diagnostic, all at once.
package struct FileReading: Sendable {
    /// The format read (or tried last, when the input is no metrics file).
    package var format: InputFormat?
    package var metrics: ReadMetrics
    package var diagnostics: [Diagnostic]
    /// True when the input is not a metrics file at all (so a folder walk can skip it with a note).
    package var isNotMetrics: Bool

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

// MARK: - Reading

/// State shared by the JSON readers: where diagnostics go and how metrics are placed.
struct ReaderContext {
    var sink: DiagnosticSink
    let options: ReadOptions
    var metrics: ReadMetrics

    init(file: String, bytes: [UInt8], options: ReadOptions) {
        self.sink = DiagnosticSink(file: file, bytes: bytes)
        self.options = options
        self.metrics = ReadMetrics(file: file, lines: sink.lines)
    }

    /// Records the metric `prefix/name` (`name` when `prefix` is nil) found at `node`; its JSON path is `parent`
    /// continued by `step`, spelled out only if a message needs it. A name with control characters (which could
    /// drive a terminal) is an error instead.
    mutating func addMetric(
        prefix: String? = nil, name: String, value: Double, format: MetricFormat, node: JSONNode, parent: String,
        step: PathStep
    ) {
        if name.hasControlCharacters || prefix?.hasControlCharacters == true {
            let whole = Self.name(prefix, name)
            sink.error(
                at: node.offset, path: step.path(from: parent, key: name),
                "metric name '\(whole.visibleControlCharacters())' contains control characters", rule: "naming")
            return
        }
        // The list leaves out the '/' of an empty prefix: it goes with the name then.
        metrics.append(
            prefix: prefix ?? "", name: prefix == "" ? "/" + name : name, value: value, format: format,
            offset: node.offset, parent: parent, step: step)
    }

    /// A metric's name in its file: `prefix/name`, or `name` when `prefix` is nil.
    static func name(_ prefix: String?, _ name: String) -> String {
        prefix.map { $0 + "/" + name } ?? name
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

    /// Records the metric `prefix/key` (`key` when `prefix` is nil), the member `key` of the object at `parent`,
    /// if `node` holds a number (a non-finite one only when the options allow it, else with an error naming the
    /// metric). Returns false when the node holds no number at all. Its name and path are spelled out only for
    /// a message.
    mutating func addNumber(prefix: String?, key: String, node: JSONNode, parent: String) -> Bool {
        guard let value = Self.number(in: node) else { return false }
        if value.isFinite
            || checkNonFinite(value, name: Self.name(prefix, key), node: node, path: jsonPath(parent, key: key))
        {
            addMetric(
                prefix: prefix, name: key, value: value, format: .raw, node: node, parent: parent,
                step: .key(droppingNameBytes: prefix.map { $0.utf8.count + 1 } ?? 0))
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
