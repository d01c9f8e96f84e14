import FoundationEssentials
import KFPIngest
import KFPModel
import KFPStore

/// Reads gate rules from a YAML or JSON file (JSON is read as YAML, by the YAML reader of KFPIngest) and from inline `--rule` expressions,
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
        let bytes = Array(text.utf8)
        var context = Context(sink: DiagnosticSink(file: file, bytes: bytes))
        var set = GateRuleSet()
        // A .json file is held to JSON's own grammar (YAML would accept a trailing comma or a comment).
        if file.hasSuffix(".json") {
            do {
                _ = try JSONParser.parse(bytes)
            } catch {
                context.sink.error(at: error.offset, "invalid JSON: \(error.message)", rule: "rules")
                return (set, context.sink.diagnostics)
            }
        }
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(bytes)
        } catch {
            context.sink.error(at: error.offset, "invalid YAML: \(error.message)", rule: "rules")
            return (set, context.sink.diagnostics)
        }
        guard let root, case .mapping(let members) = root.value else {
            context.add(root?.offset, "a rules file is a mapping with the keys \(topLevelKeys.joined(separator: ", "))")
            return (set, context.sink.diagnostics)
        }
        for member in members {
            let value = member.value
            switch member.key {
            case "version":
                if value.text.flatMap({ Int($0) }) != 1 {
                    context.add(value.offset, "unsupported version '\(value.text ?? "?")' (allowed: 1)")
                }
            case "on_missing":
                if let policy = context.missingPolicy(value) { set.onMissing = policy }
            case "default":
                set.defaultRule = context.rule(value, requireMetric: false, defaultMetric: "*")
            case "rules":
                guard case .sequence(let sequence) = value.value else {
                    context.add(value.offset, "'rules' must be a list of rules, each a mapping with 'metric'")
                    continue
                }
                set.rules = sequence.compactMap { context.rule($0, requireMetric: true, defaultMetric: nil) }
            default:
                context.add(member.keyOffset, "unknown key '\(member.key)' (allowed: \(topLevelKeys.joined(separator: ", ")))")
            }
        }
        return (set, context.sink.diagnostics)
    }

    /// Collects diagnostics for one file.
    private struct Context {
        var sink: DiagnosticSink

        mutating func add(_ offset: Int?, _ message: String) {
            sink.error(at: offset, message, rule: "rules")
        }

        mutating func missingPolicy(_ node: YAMLNode) -> MissingPolicy? {
            guard let text = node.text, let policy = MissingPolicy(rawValue: text) else {
                add(node.offset, "invalid on_missing '\(node.text ?? "?")' (allowed: fail, warn, ignore)")
                return nil
            }
            return policy
        }

        mutating func number(_ node: YAMLNode, _ key: String) -> Double? {
            guard let text = node.text, let value = Double(text), value.isFinite else {
                add(node.offset, "'\(key)' must be a number, found '\(node.text ?? "a \(node.kindName)")'")
                return nil
            }
            return value
        }

        /// Parses one rule mapping; nil (with diagnostics) when it is not valid.
        mutating func rule(_ node: YAMLNode, requireMetric: Bool, defaultMetric: String?) -> GateRule? {
            guard case .mapping(let members) = node.value else {
                add(node.offset, "a rule is a mapping with the keys \(ruleKeys.map(\.0).joined(separator: ", "))")
                return nil
            }
            let before = sink.diagnostics.count
            let place = sink.position(of: node.offset)
            var rule = GateRule(metric: Glob(defaultMetric ?? ""), origin: "\(sink.file):\(place?.line ?? 0):\(place?.column ?? 0)")
            rule.place = Diagnostic(.error, file: sink.file, line: place?.line, column: place?.column, message: "")
            for member in members {
                let value = member.value
                switch member.key {
                case "metric" where requireMetric:
                    guard let text = value.text, !text.isEmpty else {
                        add(value.offset, "'metric' must be a metric name or glob")
                        continue
                    }
                    rule.metric = Glob(text)
                case "direction":
                    switch value.text {
                    case "higher": rule.direction = .higherIsBetter
                    case "lower": rule.direction = .lowerIsBetter
                    default: add(value.offset, "invalid direction '\(value.text ?? "?")' (allowed: higher, lower)")
                    }
                case "min": rule.min = number(value, member.key)
                case "max": rule.max = number(value, member.key)
                case "warn", "fail":
                    guard let text = value.text, let threshold = Threshold(parsing: text) else {
                        add(value.offset, "invalid \(member.key) '\(value.text ?? "?")' (allowed: an amount ≥ 0 such as 0.01, a percentage such as 2%, or percentage points such as 1pp)")
                        continue
                    }
                    if member.key == "warn" { rule.warn = threshold } else { rule.fail = threshold }
                case "sigma":
                    if let sigma = number(value, member.key) {
                        if sigma > 0 { rule.sigma = sigma } else { add(value.offset, "'sigma' must be greater than 0") }
                    }
                case "on_missing": rule.onMissing = missingPolicy(value)
                case "optional":
                    switch value.text {
                    case "true": rule.optional = true
                    case "false": rule.optional = false
                    default: add(value.offset, "invalid optional '\(value.text ?? "?")' (allowed: true, false)")
                    }
                case "at":
                    guard let text = value.text, let position = try? SeriesPosition(parsing: text) else {
                        add(value.offset, "invalid at '\(value.text ?? "?")' (allowed: final, best, last, step=N)")
                        continue
                    }
                    rule.at = position
                default:
                    let allowed = ruleKeys.filter { requireMetric || $0.0 != "metric" }.map(\.0).joined(separator: ", ")
                    add(member.keyOffset, "unknown key '\(member.key)' in a rule (allowed: \(allowed))")
                }
            }
            if requireMetric && !members.contains(where: { $0.key == "metric" }) {
                add(node.offset, "a rule needs 'metric': the name or glob of the metrics it covers")
            }
            if let min = rule.min, let max = rule.max, min > max {
                add(node.offset, "min \(NumberText.exact(min)) is greater than max \(NumberText.exact(max))")
            }
            return sink.diagnostics.count == before ? rule : nil
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
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
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
        "\"" + text.replacingBytes(of: "\\", with: "\\\\").replacingBytes(of: "\"", with: "\\\"") + "\""
    }
}

/// A `--rule` that cannot be read.
package struct InlineRuleError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var reason: String
    package var description: String { "invalid --rule '\(text)': \(reason)" }
}

extension YAMLNode {
    /// The kind of node for messages.
    var kindName: String {
        switch value {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "list"
        }
    }
}
