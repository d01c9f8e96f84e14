import FoundationEssentials

/// The rules every name follows (experiment, run, metric, step, label key and value): one spelling, and no
/// control characters.
extension String {
    /// The text in Unicode Normalization Form C, the one spelling kfpm keeps of a name: `e` + U+0301 and `é`
    /// are one name. ASCII text, the common case, is already NFC and is returned as it is. The standard library's
    /// own normalization (what it compares strings with): Foundation's would bring NSString and ICU into every
    /// process, and on Linux it leaves a precomposed LV syllable and a trailing jamo apart (U+C694 U+11AA), where
    /// the standard, Python and the standard library compose them (U+C697).
    package var nfc: String {
        if utf8.allSatisfy({ $0 < 0x80 }) { return self }
        return String(decoding: _nfcCodeUnits, as: UTF8.self)
    }

    /// Whether the text holds a control character: C0 (U+0000–U+001F), DEL (U+007F) or C1 (U+0080–U+009F), any
    /// of which can start a terminal escape sequence.
    package var hasControlCharacters: Bool {
        // Read as UTF-8 (every metric name of a file is checked): C0 and DEL are single bytes, and C1 is 0xC2
        // (always a lead byte) followed by 0x80–0x9F.
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte <= 0x9F) { return true }
            previous = byte
        }
        return false
    }

    /// The text with every control character shown as `\u001b` (and so on), so that printing it to a terminal
    /// cannot clear the screen or retitle the window. `keeping` lists characters left as they are (a line
    /// break in a multi-line message).
    package func visibleControlCharacters(keeping: Set<Unicode.Scalar> = []) -> String {
        guard unicodeScalars.contains(where: { Self.isControl($0) && !keeping.contains($0) }) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if Self.isControl(scalar) && !keeping.contains(scalar) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
