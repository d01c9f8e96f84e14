import ArgumentParser
import KFPModel
import KFPRender
import KFPReports

/// `--param KEY=VALUE`, parsed as the option is read.
func parseParameter(_ text: String) throws -> Parameter {
    do { return try Parameter(parsing: text) } catch { throw ArgumentFailure(description: error.description) }
}

extension OutputFormat: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}

/// A parse error of an option value, shown after the option's name in a usage error.
struct ArgumentFailure: Error, CustomStringConvertible {
    var description: String
}

/// `--where`, parsed as the option is read: a malformed condition is a usage error that shows the syntax.
func parseLabelFilter(_ text: String) throws -> LabelFilter {
    do { return try LabelFilter(parsing: text) } catch { throw ArgumentFailure(description: error.description) }
}

/// `--label KEY=VALUE`, parsed as the option is read.
func parseLabel(_ text: String) throws -> Label {
    do { return try Label(parsing: text) } catch { throw ArgumentFailure(description: error.description) }
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
