/// Whether a larger value of a metric is better or worse.
package enum Direction: String, Sendable, CaseIterable, Codable {
    case higherIsBetter = "higher"
    case lowerIsBetter = "lower"

    /// Name parts that mean "lower is better" when a name part equals or ends with them (`val_loss`, `logloss`,
    /// `error_rate`, `inference_time_ms`).
    private static let lowerWords = ["loss", "error", "perplexity", "latency", "time", "duration"]
    /// Short name parts that mean "lower is better" only when a part is exactly one of them (`power` is no `wer`).
    private static let lowerTokens: Set<String> = ["mse", "mae", "rmse", "wer", "cer", "err"]

    /// The direction a metric's name suggests: lower is better for losses, errors, perplexity, word error
    /// rate, latency, time and duration; higher is better otherwise.
    package static func inferred(from name: String) -> Direction {
        for part in nameParts(name) {
            if lowerTokens.contains(part) || lowerWords.contains(where: { part == $0 || part.hasSuffix($0) }) {
                return .lowerIsBetter
            }
        }
        return .higherIsBetter
    }

    /// Lower-cased parts of a name, split at anything not a letter or digit and at camelCase boundaries.
    static func nameParts(_ name: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var previousLower = false
        for character in name {
            guard character.isLetter || character.isNumber else {
                if !current.isEmpty { parts.append(current) }
                current = ""
                previousLower = false
                continue
            }
            if character.isUppercase && previousLower && !current.isEmpty {
                parts.append(current)
                current = ""
            }
            current += character.lowercased()
            previousLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// Whether `new` is better than `old` in this direction; nil when they are equal.
    package func isBetter(_ new: Double, than old: Double) -> Bool? {
        if new == old { return nil }
        return self == .higherIsBetter ? new > old : new < old
    }
}

/// User overrides of the inferred direction: globs for lower-is-better and higher-is-better names.
/// The first matching glob wins, lower-is-better ones checked first; otherwise the name decides.
package struct DirectionPolicy: Sendable {
    package var lowerIsBetter: [Glob]
    package var higherIsBetter: [Glob]

    package init(lowerIsBetter: [Glob] = [], higherIsBetter: [Glob] = []) {
        self.lowerIsBetter = lowerIsBetter
        self.higherIsBetter = higherIsBetter
    }

    /// The direction of a metric.
    package func direction(of name: String) -> Direction {
        if lowerIsBetter.contains(where: { $0.matches(name) }) { return .lowerIsBetter }
        if higherIsBetter.contains(where: { $0.matches(name) }) { return .higherIsBetter }
        return Direction.inferred(from: name)
    }
}
