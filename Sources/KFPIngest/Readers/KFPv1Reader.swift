import KFPModel

/// Reads KFP v1 metrics JSON with the rules of KFP's backend (protojson decoding + the API server's checks).
enum KFPv1Reader {
    private static let topLevelFields: Set<String> = ["metrics", "runId", "run_id"]

    static func read(_ root: JSONNode, context: inout ReaderContext) -> FileReading {
        guard case .object(let rawMembers) = root.value else {
            context.sink.error(
                at: root.offset, path: "$",
                "a KFP v1 metrics file is an object with a 'metrics' array, found \(root.kindDescription)",
                rule: "kfp-shape")
            return context.reading(.kfpV1)
        }
        let members = context.sink.uniqueMembers(rawMembers, path: "$")
        for member in members where !topLevelFields.contains(member.key) {
            context.sink.error(
                at: member.keyOffset, path: jsonPath("$", key: member.key),
                "unknown field '\(member.key)' (KFP accepts only: metrics, runId, run_id)", rule: "kfp-unknown-field")
        }
        guard let metricsMember = members.first(where: { $0.key == "metrics" }) else {
            context.sink.error(at: root.offset, path: "$", "no 'metrics' array", rule: "kfp-shape")
            return context.reading(.kfpV1)
        }
        let elements: JSONArray?
        switch metricsMember.value.value {
        case .null: elements = nil
        case .array(let array): elements = array
        default:
            context.sink.error(
                at: metricsMember.value.offset, path: "$.metrics",
                "'metrics' must be an array, found \(metricsMember.value.kindDescription)", rule: "kfp-shape")
            return context.reading(.kfpV1)
        }
        let count = elements?.count ?? 0
        context.metrics.reserveCapacity(count, nameBytes: 16 * count)
        if let elements {
            for (i, element) in elements.enumerated() {
                readMetric(element, index: i, context: &context)
            }
        }
        if count > KFPRules.maxMetricsPerRun {
            let message =
                "\(count) metrics: KFP keeps at most \(KFPRules.maxMetricsPerRun) per run and drops the rest silently"
            context.sink.add(
                context.options.kfpRules ? .error : .warning, at: metricsMember.value.offset, path: "$.metrics",
                message, rule: "kfp-metric-limit")
        }
        return context.reading(.kfpV1)
    }

    /// Reads the metric object at `$.metrics[index]`.
    private static func readMetric(_ node: JSONNode, index: Int, context: inout ReaderContext) {
        // Spelled out only for messages.
        var path: String { "$.metrics[\(index)]" }
        guard case .object(let rawMembers) = node.value else {
            context.sink.error(
                at: node.offset, path: path, "a metric must be an object, found \(node.kindDescription)",
                rule: "kfp-shape")
            return
        }
        let members = context.sink.uniqueMembers(rawMembers, path: path)
        var nameField: JSONMember?
        var camel: JSONMember?
        var snake: JSONMember?
        var formatField: JSONMember?
        var valid = true
        for member in members {
            switch member.key {
            case "name": nameField = member
            case "numberValue": camel = member
            case "number_value": snake = member
            case "format": formatField = member
            case "nodeId", "node_id": break
            default:
                context.sink.error(
                    at: member.keyOffset, path: jsonPath(path, key: member.key),
                    "unknown field '\(member.key)' (KFP accepts only: name, numberValue or number_value, format)",
                    rule: "kfp-unknown-field")
                valid = false
            }
        }

        // Name.
        var name = ""
        if let member = nameField {
            if case .string(let text) = member.value.value {
                name = text
                if text.count > KFPRules.maxNameLength {
                    context.sink.error(
                        at: member.value.offset, path: path + ".name",
                        "name '\(text.prefix(20))…' is \(text.count) characters; KFP allows at most \(KFPRules.maxNameLength)",
                        rule: "kfp-name-length")
                    valid = false
                } else if !KFPRules.isValidName(text) {
                    context.sink.error(
                        at: member.value.offset, path: path + ".name",
                        "name '\(text)' does not match KFP's pattern \(KFPRules.namePattern)", rule: "kfp-name-pattern")
                    valid = false
                }
            } else {
                context.sink.error(
                    at: member.value.offset, path: path + ".name",
                    "name must be a string, found \(member.value.kindDescription)", rule: "kfp-shape")
                valid = false
            }
        } else {
            context.sink.error(at: node.offset, path: path, "metric has no 'name'", rule: "kfp-shape")
            valid = false
        }
        let label = name.isEmpty ? "at \(path)" : name

        // Value.
        var value: Double?
        if camel != nil, let snake {
            context.sink.error(
                at: snake.keyOffset, path: path + ".number_value",
                "both numberValue and number_value are given (they are the same field)", rule: "kfp-shape")
            valid = false
        }
        if let member = camel ?? snake {
            value = number(member.value, metric: label, path: jsonPath(path, key: member.key), context: &context)
            if value == nil { valid = false }
        } else {
            context.sink.error(at: node.offset, path: path, "metric '\(label)' has no numberValue", rule: "kfp-number")
            valid = false
        }

        // Format.
        var format = MetricFormat.unspecified
        if let member = formatField {
            switch member.value.value {
            case .string(let text):
                if let parsed = MetricFormat(name: text) {
                    format = parsed
                } else {
                    context.sink.error(
                        at: member.value.offset, path: path + ".format",
                        "unknown format '\(text)' (allowed: RAW, PERCENTAGE, UNSPECIFIED, or none)", rule: "kfp-format")
                    valid = false
                }
            // protojson takes an enum's number too; Int(exactly:), because Int(1e20) traps.
            case .number(let d) where Int(exactly: d).flatMap(MetricFormat.init(rawValue:)) != nil:
                format = Int(exactly: d).flatMap(MetricFormat.init(rawValue:)) ?? .unspecified
            case .null:
                break
            default:
                context.sink.error(
                    at: member.value.offset, path: path + ".format",
                    "format must be RAW, PERCENTAGE or UNSPECIFIED, found \(member.value.kindDescription)",
                    rule: "kfp-format")
                valid = false
            }
        }

        if valid, let value {
            context.addMetric(
                name: name, value: value, format: format, node: node, parent: "$.metrics", step: .element(index))
        }
    }

    /// The value of `numberValue`: a JSON number, or (as protojson allows) a string holding one, or "NaN"/"Infinity".
    private static func number(
        _ node: JSONNode, metric: String, path: @autoclosure () -> String, context: inout ReaderContext
    ) -> Double? {
        switch node.value {
        case .number(let d):
            return d
        case .nonFinite(let d):
            return context.checkNonFinite(d, name: metric, node: node, path: path()) ? d : nil
        case .string(let text):
            if let d = ReaderContext.nonFiniteValue(spelledBy: text) {
                return context.checkNonFinite(d, name: metric, node: node, path: path()) ? d : nil
            }
            if let parsed = try? JSONParser.parse(Array(text.utf8), maxDepth: 1), case .number(let d) = parsed.value {
                return d
            }
        default:
            break
        }
        context.sink.error(
            at: node.offset, path: path(),
            "metric '\(metric)' must have a numeric value, found \(node.kindDescription)", rule: "kfp-number")
        return nil
    }
}
