import KFPModel

/// Reads a KFP v2 executor output: each output's artifacts' `metadata` numbers become `<output>/<key>` metrics.
enum KFPv2Reader {
    /// The top-level fields of KFP's `ExecutorOutput` message.
    private static let topLevelFields: Set<String> = ["artifacts", "parameterValues", "parameters"]

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

    /// Reads one output's artifacts: the numbers of each one's `metadata` become metrics.
    private static func readOutput(_ output: JSONMember, context: inout ReaderContext) {
        let outputKey = output.key
        let outputPath = jsonPath("$.artifacts", key: outputKey)
        guard case .object(let listMembers) = output.value.value,
            let list = listMembers.first(where: { $0.key == "artifacts" }),
            case .array(let artifacts) = list.value.value
        else {
            context.sink.error(
                at: output.value.offset, path: outputPath,
                "output '\(outputKey)' must be an object with an 'artifacts' array", rule: "kfp-shape")
            return
        }
        let artifactCount = artifacts.count
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
            let prefix = artifactCount > 1 ? "\(outputKey)/\(i)" : outputKey
            if entries.contains(where: { isClassification($0.key) }) {
                context.sink.add(
                    .note, at: metadata.value.offset, path: metadataPath,
                    "output '\(outputKey)' is a ClassificationMetrics artifact (confusion matrix, ROC curve): "
                        + "no scalar metrics, skipped")
                continue
            }
            // The candidates are the entries that are not reserved keys; the artifact holds metrics when one of
            // them is a number (or a non-finite one).
            var hasCandidates = false
            var hasScalars = false
            for entry in entries where !isReserved(entry.key) {
                hasCandidates = true
                if ReaderContext.number(in: entry.value) != nil {
                    hasScalars = true
                    break
                }
            }
            if !hasScalars {
                if hasCandidates {
                    context.sink.add(
                        .note, at: metadata.value.offset, path: metadataPath,
                        "output '\(outputKey)' has no numeric metadata: not a Metrics artifact, skipped")
                }
                continue
            }
            // Room for every entry at once, so that a large artifact's list is not copied as it grows.
            var count = 0
            var keyBytes = 0
            for entry in entries {
                count += 1
                keyBytes += entry.rawKeyLength
            }
            context.metrics.reserveCapacity(count, nameBytes: keyBytes + count * (prefix.utf8.count + 1))
            for entry in entries {
                let key = entry.key
                if isReserved(key) { continue }
                if !context.addNumber(prefix: prefix, key: key, node: entry.value, parent: metadataPath) {
                    context.sink.add(
                        .warning, at: entry.value.offset, path: jsonPath(metadataPath, key: key),
                        "'\(prefix)/\(key)' is \(entry.value.kindDescription), not a number: not stored",
                        rule: "not-a-number")
                }
            }
        }
    }

    /// Whether a metadata key is one the KFP UI hides; they are not metrics. (Compared, not hashed: this runs for
    /// every entry.)
    private static func isReserved(_ key: String) -> Bool {
        key == "display_name" || key == "store_session_info"
    }

    /// Whether a metadata key marks a ClassificationMetrics artifact (confusion matrix, ROC points, slices).
    private static func isClassification(_ key: String) -> Bool {
        key == "confusionMatrix" || key == "confidenceMetrics" || key == "evaluationSlices"
    }
}
