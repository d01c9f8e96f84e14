import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one input's bytes: detects the format from the content (or uses the forced one), parses, validates,
/// and returns every metric and every problem at once.
package enum MetricsFileReader {
    /// Reads `bytes`, named `file` in messages.
    package static func read(_ bytes: [UInt8], file: String, options: ReadOptions) -> FileReading {
        var sink = DiagnosticSink(file: file, bytes: nil)
        func failure(_ message: String, rule: String, notMetrics: Bool = false) -> FileReading {
            sink.error(at: nil, message, rule: rule)
            return FileReading(
                format: nil, metrics: ReadMetrics(file: file, lines: nil), diagnostics: sink.diagnostics,
                isNotMetrics: notMetrics)
        }
        if bytes.isEmpty { return failure("the file is empty", rule: "empty") }

        // The KFP v1 artifact: a gzip'd tar around one metrics file.
        if options.inputFormat == .kfpV1Artifact || (options.inputFormat == nil && MetricsArchive.isGzip(bytes)) {
            guard MetricsArchive.isGzip(bytes) else {
                return failure("not gzip data, as a \(InputFormat.kfpV1Artifact.title) is", rule: "archive")
            }
            do {
                let inner = try MetricsArchive.singleFile(fromTgz: bytes, maxBytes: options.limits.maxDecompressedBytes)
                var unforced = options
                unforced.inputFormat = nil
                let innerOptions = unforced
                let name = "\(file):\(inner.name)"
                var reading = DeepStack.run(depth: options.limits.maxDepth) {
                    readJSON(inner.bytes, file: name, options: innerOptions)
                }
                if reading.format == .kfpV1 { reading.format = .kfpV1Artifact }
                return reading
            } catch {
                return failure("\(InputFormat.kfpV1Artifact.title): \(error.message)", rule: "archive")
            }
        }
        // Parsing, reading and freeing a nested document recurse once per level: give them the stack for it.
        return DeepStack.run(depth: options.limits.maxDepth) { readJSON(bytes, file: file, options: options) }
    }

    /// Reads a JSON metrics document.
    private static func readJSON(_ bytes: [UInt8], file: String, options: ReadOptions) -> FileReading {
        var context = ReaderContext(file: file, bytes: bytes, options: options)
        func failure(_ offset: Int?, _ message: String, rule: String, notMetrics: Bool) -> FileReading {
            context.sink.error(at: offset, message, rule: rule)
            var reading = context.reading(options.inputFormat ?? .flat)
            reading.format = options.inputFormat
            reading.isNotMetrics = notMetrics
            return reading
        }
        if let problem = encodingProblem(bytes) {
            return failure(0, problem, rule: "encoding", notMetrics: true)
        }
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes, maxDepth: options.limits.maxDepth)
        } catch {
            // A document that does not even start like JSON is no metrics file (a YAML pipeline, a binary).
            let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            if let first, first != UInt8(ascii: "{") && first != UInt8(ascii: "[") {
                let shown = first >= 0x21 && first < 0x7F ? "'\(Character(Unicode.Scalar(first)))'" : "a non-ASCII byte"
                return failure(
                    bytes.firstIndex(of: first),
                    "not a metrics file: it is not JSON (it starts with \(shown)); tried \(FlatReader.triedFormats)",
                    rule: "not-metrics", notMetrics: true)
            }
            return failure(error.offset, "invalid JSON: \(error.message)", rule: "json-syntax", notMetrics: false)
        }
        switch options.inputFormat ?? detect(root) {
        case .kfpV1, .kfpV1Artifact: return KFPv1Reader.read(root, context: &context)
        case .kfpV2: return KFPv2Reader.read(root, context: &context)
        case .flat: return FlatReader.read(root, context: &context)
        case .mlflow:
            return failure(nil, "an MLflow store is read by `kfpm import`, not as a metrics file", rule: "input-format", notMetrics: false)
        }
    }

    /// Detects the JSON format from the top-level keys.
    package static func detect(_ root: JSONNode) -> InputFormat {
        guard case .object(let members) = root.value else { return .flat }
        if members.contains(where: { $0.key == "metrics" }) { return .kfpV1 }
        if members.contains(where: { $0.key == "artifacts" || $0.key == "parameterValues" }) { return .kfpV2 }
        return .flat
    }

    /// Explains bytes that are not UTF-8 JSON text: a byte-order mark, UTF-16/32, binary data.
    private static func encodingProblem(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return "the file starts with a UTF-8 byte-order mark, which JSON forbids (RFC 8259 §8.1); save it without one"
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
            || (bytes.count >= 2 && (bytes[0] == 0 || bytes[1] == 0) && bytes[0] != bytes[1])
        {
            return "the file is UTF-16 or UTF-32 encoded; JSON must be UTF-8"
        }
        let hasNUL = bytes.withUnsafeBytes { raw in
            raw.baseAddress.map { memchr($0, 0, Swift.min(raw.count, 4096)) != nil } ?? false
        }
        if hasNUL {
            return "not a metrics file: it is binary data; tried \(FlatReader.triedFormats)"
        }
        return nil
    }
}
