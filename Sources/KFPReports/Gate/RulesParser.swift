import Foundation
import KFPIngest
import KFPModel
import KFPStore
import Yams

/// Reads gate rules from a YAML or JSON file (JSON is read as YAML) and from inline `--rule` expressions,
/// reporting every problem with file:line:column and the allowed keys or values.
package enum RulesParser {
    /// The keys of a rule, with what each takes, for messages.
    static let ruleKeys: [(String, String)] = [
        ("metric", "a metric name or glob"), ("direction", "higher or lower"), ("min", "a number"),
        ("max", "a number"), ("warn", "an amount: 0.01, 2% or 1pp"), ("fail", "an amount: 0.01, 2% or 1pp"),
        ("sigma", "a number > 0"), ("on_missing", "fail, warn or ignore"), ("at", "final, best, last or step=N"),
        ("optional", "true when the rule may match no metric"),
    ]
    static let topLevelKeys = ["version", "on_missing", "default", "rules"]

    // MARK: - Files

    /// Parses a rules file's text. `file` names it in diagnostics.
    package static func parse(_ text: String, file: String) -> (rules: GateRuleSet, diagnostics: [Diagnostic]) {
        var context = Context(file: file)
        var set = GateRuleSet()
        // A .json file is held to JSON's own grammar (YAML would accept a trailing comma or a comment).
        if file.hasSuffix(".json") {
            let bytes = Array(text.utf8)
            do {
                _ = try JSONParser.parse(bytes)
            } catch {
                let position = LineIndex(bytes).position(of: error.offset)
                let diagnostic = Diagnostic(
                    .error, file: file, line: position.line, column: position.column, message: "invalid JSON: \(error.message)",
                    rule: "rules")
                return (set, [diagnostic])
            }
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            context.error(error)
            return (set, context.diagnostics)
        } catch {
            context.add(nil, "cannot read the rules: \(error)")
            return (set, context.diagnostics)
        }
        guard let root, let mapping = root.mapping else {
            context.add(root, "a rules file is a mapping with the keys \(topLevelKeys.joined(separator: ", "))")
            return (set, context.diagnostics)
        }
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                context.add(keyNode, "keys must be strings")
                continue
            }
            switch key {
            case "version":
                if value.int != 1 { context.add(value, "unsupported version '\(value.string ?? "?")' (allowed: 1)") }
            case "on_missing":
                if let policy = context.missingPolicy(value) { set.onMissing = policy }
            case "default":
                set.defaultRule = context.rule(value, requireMetric: false, defaultMetric: "*")
            case "rules":
                guard let sequence = value.sequence else {
                    context.add(value, "'rules' must be a list of rules, each a mapping with 'metric'")
                    continue
                }
                set.rules = sequence.compactMap { context.rule($0, requireMetric: true, defaultMetric: nil) }
            default:
                context.add(keyNode, "unknown key '\(key)' (allowed: \(topLevelKeys.joined(separator: ", ")))")
            }
        }
        return (set, context.diagnostics)
    }

    /// Collects diagnostics for one file.
    private struct Context {
        let file: String
        var diagnostics: [Diagnostic] = []

        mutating func add(_ node: Node?, _ message: String) {
            diagnostics.append(
                Diagnostic(.error, file: file, line: node?.mark?.line, column: node?.mark?.column, message: message, rule: "rules"))
        }

        mutating func error(_ error: YamlError) {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                diagnostics.append(
                    Diagnostic(.error, file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)", rule: "rules"))
            case .duplicatedKeysInMapping(let duplicates, let context):
                diagnostics.append(
                    Diagnostic(
                        .error, file: file, line: context.mark.line, column: context.mark.column,
                        message: "duplicate key \(duplicates.joined(separator: ", "))", rule: "rules"))
            default:
                diagnostics.append(Diagnostic(.error, file: file, message: "invalid YAML: \(error)", rule: "rules"))
            }
        }

        mutating func missingPolicy(_ node: Node) -> MissingPolicy? {
            guard let text = node.string, let policy = MissingPolicy(rawValue: text) else {
                add(node, "invalid on_missing '\(node.string ?? "?")' (allowed: fail, warn, ignore)")
                return nil
            }
            return policy
        }

        mutating func number(_ node: Node, _ key: String) -> Double? {
            guard node.scalar != nil, let text = node.string, let value = Double(text), value.isFinite else {
                add(node, "'\(key)' must be a number, found '\(node.string ?? "a \(node.kindName)")'")
                return nil
            }
            return value
        }

        /// Parses one rule mapping; nil (with diagnostics) when it is not valid.
        mutating func rule(_ node: Node, requireMetric: Bool, defaultMetric: String?) -> GateRule? {
            guard let mapping = node.mapping else {
                add(node, "a rule is a mapping with the keys \(ruleKeys.map(\.0).joined(separator: ", "))")
                return nil
            }
            let before = diagnostics.count
            var fields: [String: String] = [:]
            var rule = GateRule(
                metric: Glob(defaultMetric ?? ""), origin: "\(file):\(node.mark?.line ?? 0):\(node.mark?.column ?? 0)")
            rule.place = Diagnostic(.error, file: file, line: node.mark?.line, column: node.mark?.column, message: "")
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? ""
                switch key {
                case "metric" where requireMetric:
                    guard let text = value.string, value.scalar != nil, !text.isEmpty else {
                        add(value, "'metric' must be a metric name or glob")
                        continue
                    }
                    rule.metric = Glob(text)
                    fields["metric"] = text
                case "direction":
                    switch value.string {
                    case "higher": rule.direction = .higherIsBetter
                    case "lower": rule.direction = .lowerIsBetter
                    default: add(value, "invalid direction '\(value.string ?? "?")' (allowed: higher, lower)")
                    }
                case "min": rule.min = number(value, key)
                case "max": rule.max = number(value, key)
                case "warn", "fail":
                    guard value.scalar != nil, let text = value.string, let threshold = Threshold(parsing: text) else {
                        add(value, "invalid \(key) '\(value.string ?? "?")' (allowed: an amount ≥ 0 such as 0.01, a percentage such as 2%, or percentage points such as 1pp)")
                        continue
                    }
                    if key == "warn" { rule.warn = threshold } else { rule.fail = threshold }
                case "sigma":
                    if let value = number(value, key) {
                        if value > 0 { rule.sigma = value } else { add(mapping[key], "'sigma' must be greater than 0") }
                    }
                case "on_missing": rule.onMissing = missingPolicy(value)
                case "optional":
                    switch value.string {
                    case "true": rule.optional = true
                    case "false": rule.optional = false
                    default: add(value, "invalid optional '\(value.string ?? "?")' (allowed: true, false)")
                    }
                case "at":
                    guard value.scalar != nil, let text = value.string, let position = try? SeriesPosition(parsing: text) else {
                        add(value, "invalid at '\(value.string ?? "?")' (allowed: final, best, last, step=N)")
                        continue
                    }
                    rule.at = position
                default:
                    let allowed = ruleKeys.filter { requireMetric || $0.0 != "metric" }.map(\.0).joined(separator: ", ")
                    add(keyNode, "unknown key '\(key)' in a rule (allowed: \(allowed))")
                }
            }
            if requireMetric && fields["metric"] == nil && !mapping.keys.contains(where: { $0.string == "metric" }) {
                add(node, "a rule needs 'metric': the name or glob of the metrics it covers")
            }
            if let min = rule.min, let max = rule.max, min > max {
                add(node, "min \(NumberText.exact(min)) is greater than max \(NumberText.exact(max))")
            }
            return diagnostics.count == before ? rule : nil
        }
    }

    // MARK: - Inline rules

    /// Parses `--rule 'GLOB:KEY=VALUE,KEY=VALUE'`, e.g. `accuracy*:fail=1pp,warn=0.5pp` or `latency*:direction=lower,fail=10%`.
    package static func parseInline(_ text: String) throws(InlineRuleError) -> GateRule {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else {
            throw InlineRuleError(text: text, reason: "expected GLOB:KEY=VALUE[,KEY=VALUE…], e.g. 'accuracy:fail=1pp'")
        }
        let glob = String(text[..<colon])
        var yaml = "metric: \(yamlQuoted(glob))\n"
        for part in text[text.index(after: colon)...].split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty else {
                throw InlineRuleError(text: text, reason: "'\(part)' is not KEY=VALUE")
            }
            yaml += "\(yamlQuoted(pair[0])): \(yamlQuoted(pair[1]))\n"
        }
        let parsed = parse("rules:\n" + yaml.split(separator: "\n").enumerated().map { ($0.offset == 0 ? "  - " : "    ") + $0.element }.joined(separator: "\n"), file: "--rule")
        if let problem = parsed.diagnostics.first {
            throw InlineRuleError(text: text, reason: problem.message)
        }
        guard var rule = parsed.rules.rules.first else { throw InlineRuleError(text: text, reason: "no rule") }
        rule.origin = "--rule \(text)"
        rule.place = nil
        return rule
    }

    /// A YAML double-quoted scalar of any text.
    private static func yamlQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// A `--rule` that cannot be read.
package struct InlineRuleError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var reason: String
    package var description: String { "invalid --rule '\(text)': \(reason)" }
}

extension Node {
    /// The kind of node for messages.
    var kindName: String {
        switch self {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }
}
