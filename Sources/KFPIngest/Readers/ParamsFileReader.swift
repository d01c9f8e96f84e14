import KFPModel

/// A parameter as read from one input, with where it was found (for messages such as a key given twice).
package struct ReadParameter: Sendable {
    package var key: String
    package var value: String
    package var file: String
    package var offset: Int
    package var lines: LineIndex?

    /// Where the parameter stands, for messages about it.
    package var location: Diagnostic {
        let position = lines?.position(of: offset)
        return Diagnostic(.error, file: file, line: position?.line, column: position?.column, message: "")
    }
}

/// What reading one parameters file gave.
package struct ParamsReading: Sendable {
    package var params: [ReadParameter]
    package var diagnostics: [Diagnostic]

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Reads a `params.yaml`: dvclive's `log_params` output, or a DVC project's own parameters file. Every leaf is a
/// parameter, nested keys joined with `/` (`model/head/dropout`), in file order; a list is one parameter whose
/// value is written in YAML's flow style (`[0.9, 0.999]`). Values are the text as written (`1e-05`, `0042`,
/// `false`), quotes removed.
package enum ParamsFileReader {
    /// Reads `bytes`, named `file` in messages.
    package static func read(_ bytes: [UInt8], file: String) -> ParamsReading {
        var sink = DiagnosticSink(file: file, bytes: bytes)
        var params: [ReadParameter] = []
        func finish() -> ParamsReading { ParamsReading(params: params, diagnostics: sink.diagnostics) }
        if let problem = TextEncoding.problem(bytes) {
            sink.error(at: problem.offset, problem.message, rule: "encoding")
            return finish()
        }
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(bytes)
        } catch {
            sink.error(at: error.offset, "invalid YAML: \(error.message)", rule: "yaml-syntax")
            return finish()
        }
        guard let root, !root.isNull else { return finish() }
        guard case .mapping(let members) = root.value else {
            sink.error(at: root.offset, "a parameters file is a mapping of names to values, found \(kind(root))", rule: "params-shape")
            return finish()
        }
        walk(members, prefix: "", file: file, sink: &sink, into: &params)
        return finish()
    }

    /// Adds every leaf below a mapping, its key joined to the prefix with `/`.
    private static func walk(
        _ members: [YAMLMember], prefix: String, file: String, sink: inout DiagnosticSink, into params: inout [ReadParameter]
    ) {
        for member in members {
            let key = prefix.isEmpty ? member.key : prefix + "/" + member.key
            if member.key.isEmpty {
                sink.error(at: member.keyOffset, "empty parameter name", rule: "empty-name")
                continue
            }
            if key.hasControlCharacters {
                sink.error(
                    at: member.keyOffset, "parameter name '\(key.visibleControlCharacters())' contains control characters",
                    rule: "naming")
                continue
            }
            if case .mapping(let nested) = member.value.value {
                walk(nested, prefix: key, file: file, sink: &sink, into: &params)
                continue
            }
            params.append(
                ReadParameter(key: key, value: text(member.value), file: file, offset: member.value.offset, lines: sink.lines))
        }
    }

    /// A value as text: a scalar as written; a list or a mapping inside a list in flow style, items that need it
    /// quoted (`[0.9, 0.999]`, `[{name: a}, 'x, y']`).
    static func text(_ node: YAMLNode) -> String {
        switch node.value {
        case .scalar(let text, _): return text
        case .sequence(let items): return "[" + items.map(flowItem).joined(separator: ", ") + "]"
        case .mapping(let members): return "{" + members.map { "\(flowScalar($0.key)): \(flowItem($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    private static func flowItem(_ node: YAMLNode) -> String {
        if case .scalar(let text, _) = node.value { return flowScalar(text) }
        return text(node)
    }

    /// A scalar inside a flow collection, single-quoted when its text would read otherwise there.
    private static func flowScalar(_ text: String) -> String {
        let special = text.isEmpty || text.first == " " || text.last == " "
            || text.contains { ",[]{}#'\"\n".contains($0) } || text.containsBytes(of: ": ") || text.hasSuffix(":")
        return special ? "'" + text.replacingBytes(of: "'", with: "''") + "'" : text
    }

    private static func kind(_ node: YAMLNode) -> String {
        switch node.value {
        case .scalar(let text, _): "a single value '\(text.prefix(40))'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
