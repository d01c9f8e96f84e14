import ArgumentParser
import KFPModel
import KFPRender
import KFPReports

/// Parses repeated `KEY=VALUE` options (`--label`, `--where`, `--param`) with `parse`; a malformed one is a usage
/// error naming the option.
func parseKeyValues<T>(_ texts: [String], option: String, as parse: (String) throws(LabelError) -> T) throws -> [T] {
    try texts.map { text in
        do {
            return try parse(text)
        } catch {
            throw ValidationError("\(option) \(error)")
        }
    }
}

/// `--label` and `--where` values.
func parseLabels(_ texts: [String], option: String) throws -> [Label] {
    try parseKeyValues(texts, option: option, as: Label.init(parsing:))
}

extension OutputFormat: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}

/// A parse error of an option value, shown after the option's name in a usage error.
struct ArgumentFailure: Error, CustomStringConvertible {
    var description: String
}

/// `--baseline`, parsed once, as the option is read.
func parseBaseline(_ text: String) throws -> BaselineSelector {
    do { return try BaselineSelector(parsing: text) } catch { throw ArgumentFailure(description: error.description) }
}

/// `--rule`, parsed once, as the option is read.
func parseRule(_ text: String) throws -> GateRule {
    do { return try RulesParser.parseInline(text) } catch { throw ArgumentFailure(description: error.description) }
}

/// `--at`, parsed once, as the option is read.
func parsePosition(_ text: String) throws -> SeriesPosition {
    do { return try SeriesPosition(parsing: text) } catch { throw ArgumentFailure(description: error.description) }
}
