/// Finding and replacing text by its UTF-8 bytes, for the ASCII separators and escapes kfpm looks for (`://`,
/// `!=`, a quote). Foundation's `range(of:)` and `replacingOccurrences(of:with:)` would bring NSString and ICU
/// into every process; the standard library's own `firstRange(of:)` and `replacing(_:with:)` bring its regex
/// engine. A match is byte for byte, so always of whole Unicode scalars (UTF-8 is self-synchronising): a target is
/// never found inside a longer character's bytes, though it may be found before a combining mark.
extension StringProtocol {
    /// Where `target` first occurs, or nil.
    package func firstByteRange(of target: String) -> Range<Index>? {
        let needle = Array(target.utf8)
        guard let first = needle.first else { return startIndex..<startIndex }
        let bytes = utf8
        var start = bytes.startIndex
        while let found = bytes[start...].firstIndex(of: first) {
            var end = found
            var matched = true
            for byte in needle {
                guard end != bytes.endIndex, bytes[end] == byte else {
                    matched = false
                    break
                }
                bytes.formIndex(after: &end)
            }
            if matched { return found..<end }
            start = bytes.index(after: found)
        }
        return nil
    }

    /// Whether `target` occurs.
    package func containsBytes(of target: String) -> Bool { firstByteRange(of: target) != nil }

    /// The text with every occurrence of `target` (not empty) replaced by `replacement`, left to right.
    package func replacingBytes(of target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let range = rest.firstByteRange(of: target), !range.isEmpty {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}

extension StringProtocol {
    /// The text without the white space (spaces, tabs, line breaks) at either end.
    package func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
