/// A parameter of a run, such as `lr=0.001`: what the run was given, beside what it measured.
///
/// Values are text exactly as the source wrote them (`1e-05`, `0042`, `True`); where both sides of a comparison
/// are numbers, they compare as numbers (`numericValue`).
package struct Parameter: Sendable, Hashable, Comparable {
    /// The name (NFC): nested keys joined with `/` (`optimizer/betas`).
    package var key: String
    /// The text as written, not normalized.
    package var value: String

    /// A parameter; the key is kept in NFC, the value as given.
    package init(key: String, value: String) {
        self.key = key.nfc
        self.value = value
    }

    /// Parses `KEY=VALUE` (`--param`): the key must be non-empty and the first `=` separates the two.
    package init(parsing text: String) throws(LabelError) {
        let (key, value) = try KeyValueText.split(text)
        self.init(key: key, value: value)
    }

    package static func < (lhs: Parameter, rhs: Parameter) -> Bool {
        (lhs.key, lhs.value) < (rhs.key, rhs.value)
    }

    /// The value as a number when it is written as one (`0.001`, `-3`, `1e-05`, `12`); nil otherwise
    /// (`adam`, `True`, `[0.9, 0.999]`, `0x10`, ` 1`).
    package var numericValue: Double? { Self.number(value) }

    /// Whether two values are the same: as numbers when both are numbers (`0.10` and `0.1`), else as text.
    package static func sameValue(_ a: String, _ b: String) -> Bool {
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }

    /// A decimal number (see `NumberText.decimal`), or nil.
    static func number(_ text: String) -> Double? { NumberText.decimal(Array(text.utf8)[...]) }
}

/// `KEY=VALUE` text, as `--label`, `--where` and `--param` take it: one parser for all of them.
package enum KeyValueText {
    /// Splits at the first `=`; the key must be non-empty and free of white space.
    package static func split(_ text: String) throws(LabelError) -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "=") else { throw LabelError(text: text, reason: "expected KEY=VALUE") }
        let key = String(text[..<equals])
        guard !key.isEmpty else { throw LabelError(text: text, reason: "the key is empty") }
        guard key.allSatisfy({ !$0.isWhitespace && !$0.isNewline }) else {
            throw LabelError(text: text, reason: "the key contains white space")
        }
        return (key, String(text[text.index(after: equals)...]))
    }
}
