/// Text inside markup: JUnit XML, the HTML page and its SVG charts all escape names, labels and values this one way,
/// so that a run named `<script>…` is text wherever it is shown.
package enum XMLText {
    /// Escapes text for attribute values (quoted with `"` or `'`) and content. Line breaks and tabs become character
    /// references (an attribute keeps them), except line feeds in content when `lineFeeds` is true (a tooltip's
    /// lines); characters XML 1.0 cannot hold become U+FFFD.
    package static func escape(_ text: String, lineFeeds: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += lineFeeds ? "\n" : "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            case let s where s.value < 0x20 || s.value == 0xFFFE || s.value == 0xFFFF: out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
