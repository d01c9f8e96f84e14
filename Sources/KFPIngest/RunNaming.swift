import KFPModel

/// The checks on the names a run is stored under (experiment, run, step, labels, parameters given as options),
/// wherever they come from: the command line or the folders of an import.
package enum RunNaming {
    /// Every problem with the names given: empty, holding control characters, a label key given twice. `file`
    /// says where the names came from (`arguments`, or an import's run folder).
    package static func problems(
        experiment: String? = nil, run: String? = nil, step: String? = nil, labels: [Label] = [],
        params: [Parameter] = [], file: String = "arguments"
    ) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func check(_ value: String, _ what: String, allowEmpty: Bool = false) {
            if value.isEmpty && !allowEmpty {
                problems.append(Diagnostic(.error, file: file, message: "the \(what) is empty", rule: "naming"))
            } else if value.hasControlCharacters {
                problems.append(
                    Diagnostic(
                        .error, file: file,
                        message: "the \(what) '\(value.visibleControlCharacters())' contains control characters",
                        rule: "naming"))
            }
        }
        if let run { check(run, "run name") }
        if let experiment { check(experiment, "experiment name") }
        if let step { check(step, "step") }
        var keys = Set<String>()
        for label in labels {
            check(label.key, "label key")
            check(label.value, "value of label '\(label.key.visibleControlCharacters())'", allowEmpty: true)
            if !keys.insert(label.key).inserted {
                problems.append(
                    Diagnostic(.error, file: file, message: "label '\(label.key)' is given twice", rule: "naming"))
            }
        }
        var paramKeys = Set<String>()
        for param in params {
            check(param.key, "parameter name")
            if !paramKeys.insert(param.key).inserted {
                problems.append(
                    Diagnostic(.error, file: file, message: "parameter '\(param.key)' is given twice", rule: "naming"))
            }
        }
        return problems
    }
}
