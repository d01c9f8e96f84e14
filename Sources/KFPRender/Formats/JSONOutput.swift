import KFPModel

/// A JSON value to print: objects are written with sorted keys, numbers as exact shortest round-trip text.
package indirect enum JSONOutput: Sendable, Equatable {
    case object([String: JSONOutput])
    case array([JSONOutput])
    case string(String)
    /// A double; non-finite values are written as the strings "NaN", "Infinity", "-Infinity" (as protojson does).
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case null

    /// A number, or null when absent.
    package static func number(orNull value: Double?) -> JSONOutput { value.map(JSONOutput.number) ?? .null }

    /// A string, or null when absent.
    package static func string(orNull value: String?) -> JSONOutput { value.map(JSONOutput.string) ?? .null }

    /// Labels as an object of keys to values.
    package static func labels(_ labels: [Label]) -> JSONOutput {
        .object(Dictionary(labels.map { ($0.key, JSONOutput.string($0.value)) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Parameters as an object of keys to their text.
    package static func params(_ params: [Parameter]) -> JSONOutput {
        .object(Dictionary(params.map { ($0.key, JSONOutput.string($0.value)) }, uniquingKeysWith: { a, _ in a }))
    }

    /// An experiment and run: `{"experiment": …, "run": …}`.
    package static func reference(_ run: RunReference) -> JSONOutput {
        .object(["experiment": .string(run.experiment), "run": .string(run.name)])
    }

    /// Pretty-printed text (two-space indent) with sorted keys and a final newline.
    package func serialized() -> String {
        var out = ""
        write(into: &out, indent: 0)
        out += "\n"
        return out
    }

    private func write(into out: inout String, indent: Int) {
        switch self {
        case .object(let members):
            if members.isEmpty {
                out += "{}"
                return
            }
            out += "{\n"
            let pad = String(repeating: "  ", count: indent + 1)
            for (i, key) in members.keys.sorted().enumerated() {
                out += pad
                Self.writeString(key, into: &out)
                out += ": "
                members[key]?.write(into: &out, indent: indent + 1)
                out += i == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        case .array(let elements):
            if elements.isEmpty {
                out += "[]"
                return
            }
            out += "[\n"
            let pad = String(repeating: "  ", count: indent + 1)
            for (i, element) in elements.enumerated() {
                out += pad
                element.write(into: &out, indent: indent + 1)
                out += i == elements.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .string(let text):
            Self.writeString(text, into: &out)
        case .number(let value):
            if value.isFinite {
                out += ValueText.exact(value)
            } else {
                Self.writeString(ValueText.exact(value), into: &out)
            }
        case .integer(let value):
            out += String(value)
        case .bool(let value):
            out += value ? "true" : "false"
        case .null:
            out += "null"
        }
    }

    private static func writeString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20:
                let hex = String(s.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
