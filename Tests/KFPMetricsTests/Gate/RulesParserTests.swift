import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// Rules files (YAML and JSON) and inline rules: what they mean, and where they are wrong.
struct RulesParserTests {
    @Test func yamlRulesFile() throws {
        let text = String(decoding: try Fixtures.bytes("gate/rules.yaml"), as: UTF8.self)
        let parsed = RulesParser.parse(text, file: "rules.yaml")
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.rules.rules.count == 3)
        var expected = GateRule(
            metric: Glob("accuracy-score"), min: 0.85, warn: .percentagePoints(0.5), fail: .percentagePoints(1),
            origin: "rules.yaml:5:5")
        expected.place = Diagnostic(.error, file: "rules.yaml", line: 5, column: 5, message: "")
        #expect(parsed.rules.rules[0] == expected)
        #expect(parsed.rules.rules[2].optional && !parsed.rules.rules[0].optional)
        #expect(parsed.rules.defaultRule?.warn == .relative(percent: 5))
        #expect(parsed.rules.onMissing == .fail)
    }

    @Test func jsonRulesFile() throws {
        let text = String(decoding: try Fixtures.bytes("gate/rules.json"), as: UTF8.self)
        let parsed = RulesParser.parse(text, file: "rules.json")
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.rules.onMissing == .warn)
        #expect(parsed.rules.rules.map(\.metric.pattern) == ["accuracy-score", "*loss"])
        #expect(parsed.rules.rules[1].direction == .lowerIsBetter)
    }

    @Test func everyProblemWithLineColumnAndAllowedValues() throws {
        let text = String(decoding: try Fixtures.bytes("gate/broken.yaml"), as: UTF8.self)
        let messages = RulesParser.parse(text, file: "broken.yaml").diagnostics.map(\.description)
        #expect(messages == [
            "broken.yaml:4:5: error: unknown key 'threshold' in a rule (allowed: metric, direction, min, max, warn, fail, sigma, on_missing, at, optional) [rules]",
            "broken.yaml:6:16: error: invalid direction 'down' (allowed: higher, lower) [rules]",
            "broken.yaml:7:11: error: invalid warn '-5%' (allowed: an amount ≥ 0 such as 0.01, a percentage such as 2%, or percentage points such as 1pp) [rules]",
            "broken.yaml:8:13: error: invalid on_missing 'sometimes' (allowed: fail, warn, ignore) [rules]",
        ])
    }

    @Test func syntaxErrorsAndShapes() {
        #expect(RulesParser.parse("rules: [\n", file: "f").diagnostics.first?.description.hasPrefix("f:2:1: error: invalid YAML") == true)
        #expect(RulesParser.parse("- a\n", file: "f").diagnostics.first?.message.contains("a rules file is a mapping") == true)
        #expect(RulesParser.parse("rules:\n  - fail: 1\n", file: "f").diagnostics.first?.message.contains("needs 'metric'") == true)
        #expect(RulesParser.parse("a: 1\na: 2\n", file: "f").diagnostics.first?.message.contains("duplicate key") == true)
        #expect(RulesParser.parse("rules:\n  - metric: x\n    min: 2\n    max: 1\n", file: "f").diagnostics.first?.message.contains("greater than max") == true)
        #expect(RulesParser.parse("", file: "f").diagnostics.count == 1)
    }

    @Test func inlineRules() throws {
        let rule = try RulesParser.parseInline("latency*:direction=lower,fail=10%,warn=5%,max=200")
        #expect(rule.metric == Glob("latency*"))
        #expect(rule.direction == .lowerIsBetter)
        #expect(rule.fail == .relative(percent: 10))
        #expect(rule.max == 200)
        #expect(throws: InlineRuleError.self) { try RulesParser.parseInline("nocolon") }
        #expect(throws: InlineRuleError.self) { try RulesParser.parseInline("x:fail") }
        #expect(throws: InlineRuleError.self) { try RulesParser.parseInline("x:bogus=1") }
    }
}
