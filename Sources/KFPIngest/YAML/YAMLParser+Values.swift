/// The values that start inside a line: plain scalars (folded over continuation lines), single- and
/// double-quoted scalars (with YAML's escapes and line folding), literal and folded block scalars (`|`, `>`,
/// with chomping), and flow collections (`[a, b]`, `{a: 1}`).
extension YAMLParser {
    /// The value at the position, inside a block whose parent is at column `parentIndent` (-1 at the top):
    /// continuation lines must be indented further than the parent.
    mutating func inlineValue(parentIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        switch byte() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return try quotedScalar(parentIndent: parentIndent)
        case UInt8(ascii: "["), UInt8(ascii: "{"): return try flowNode()
        case UInt8(ascii: "|"), UInt8(ascii: ">"): return try blockScalar(parentIndent: parentIndent)
        case UInt8(ascii: "&"), UInt8(ascii: "*"): throw error("anchors and aliases ('&', '*') are not supported")
        case UInt8(ascii: "!"): throw error("tags ('!') are not supported")
        case UInt8(ascii: "@"), UInt8(ascii: "`"): throw error("'\(Character(Unicode.Scalar(byte())))' cannot start a plain value")
        default: return try plainScalar(parentIndent: parentIndent)
        }
    }

    // MARK: - Plain scalars

    /// A plain scalar: the rest of the line (a ` #` comment left out), folded with every following line that is
    /// indented further than the parent (one line break becomes a space; blank lines become line breaks). A
    /// continuation line that reads `key: value` is a mapping at the wrong indentation, which YAML refuses too.
    private mutating func plainScalar(parentIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = position
        var text = plainLine()
        while true {
            let mark = position
            skipLine()
            var breaks = 0
            var found = false
            while position < bytes.count {
                let lineStart = position
                while position < bytes.count && bytes[position] == 0x20 { position += 1 }
                let indent = position - lineStart
                skipSpaces()
                if atLineEnd() {
                    breaks += 1
                    skipLine()
                    continue
                }
                found = indent > parentIndent && byte() != UInt8(ascii: "#")
                    && !(indent == 0 && (bytes[position...].starts(with: Array("---".utf8)) || bytes[position...].starts(with: Array("...".utf8))))
                break
            }
            guard found else {
                position = mark
                break
            }
            if try isMappingKey() { throw error("unexpected indentation") }
            text += (breaks == 0 ? " " : String(repeating: "\n", count: breaks)) + plainLine()
        }
        return YAMLNode(value: .scalar(text, quoted: false), offset: start)
    }

    /// One line of a plain scalar from the position: up to a ` #` comment or the line's end, trailing blanks
    /// trimmed; the position is left at the line's end.
    private mutating func plainLine() -> String {
        let start = position
        var end = position
        while !atLineEnd() {
            if byte() == UInt8(ascii: "#") && position > start && (bytes[position - 1] == 0x20 || bytes[position - 1] == 0x09) { break }
            position += 1
            end = position
        }
        let text = String(decoding: trimmedTrailingSpaces(bytes[start..<end]), as: UTF8.self)
        while !atLineEnd() { position += 1 }
        return text
    }

    // MARK: - Quoted scalars

    /// A single- or double-quoted scalar, which may span lines; the position is left after the closing quote.
    mutating func quotedScalar(parentIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = position
        let quote = byte()
        position += 1
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw YAMLSyntaxError(offset: start, message: "the quoted value is not closed")
            }
            let c = bytes[position]
            if c == quote {
                if quote == UInt8(ascii: "'") && byte(at: position + 1) == quote {
                    out.append(quote)
                    position += 2
                    continue
                }
                position += 1
                break
            }
            if c == 0x0A || (c == 0x0D && byte(at: position + 1) == 0x0A) {
                foldLineBreak(into: &out)
                continue
            }
            if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                if atLineEnd(position + 1) {
                    // An escaped line break joins the lines with nothing between them.
                    position += 1
                    skipLine()
                    skipSpaces()
                    continue
                }
                try escape(into: &out)
                continue
            }
            out.append(c)
            position += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw YAMLSyntaxError(offset: start, message: "the quoted value is not valid UTF-8")
        }
        return YAMLNode(value: .scalar(text, quoted: true), offset: start)
    }

    /// Folds the line break at the position inside a quoted scalar: blanks around it dropped, one break as a
    /// space, each further (empty) line as a line break.
    private mutating func foldLineBreak(into out: inout [UInt8]) {
        while let last = out.last, last == 0x20 || last == 0x09 { out.removeLast() }
        skipLine()
        var breaks = 0
        while true {
            skipSpaces()
            guard position < bytes.count, atLineEnd() else { break }
            breaks += 1
            skipLine()
        }
        out += breaks == 0 ? [0x20] : Array(repeating: 0x0A, count: breaks)
    }

    /// A double-quoted scalar's escape sequence at the position (the backslash).
    private mutating func escape(into out: inout [UInt8]) throws(YAMLSyntaxError) {
        let at = position
        let simple: [UInt8: [UInt8]] = [
            UInt8(ascii: "0"): [0], UInt8(ascii: "a"): [7], UInt8(ascii: "b"): [8], UInt8(ascii: "t"): [9],
            0x09: [9], UInt8(ascii: "n"): [10], UInt8(ascii: "v"): [11], UInt8(ascii: "f"): [12],
            UInt8(ascii: "r"): [13], UInt8(ascii: "e"): [27], 0x20: [0x20], UInt8(ascii: "\""): [0x22],
            UInt8(ascii: "/"): [0x2F], UInt8(ascii: "\\"): [0x5C], UInt8(ascii: "N"): [0xC2, 0x85],
            UInt8(ascii: "_"): [0xC2, 0xA0], UInt8(ascii: "L"): [0xE2, 0x80, 0xA8], UInt8(ascii: "P"): [0xE2, 0x80, 0xA9],
        ]
        let kind = byte(at: position + 1)
        if let replacement = simple[kind] {
            out += replacement
            position += 2
            return
        }
        let digits = [UInt8(ascii: "x"): 2, UInt8(ascii: "u"): 4, UInt8(ascii: "U"): 8][kind]
        guard let digits, position + 2 + digits <= bytes.count,
            let code = UInt32(String(decoding: bytes[(position + 2)..<(position + 2 + digits)], as: UTF8.self), radix: 16),
            let scalar = Unicode.Scalar(code)
        else {
            throw YAMLSyntaxError(offset: at, message: "invalid escape sequence in a double-quoted value")
        }
        out += Array(String(Character(scalar)).utf8)
        position += 2 + digits
    }

    // MARK: - Block scalars

    /// A literal (`|`) or folded (`>`) block scalar: the header, then every following line indented further
    /// than the parent (or blank). Chomping: clip (one final line break), `-` strip, `+` keep.
    private mutating func blockScalar(parentIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = position
        let literal = byte() == UInt8(ascii: "|")
        position += 1
        var chomp: UInt8 = 0
        var explicit: Int?
        while !atLineEnd() && byte() != 0x20 && byte() != 0x09 {
            switch byte() {
            case UInt8(ascii: "-"), UInt8(ascii: "+"): chomp = byte()
            case UInt8(ascii: "1")...UInt8(ascii: "9"): explicit = Int(byte() - UInt8(ascii: "0"))
            default: throw error("invalid block scalar header")
            }
            position += 1
        }
        skipSpaces()
        guard atLineEnd() || byte() == UInt8(ascii: "#") else { throw error("unexpected text after a block scalar header") }
        skipLine()
        var indent = explicit.map { max(parentIndent, 0) + $0 }
        var lines: [String] = []
        while position < bytes.count {
            let lineStart = position
            while position < bytes.count && bytes[position] == 0x20 { position += 1 }
            let spaces = position - lineStart
            if atLineEnd() {
                lines.append("")
                skipLine()
                continue
            }
            if indent == nil { indent = spaces }
            guard let blockIndent = indent, spaces >= blockIndent, spaces > parentIndent else {
                position = lineStart
                break
            }
            let contentStart = lineStart + blockIndent
            while !atLineEnd() { position += 1 }
            lines.append(String(decoding: trimmedCarriageReturn(bytes[contentStart..<position]), as: UTF8.self))
            skipLine()
        }
        // Trailing blank lines belong to the chomping, not the content.
        var trailing = 0
        while let last = lines.last, last.isEmpty {
            lines.removeLast()
            trailing += 1
        }
        var text = literal ? lines.joined(separator: "\n") : Self.fold(lines)
        if !lines.isEmpty {
            switch chomp {
            case UInt8(ascii: "-"): break
            case UInt8(ascii: "+"): text += String(repeating: "\n", count: trailing + 1)
            default: text += "\n"
            }
        }
        return YAMLNode(value: .scalar(text, quoted: true), offset: start)
    }

    /// Folded block lines: lines joined by a space; each empty line a line break (in place of the break before
    /// it); lines that start with a blank (more indented) kept on lines of their own.
    private static func fold(_ lines: [String]) -> String {
        var text = ""
        for (i, line) in lines.enumerated() {
            if i > 0 {
                let previous = lines[i - 1]
                if line.isEmpty {
                    text += "\n"
                } else if !previous.isEmpty {
                    text += line.first == " " || previous.first == " " ? "\n" : " "
                }
            }
            text += line
        }
        return text
    }

    private func trimmedCarriageReturn(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        slice.last == 0x0D ? slice.dropLast() : slice
    }

    // MARK: - Flow collections

    /// A flow sequence or mapping (`[a, b]`, `{a: 1, b: [2]}`), which may span lines.
    private mutating func flowNode() throws(YAMLSyntaxError) -> YAMLNode {
        let start = position
        let opening = byte()
        let closing = opening == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
        position += 1
        var items: [YAMLNode] = []
        var members: [YAMLMember] = []
        while true {
            try skipFlowBlanks()
            if byte() == closing {
                position += 1
                break
            }
            if opening == UInt8(ascii: "{") {
                let keyOffset = position
                let key = try flowScalar()
                try skipFlowBlanks()
                var value = YAMLNode(value: .scalar("", quoted: false), offset: position)
                if byte() == UInt8(ascii: ":") {
                    position += 1
                    try skipFlowBlanks()
                    if byte() != UInt8(ascii: ",") && byte() != closing { value = try flowValue() }
                }
                guard case .scalar(let text, _) = key.value else { throw error("a flow mapping's key must be a scalar") }
                if members.contains(where: { $0.key == text }) {
                    throw YAMLSyntaxError(offset: keyOffset, message: "duplicate key '\(text)'")
                }
                members.append(YAMLMember(key: text, keyOffset: keyOffset, value: value))
            } else {
                items.append(try flowValue())
            }
            try skipFlowBlanks()
            if byte() == UInt8(ascii: ",") {
                position += 1
            } else if byte() != closing {
                throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))' in a flow collection")
            }
        }
        let value: YAMLNode.Value = opening == UInt8(ascii: "[") ? .sequence(items) : .mapping(members)
        return YAMLNode(value: value, offset: start)
    }

    /// A value inside a flow collection.
    private mutating func flowValue() throws(YAMLSyntaxError) -> YAMLNode {
        switch byte() {
        case UInt8(ascii: "["), UInt8(ascii: "{"): return try flowNode()
        case UInt8(ascii: "&"), UInt8(ascii: "*"): throw error("anchors and aliases ('&', '*') are not supported")
        case UInt8(ascii: "!"): throw error("tags ('!') are not supported")
        default: return try flowScalar()
        }
    }

    /// A quoted or plain scalar inside a flow collection; a plain one ends at `,`, `[`, `]`, `{`, `}`, `: `, a
    /// line end or a ` #` comment.
    private mutating func flowScalar() throws(YAMLSyntaxError) -> YAMLNode {
        if byte() == UInt8(ascii: "'") || byte() == UInt8(ascii: "\"") { return try quotedScalar(parentIndent: -1) }
        let start = position
        while position < bytes.count && !atLineEnd() {
            let c = byte()
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "[")
                || c == UInt8(ascii: "{")
            {
                break
            }
            if c == UInt8(ascii: ":") && (isSeparator(at: position + 1) || [UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(byte(at: position + 1))) {
                break
            }
            if c == UInt8(ascii: "#") && position > start && (bytes[position - 1] == 0x20 || bytes[position - 1] == 0x09) { break }
            position += 1
        }
        guard position < bytes.count else { throw YAMLSyntaxError(offset: start, message: "the flow collection is not closed") }
        let text = String(decoding: trimmedTrailingSpaces(bytes[start..<position]), as: UTF8.self)
        return YAMLNode(value: .scalar(text, quoted: false), offset: start)
    }

    /// Skips blanks, line breaks and comments inside a flow collection.
    private mutating func skipFlowBlanks() throws(YAMLSyntaxError) {
        while position < bytes.count {
            let c = byte()
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                position += 1
            } else if c == UInt8(ascii: "#") {
                while position < bytes.count && bytes[position] != 0x0A { position += 1 }
            } else {
                return
            }
        }
        throw error("the flow collection is not closed")
    }
}
