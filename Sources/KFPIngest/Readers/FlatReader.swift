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
        if let step = members.firstIndex(where: { $0.key == "step" }), case .number(let d) = members[step].value.value,
            d == d.rounded()
        {
            members.remove(at: step)
        }
        let before = context.sink
        walk(members, prefix: "", path: "$", context: &context)
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

    private static func walk(_ members: [JSONMember], prefix: String, path: String, context: inout ReaderContext) {
        for member in members {
            // Checked before the name is built, so that the cost per level stays bounded.
            guard prefix.utf8.count + 1 + member.key.utf8.count <= maxNameBytes else {
                context.sink.error(
                    at: member.keyOffset, path: path,
                    "metric name longer than \(maxNameBytes) bytes (nested keys joined with '/'), "
                        + "under '\(prefix.prefix(40))…'",
                    rule: "name-length")
                continue
            }
            let name = prefix.isEmpty ? member.key : prefix + "/" + member.key
            let memberPath = jsonPath(path, key: member.key)
            guard !member.key.isEmpty else {
                context.sink.error(at: member.keyOffset, path: memberPath, "empty metric name", rule: "empty-name")
                continue
            }
            let node = member.value
            if case .object(let nested) = node.value {
                walk(context.sink.uniqueMembers(nested, path: memberPath), prefix: name, path: memberPath, context: &context)
            } else if !context.addNumber(name: name, node: node, path: memberPath) {
                context.sink.error(
                    at: node.offset, path: memberPath, "metric '\(name)' must be a number, found \(node.kindDescription)",
                    rule: "not-a-number")
            }
        }
    }
}
