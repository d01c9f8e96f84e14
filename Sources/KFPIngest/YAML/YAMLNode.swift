/// A YAML value with the byte offset where it starts, so that every problem can be placed at line:column.
///
/// kfpm reads two kinds of YAML, both written by programs: a run's `params.yaml` (dvclive's `log_params`, or a
/// DVC project's own params file) and MLflow's `meta.yaml` files. `YAMLParser` reads the part of YAML they use
/// and keeps every scalar as the text written: `1e-05` stays `1e-05` whatever a YAML 1.1 or 1.2 reader would
/// make of it.
package struct YAMLNode: Sendable {
    package enum Value: Sendable {
        /// A scalar's text, quotes and escapes resolved. `quoted` when it was written in quotes (so never a
        /// null, a boolean or a number to YAML).
        case scalar(String, quoted: Bool)
        case sequence([YAMLNode])
        /// Members in file order (keys are unique: a key given twice is a syntax error).
        case mapping([YAMLMember])
    }

    package var value: Value
    /// Byte offset of the value's first byte.
    package var offset: Int

    /// A mapping's value for `key`, if the node is a mapping that has it.
    package subscript(key: String) -> YAMLNode? {
        guard case .mapping(let members) = value else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A scalar's text; nil for a collection.
    package var text: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// Whether the node is YAML's null: an unquoted empty scalar, `~`, or `null` in any of its spellings.
    package var isNull: Bool {
        guard case .scalar(let text, false) = value else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }
}

/// One `key: value` member of a mapping.
package struct YAMLMember: Sendable {
    package var key: String
    /// Byte offset of the key's first byte.
    package var keyOffset: Int
    package var value: YAMLNode
}

/// A document that is not YAML kfpm reads, with the byte offset where reading stopped.
package struct YAMLSyntaxError: Error, Sendable, Equatable {
    package var offset: Int
    package var message: String
}
