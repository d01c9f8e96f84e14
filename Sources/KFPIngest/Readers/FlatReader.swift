import KFPModel

/// Reads a flat or nested JSON object of numbers (a v2 Metrics artifact's metadata, dvclive's `metrics.json`);
/// nested keys are joined with `/`.
enum FlatReader {
    static func read(_ root: JSONNode, context: inout ReaderContext) -> FileReading {
        guard case .object(let rawMembers) = root.value else {
            context.sink.error(
                at: root.offset, path: "$", "not a metrics file: the top level is \(root.kindDescription), not an object (tried \(triedFormats))",
                rule: "not-metrics")
            var reading = context.reading(.flat)
            reading.isNotMetrics = true
            return reading
        }
        var members = context.sink.uniqueMembers(rawMembers, path: "$")
        // dvclive writes its step counter beside the metrics; it is not a metric.
        if let step = members.first(where: { $0.key == "step" }), case .number(let d) = step.value.value,
            d == d.rounded()
        {
            members.omitted = (members.omitted + [step.index]).sorted()
        }
        // Room for the top level's metrics at once, so that a large file's list is not copied as it grows.
        var count = 0
        var keyBytes = 0
        for member in members {
            count += 1
            keyBytes += member.rawKeyLength
        }
        context.metrics.reserveCapacity(count, nameBytes: keyBytes)
        let before = context.sink
        walk(members, prefix: nil, path: "$", context: &context)
        // A number refused as non-finite, or for its name (empty, too long), is still a number: the file is metrics.
        let sawNumber = context.sink.diagnostics.contains {
            ["non-finite", "name-length", "empty-name", "naming"].contains($0.rule)
        }
        if context.metrics.isEmpty && !sawNumber {
            // Nothing numeric at all: say so once instead of listing every non-number.
            context.sink = before
            context.sink.error(
                at: root.offset, path: "$",
                "no numeric values: this is not a metrics file (tried \(triedFormats))", rule: "not-metrics")
            var reading = context.reading(.flat)
            reading.isNotMetrics = true
            return reading
        }
        return context.reading(.flat)
    }

    /// The formats detection tries, for messages.
    static let triedFormats = InputFormat.metricsFileFormats.map(\.title).joined(separator: ", ")

    /// The longest metric name a nested object may build, in UTF-8 bytes. Without a cap, names built level by
    /// level cost time quadratic in the depth: an object nested 100,000 levels (`--max-depth 100000`) took minutes.
    static let maxNameBytes = 1024

    /// Reads the members of an object: numbers become metrics named `prefix/key` (`key` at the top, where
    /// `prefix` is nil), nested objects are read in turn. `path` is the object's JSON path.
    private static func walk(_ members: JSONObject, prefix: String?, path: String, context: inout ReaderContext) {
        for member in members {
            let key = member.key
            // Checked before the name is built, so that the cost per level stays bounded.
            guard (prefix?.utf8.count ?? 0) + 1 + key.utf8.count <= maxNameBytes else {
                context.sink.error(
                    at: member.keyOffset, path: path,
                    "metric name longer than \(maxNameBytes) bytes (nested keys joined with '/'), "
                        + "under '\((prefix ?? "").prefix(40))…'",
                    rule: "name-length")
                continue
            }
            // Names and paths are built here only for messages and nested objects: not for each metric.
            var name: String { ReaderContext.name(prefix, key) }
            var memberPath: String { jsonPath(path, key: key) }
            guard !key.isEmpty else {
                context.sink.error(at: member.keyOffset, path: memberPath, "empty metric name", rule: "empty-name")
                continue
            }
            let node = member.value
            if case .object(let nested) = node.value {
                let nestedPath = memberPath
                walk(
                    context.sink.uniqueMembers(nested, path: nestedPath), prefix: name, path: nestedPath,
                    context: &context)
            } else if !context.addNumber(prefix: prefix, key: key, node: node, parent: path) {
                context.sink.error(
                    at: node.offset, path: memberPath, "metric '\(name)' must be a number, found \(node.kindDescription)",
                    rule: "not-a-number")
            }
        }
    }
}
