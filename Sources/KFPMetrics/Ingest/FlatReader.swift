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
        let sawNonFinite = context.sink.diagnostics.contains { $0.rule == "non-finite" }
        if context.metrics.isEmpty && !sawNonFinite {
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
    static let triedFormats = InputFormat.allCases.map(\.title).joined(separator: ", ")

    private static func walk(_ members: [JSONMember], prefix: String, path: String, context: inout ReaderContext) {
        for member in members {
            let name = prefix.isEmpty ? member.key : prefix + "/" + member.key
            let memberPath = jsonPath(path, key: member.key)
            guard !member.key.isEmpty else {
                context.sink.error(at: member.keyOffset, path: memberPath, "empty metric name", rule: "empty-name")
                continue
            }
            let node = member.value
            switch node.value {
            case .number(let d):
                context.addMetric(name: name, value: d, format: .raw, node: node, path: memberPath)
            case .nonFinite(let d):
                if context.checkNonFinite(d, name: name, node: node, path: memberPath) {
                    context.addMetric(name: name, value: d, format: .raw, node: node, path: memberPath)
                }
            case .string(let text) where ["NaN", "Infinity", "-Infinity"].contains(text):
                let d = text == "NaN" ? Double.nan : (text == "Infinity" ? Double.infinity : -Double.infinity)
                if context.checkNonFinite(d, name: name, node: node, path: memberPath) {
                    context.addMetric(name: name, value: d, format: .raw, node: node, path: memberPath)
                }
            case .object(let nested):
                walk(context.sink.uniqueMembers(nested, path: memberPath), prefix: name, path: memberPath, context: &context)
            default:
                context.sink.error(
                    at: node.offset, path: memberPath, "metric '\(name)' must be a number, found \(node.kindDescription)",
                    rule: "not-a-number")
            }
        }
    }
}
