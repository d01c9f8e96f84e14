import FoundationEssentials
import KFPModel

/// RFC 4180 CSV: CRLF line ends, a field quoted when it holds `,` `"` CR or LF (inner quotes doubled), and a
/// text field that a spreadsheet would run as a formula (starting with `= + - @`, tab or CR) prefixed with `'`.
package enum CSVText {
    /// One record from fields.
    package static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A value cell: the exact value, or empty when absent.
    package static func exact(_ value: Double?) -> String { value.map(NumberText.exact) ?? "" }

    /// A text cell, neutralised and quoted as needed.
    package static func field(_ text: String) -> String {
        // Line breaks and tabs are data a quoted field holds; other control characters are shown escaped.
        var value = text.visibleControlCharacters(keeping: ["\r", "\n", "\t"])
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isNumber(value) {
            value = "'" + value
        }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            return "\"" + value.replacingBytes(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    /// Whether a cell is a plain number (such as `-0.5`), which is left as it is.
    private static func isNumber(_ text: String) -> Bool {
        guard let value = Double(text) else { return false }
        return value.isFinite || ["NaN", "Infinity", "-Infinity"].contains(text)
    }
}
