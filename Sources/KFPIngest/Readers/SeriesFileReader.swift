import KFPModel

/// What reading one series file gave: its points in file order, and every problem.
package struct SeriesReading: Sendable {
    package var points: [SeriesPoint]
    package var diagnostics: [Diagnostic]
    /// Where the last point's line starts, to place a message about it.
    package var lastPointOffset: Int?
    /// Positions in the file.
    package var lines: LineIndex?

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Reads dvclive's per-metric history, `plots/metrics/<name>.tsv`: a header naming the columns (`step`, the
/// value column named after the metric's last name part, and `timestamp` in ms when the metric was logged with
/// `timestamp=True`, in any order), then one tab-separated line per logged point, in logging order.
///
/// Values are written by Python's `str()`: `0.5`, `1e-05`, `64`, `nan`, `inf`, `-inf`. Non-finite points are
/// kept (a NaN is a gap in a curve); the metric's final value is checked where it is read (`metrics.json`).
package enum SeriesFileReader {
    /// Reads `bytes`, named `file` in messages.
    package static func read(_ bytes: [UInt8], file: String) -> SeriesReading {
        var sink = DiagnosticSink(file: file, bytes: bytes)
        var reading = SeriesReading(points: [], diagnostics: [], lastPointOffset: nil, lines: sink.lines)
        func finish() -> SeriesReading {
            reading.diagnostics = sink.diagnostics
            return reading
        }
        if bytes.isEmpty {
            sink.error(at: nil, "the file is empty", rule: "empty")
            return finish()
        }
        if let problem = TextEncoding.problem(bytes) {
            sink.error(at: problem.offset, problem.message, rule: "encoding")
            return finish()
        }
        let lines = DelimitedLines.lines(bytes, separator: 0x09)
        guard let header = lines.first else { return finish() }
        let names = header.fields.map { String(decoding: bytes[$0], as: UTF8.self) }
        guard let columns = Columns(names) else {
            sink.error(
                at: header.start,
                "the header must name the columns step, the metric's value and (optionally) timestamp, separated by "
                    + "tabs, as dvclive writes them; found \(names.map { "'\($0)'" }.joined(separator: ", "))",
                rule: "series-header")
            return finish()
        }
        for line in lines.dropFirst() {
            if line.isEmpty {
                sink.error(at: line.start, "an empty line (each line is one point)", rule: "series-line")
                continue
            }
            guard line.fields.count == names.count else {
                sink.error(
                    at: line.start, "expected \(names.count) tab-separated cells (\(names.joined(separator: ", "))), found \(line.fields.count)",
                    rule: "series-line")
                continue
            }
            let stepCell = line.fields[columns.step]
            let valueCell = line.fields[columns.value]
            guard let step = NumberText.integer(bytes[stepCell]) else {
                sink.error(at: stepCell.lowerBound, "the step must be a whole number, found '\(DelimitedLines.shown(bytes[stepCell]))'", rule: "series-step")
                continue
            }
            guard let value = NumberText.pythonFloat(bytes[valueCell]) else {
                sink.error(at: valueCell.lowerBound, "the value must be a number, found '\(DelimitedLines.shown(bytes[valueCell]))'", rule: "series-value")
                continue
            }
            var timestamp: Int64?
            if let column = columns.timestamp {
                let cell = line.fields[column]
                guard let milliseconds = NumberText.integer(bytes[cell]) else {
                    sink.error(
                        at: cell.lowerBound, "the timestamp must be whole milliseconds, found '\(DelimitedLines.shown(bytes[cell]))'",
                        rule: "series-timestamp")
                    continue
                }
                timestamp = milliseconds
            }
            reading.points.append(SeriesPoint(step: step, value: value, timestamp: timestamp))
            reading.lastPointOffset = line.start
        }
        return finish()
    }

    /// Which column holds what.
    private struct Columns {
        var step: Int
        var value: Int
        var timestamp: Int?

        /// From the header's names: `step`, optionally `timestamp`, and exactly one other (non-empty) name.
        init?(_ names: [String]) {
            guard Set(names).count == names.count, let step = names.firstIndex(of: "step") else { return nil }
            let others = names.indices.filter { names[$0] != "step" && names[$0] != "timestamp" }
            guard others.count == 1, let value = others.first, !names[value].isEmpty else { return nil }
            self.step = step
            self.value = value
            self.timestamp = names.firstIndex(of: "timestamp")
        }
    }
}

/// The encoding checks of the text formats (TSV, YAML): UTF-8 without a byte-order mark, no NUL.
enum TextEncoding {
    /// The first encoding problem of a text file and where it is, or nil.
    static func problem(_ bytes: [UInt8]) -> (offset: Int, message: String)? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return (0, "the file starts with a UTF-8 byte-order mark; save it without one")
        }
        if let nul = bytes.firstIndex(of: 0) { return (nul, "not a text file: it holds a NUL byte") }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error: return (offset, "the file is not UTF-8 text (an invalid byte sequence here)")
            case .emptyInput: return nil
            }
        }
    }
}
