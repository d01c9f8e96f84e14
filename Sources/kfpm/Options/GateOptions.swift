import ArgumentParser
import KFPMetrics
import KFPModel
import KFPReports

/// The gate's baseline, rules and policies, shared by `kfpm gate` and `kfpm report --gate`.
struct GateOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The baseline: RUN, previous (the default), latest:KEY=VALUE or window:N[:KEY=VALUE].", valueName: "selector"),
        transform: parseBaseline)
    var baseline: BaselineSelector?

    @Option(name: .long, help: ArgumentHelp("A rules file, YAML or JSON.", valueName: "file"))
    var rules: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "An inline rule, GLOB:KEY=VALUE[,KEY=VALUE...] (repeatable), e.g. 'accuracy*:fail=1pp,warn=0.5pp'.",
            valueName: "rule"),
        transform: parseRule)
    var rule: [GateRule] = []

    @Flag(name: .long, help: "Fail the gate on warnings too.")
    var failOnWarn = false

    @Flag(name: .long, help: "Fail the gate when a rule applies to no metric.")
    var strict = false

    @Flag(name: .long, help: "When no baseline is found, check absolute bounds only instead of failing with exit 2.")
    var allowNoBaseline = false

    /// Whether none of these options was given.
    var isEmpty: Bool {
        baseline == nil && rules == nil && rule.isEmpty && !failOnWarn && !strict && !allowNoBaseline
    }

    /// The gate of `candidate` these options ask for.
    func request(candidate: String, experiment: String, directions: DirectionPolicy) -> GateRequest {
        var options = GateEvaluator.Options()
        options.failOnWarn = failOnWarn
        options.strict = strict
        options.allowNoBaseline = allowNoBaseline
        options.directions = directions
        return GateRequest(
            candidate: candidate, experiment: experiment, baseline: baseline ?? .previous, rulesFile: rules,
            inlineRules: rule, options: options)
    }
}
