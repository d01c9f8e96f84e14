import KFPIngest
import KFPModel

/// What `kfpm validate` found: each input that reads without errors, and every diagnostic.
package struct ValidationResult: Sendable {
    /// An input that passed: its path, the format it was read as, how many metrics it holds.
    package struct Passed: Sendable {
        package var path: String
        package var format: InputFormat
        package var metricCount: Int
    }

    package var passed: [Passed]
    package var diagnostics: [Diagnostic]

    /// The errors, and how many inputs they are in.
    package var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    package var inputsWithErrors: Int { Set(diagnostics.filter { $0.severity == .error }.map(\.file)).count }
}

/// `kfpm validate`: the ingest readers and checks, one input at a time, storing nothing.
package enum Validator {
    /// Reads and checks every input; with `options.kfpRules`, KFP's own rules apply exactly.
    package static func validate(
        _ paths: [String], options: ReadOptions, standardInput: () throws -> [UInt8]
    ) -> ValidationResult {
        let collected = InputCollector.collect(paths, limits: options.limits, standardInput: standardInput)
        var result = ValidationResult(passed: [], diagnostics: collected.diagnostics)
        for input in collected.inputs {
            let plan = IngestPlanner.plan([input], step: nil, options: options)
            result.diagnostics += plan.diagnostics
            if !plan.hasErrors, let source = plan.sources.first {
                result.passed.append(
                    ValidationResult.Passed(path: input.path, format: source.inputFormat, metricCount: source.metricCount))
            }
        }
        return result
    }
}
