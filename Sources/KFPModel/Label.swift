/// A label of a run, such as `branch=main`.
package struct Label: Sendable, Hashable, Comparable {
    package var key: String
    package var value: String

    /// A label; key and value are kept in NFC.
    package init(key: String, value: String) {
        self.key = key.nfc
        self.value = value.nfc
    }

    /// Parses `KEY=VALUE`; the key must be non-empty and the first `=` separates the two.
    package init(parsing text: String) throws(LabelError) {
        let (key, value) = try KeyValueText.split(text)
        self.init(key: key, value: value)
    }

    package static func < (lhs: Label, rhs: Label) -> Bool {
        (lhs.key, lhs.value) < (rhs.key, rhs.value)
    }
}

/// A `--label`, `--where` or `--param` argument that is not `KEY=VALUE`.
package struct LabelError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var reason: String
    package var description: String { "invalid label '\(text)': \(reason)" }
}
