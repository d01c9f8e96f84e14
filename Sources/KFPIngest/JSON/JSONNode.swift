/// A JSON value with the byte offset where it starts, so that every problem can be placed at line:column.
///
/// Foundation's decoders give no position on Linux and reject bare `NaN`, so kfpm parses JSON itself.
package struct JSONNode: Sendable {
    /// The kinds of JSON value, plus the non-JSON tokens Python's `json.dump` writes for non-finite floats.
    package enum Value: Sendable {
        case null
        case bool(Bool)
        /// A JSON number, exactly as the nearest double.
        case number(Double)
        /// A bare `NaN`, `Infinity` or `-Infinity` token: not JSON, but what Python writes.
        case nonFinite(Double)
        case string(String)
        case array([JSONNode])
        /// Members in file order; duplicates are kept so that readers can report them.
        case object([JSONMember])
    }

    package var value: Value
    /// Byte offset of the value's first byte in the document.
    package var offset: Int

    /// A short name of the value's kind for messages: `a string "high"`, `an array`, `null`.
    package var kindDescription: String {
        switch value {
        case .null: "null"
        case .bool(let b): "a boolean (\(b))"
        case .number(let d): "the number \(d)"
        case .nonFinite(let d): "a bare \(JSONNode.token(for: d)) token"
        case .string(let s): "a string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The Python spelling of a non-finite double.
    package static func token(for value: Double) -> String {
        value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity")
    }
}

/// One `"key": value` member of a JSON object.
package struct JSONMember: Sendable {
    package var key: String
    /// Byte offset of the key's opening quote.
    package var keyOffset: Int
    package var value: JSONNode
}

/// A document that is not JSON, with the byte offset where reading stopped.
package struct JSONSyntaxError: Error, Sendable, Equatable {
    package var offset: Int
    package var message: String
}
