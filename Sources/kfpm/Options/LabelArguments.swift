import ArgumentParser
import KFPMetrics

/// Parses repeated `KEY=VALUE` options (`--label`, `--where`) into labels; a malformed one is a usage error.
func parseLabels(_ texts: [String], option: String) throws -> [Label] {
    try texts.map { text in
        do {
            return try Label(parsing: text)
        } catch {
            throw ValidationError("\(option) \(error)")
        }
    }
}
