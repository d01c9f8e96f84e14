/// One problem (or note) found in an input, with where it is: file, line:column and JSON path.
///
/// Printed GCC-style so that editors and CI logs link to it:
/// `metrics.json:4:22: error: $.metrics[2].numberValue: must be a number, found a string "high" [kfp-number]`.
package struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Severity: String, Sendable {
        /// The invocation stores nothing and exits 2.
        case error
        /// Stored, but worth knowing (KFP itself would treat it differently).
        case warning
        /// Information: something skipped on purpose.
        case note
    }

    package var severity: Severity
    /// The input's name: a path, `-` for standard input, `a.tgz:data` inside an archive.
    package var file: String
    package var line: Int?
    package var column: Int?
    /// The JSON path, such as `$.metrics[2].name`, when the problem is at a value.
    package var path: String?
    package var message: String
    /// A short, stable id of the rule broken, e.g. `kfp-name-pattern`, for scripts and docs.
    package var rule: String?

    package init(
        _ severity: Severity, file: String, line: Int? = nil, column: Int? = nil, path: String? = nil,
        message: String, rule: String? = nil
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.rule = rule
    }

    package var description: String {
        var text = file
        if let line { text += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        text += ": \(severity.rawValue): "
        if let path { text += "\(path): " }
        text += message
        if let rule { text += " [\(rule)]" }
        return text
    }
}
