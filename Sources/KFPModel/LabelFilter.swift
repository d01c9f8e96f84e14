/// A condition on a run's labels, as `--where` takes it: `KEY=VALUE` (the value may be a glob), `KEY!=VALUE`
/// (runs without a matching value, including runs without the label), `KEY` (has the label) and `!KEY` (lacks it).
package enum LabelFilter: Sendable, Hashable, CustomStringConvertible {
    case equals(key: String, value: Glob)
    case differs(key: String, value: Glob)
    case has(key: String)
    case lacks(key: String)

    /// The syntax, for messages.
    package static let syntax = "KEY=VALUE, KEY!=VALUE (VALUE may be a glob such as feat-*), KEY or !KEY"

    /// Parses one condition; a malformed one names the syntax.
    package init(parsing text: String) throws(LabelError) {
        func key(_ raw: Substring) throws(LabelError) -> String {
            let key = String(raw)
            guard !key.isEmpty else { throw LabelError(text: text, reason: "the key is empty; use \(Self.syntax)") }
            guard key.allSatisfy({ !$0.isWhitespace && $0 != "=" && $0 != "!" }) else {
                throw LabelError(text: text, reason: "'\(key)' is not a label key; use \(Self.syntax)")
            }
            return key.nfc
        }
        if let bang = text.indices.first(where: { text[$0...].hasPrefix("!=") }) {
            let value = text.index(bang, offsetBy: 2)
            self = .differs(key: try key(text[..<bang]), value: Glob(String(text[value...])))
        } else if let equals = text.firstIndex(of: "=") {
            self = .equals(key: try key(text[..<equals]), value: Glob(String(text[text.index(after: equals)...])))
        } else if text.hasPrefix("!") {
            self = .lacks(key: try key(text.dropFirst()))
        } else {
            self = .has(key: try key(Substring(text)))
        }
    }

    /// A filter that matches exactly this label (its value taken as a glob: `*`, `?` and `[` match patterns).
    package init(_ label: Label) {
        self = .equals(key: label.key, value: Glob(label.value))
    }

    /// Whether a run with these labels passes.
    package func matches(_ labels: [Label]) -> Bool {
        switch self {
        case .equals(let key, let value): labels.contains { $0.key == key && value.matches($0.value) }
        case .differs(let key, let value): !labels.contains { $0.key == key && value.matches($0.value) }
        case .has(let key): labels.contains { $0.key == key }
        case .lacks(let key): !labels.contains { $0.key == key }
        }
    }

    package var description: String {
        switch self {
        case .equals(let key, let value): "\(key)=\(value)"
        case .differs(let key, let value): "\(key)!=\(value)"
        case .has(let key): key
        case .lacks(let key): "!\(key)"
        }
    }
}
