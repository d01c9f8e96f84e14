import KFPModel

/// The lines of a small text format, each split into fields at one separator byte: dvclive's series files
/// (tabs) and MLflow's metric files (spaces).
enum DelimitedLines {
    /// A line's first byte and its fields' byte ranges (an empty line has one empty field).
    struct Line {
        var start: Int
        var fields: [Range<Int>]

        var isEmpty: Bool { fields.count == 1 && fields[0].isEmpty }
    }

    /// The lines of `bytes`, ended by LF (a CR before it dropped; a final line break ends the last line), split
    /// at `separator`.
    static func lines(_ bytes: [UInt8], separator: UInt8) -> [Line] {
        var lines: [Line] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let contentEnd = end > start && bytes[end - 1] == 0x0D ? end - 1 : end
            var fields: [Range<Int>] = []
            var fieldStart = start
            for i in start..<contentEnd where bytes[i] == separator {
                fields.append(fieldStart..<i)
                fieldStart = i + 1
            }
            fields.append(fieldStart..<contentEnd)
            lines.append(Line(start: start, fields: fields))
            start = end + 1
        }
        return lines
    }

    /// A field's text for a message: control characters escaped, shortened to 40 characters.
    static func shown(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self).visibleControlCharacters()
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
