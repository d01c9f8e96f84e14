import KFPModel

/// Reads a KFP v2 executor output: each output's artifacts' `metadata` numbers become `<output>/<key>` metrics.
enum KFPv2Reader {
    /// The top-level fields of KFP's `ExecutorOutput` message.
    private static let topLevelFields: Set<String> = ["artifacts", "parameterValues", "parameters"]
    /// Metadata keys the KFP UI hides; they are not metrics.
    private static let reservedKeys: Set<String> = ["display_name", "store_session_info"]
    /// Metadata keys that mark a ClassificationMetrics artifact (confusion matrix, ROC points, slices).
    private static let classificationKeys: Set<String> = ["confusionMatrix", "confidenceMetrics", "evaluationSlices"]

    static func read(_ root: JSONNode, context: inout ReaderContext) -> FileReading {
        guard case .object(let rawMembers) = root.value else {
            context.sink.error(
                at: root.offset, path: "$", "an executor output is an object, found \(root.kindDescription)",
                rule: "kfp-shape")
            return context.reading(.kfpV2)
        }
        let members = context.sink.uniqueMembers(rawMembers, path: "$")
        for member in members where !topLevelFields.contains(member.key) {
            context.sink.error(
                at: member.keyOffset, path: jsonPath("$", key: member.key),
                "unknown field '\(member.key)' (an executor output has: artifacts, parameterValues)",
                rule: "kfp-unknown-field")
        }
        guard let artifacts = members.first(where: { $0.key == "artifacts" }) else { return context.reading(.kfpV2) }
        guard case .object(let rawOutputs) = artifacts.value.value else {
            context.sink.error(
                at: artifacts.value.offset, path: "$.artifacts",
                "'artifacts' must be an object of outputs, found \(artifacts.value.kindDescription)", rule: "kfp-shape")
            return context.reading(.kfpV2)
        }
        for output in context.sink.uniqueMembers(rawOutputs, path: "$.artifacts") {
            readOutput(output, context: &context)
        }
        return context.reading(.kfpV2)
    }

    private static func readOutput(_ output: JSONMember, context: inout ReaderContext) {
        let outputPath = jsonPath("$.artifacts", key: output.key)
        guard case .object(let listMembers) = output.value.value,
            let list = listMembers.first(where: { $0.key == "artifacts" }),
            case .array(let artifacts) = list.value.value
        else {
            context.sink.error(
                at: output.value.offset, path: outputPath,
                "output '\(output.key)' must be an object with an 'artifacts' array", rule: "kfp-shape")
            return
        }
        for (i, artifact) in artifacts.enumerated() {
            let artifactPath = "\(outputPath).artifacts[\(i)]"
            guard case .object(let fields) = artifact.value else {
                context.sink.error(
                    at: artifact.offset, path: artifactPath,
                    "an artifact must be an object, found \(artifact.kindDescription)", rule: "kfp-shape")
                continue
            }
            guard let metadata = fields.first(where: { $0.key == "metadata" }),
                case .object(let rawEntries) = metadata.value.value
            else { continue }
            let metadataPath = artifactPath + ".metadata"
            let entries = context.sink.uniqueMembers(rawEntries, path: metadataPath)
            let prefix = artifacts.count > 1 ? "\(output.key)/\(i)" : output.key
            if entries.contains(where: { classificationKeys.contains($0.key) }) {
                context.sink.add(
                    .note, at: metadata.value.offset, path: metadataPath,
                    "output '\(output.key)' is a ClassificationMetrics artifact (confusion matrix, ROC curve): "
                        + "no scalar metrics, skipped")
                continue
            }
            let candidates = entries.filter { !reservedKeys.contains($0.key) }
            let scalars = candidates.filter { ReaderContext.number(in: $0.value) != nil }
            if scalars.isEmpty {
                if !candidates.isEmpty {
                    context.sink.add(
                        .note, at: metadata.value.offset, path: metadataPath,
                        "output '\(output.key)' has no numeric metadata: not a Metrics artifact, skipped")
                }
                continue
            }
            for entry in candidates {
                let name = "\(prefix)/\(entry.key)"
                let path = jsonPath(metadataPath, key: entry.key)
                if !context.addNumber(name: name, node: entry.value, path: path) {
                    context.sink.add(
                        .warning, at: entry.value.offset, path: path,
                        "'\(name)' is \(entry.value.kindDescription), not a number: not stored", rule: "not-a-number")
                }
            }
        }
    }
}
