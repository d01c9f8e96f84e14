/// Reads the block structure of a YAML document: mappings, sequences (also the "indentless" kind PyYAML and
/// ruamel write under a key) and scalars, with comments, `---`/`...` markers, and the inline values of
/// `YAMLParser+Values.swift` (plain, quoted and block scalars, flow collections). Refused with a message and a
/// position: anchors, aliases, tags, complex keys, directives, tabs in indentation, several documents.
package struct YAMLParser {
    let bytes: [UInt8]
    /// The read position.
    var position = 0

    /// Parses a document; nil when it holds no value (empty, or comments only).
    package static func parse(_ bytes: [UInt8]) throws(YAMLSyntaxError) -> YAMLNode? {
        var parser = YAMLParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.position = 3 }
        return try parser.document()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    // MARK: - Documents

    private mutating func document() throws(YAMLSyntaxError) -> YAMLNode? {
        var started = false
        while let indent = try nextContentLine() {
            if indent == 0 && startsMarker("---") {
                if started { throw error("a second document ('---'): a file holds one document here") }
                started = true
                position += 3
                skipSpaces()
                if atLineEnd() || byte() == UInt8(ascii: "#") {
                    skipLine()
                    continue
                }
                let node = try inlineValue(parentIndent: -1)
                try endOfDocument()
                return node
            }
            if indent == 0 && startsMarker("...") { break }
            if indent == 0 && byte() == UInt8(ascii: "%") { throw error("YAML directives ('%') are not supported") }
            let node = try blockNode(indent: indent, parentIndent: -1)
            try endOfDocument()
            return node
        }
        return nil
    }

    /// After the document's value: only blank lines, comments and `...`.
    private mutating func endOfDocument() throws(YAMLSyntaxError) {
        guard let indent = try nextContentLine() else { return }
        if indent == 0 && startsMarker("...") {
            position += 3
            skipSpaces()
            if atLineEnd() || byte() == UInt8(ascii: "#") {
                skipLine()
                if try nextContentLine() == nil { return }
            }
        }
        if indent == 0 && startsMarker("---") { throw error("a second document ('---'): a file holds one document here") }
        throw error(indent > 0 ? "unexpected indentation" : "unexpected content after the document's value")
    }

    // MARK: - Blocks

    /// The node starting at the current position, the first content of a line at column `indent`.
    private mutating func blockNode(indent: Int, parentIndent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        if isSequenceEntry() { return try sequence(indent: indent) }
        if try isMappingKey() { return try mapping(indent: indent) }
        return try inlineValue(parentIndent: parentIndent)
    }

    /// A block mapping whose keys are at column `indent`; the position is at its first key.
    private mutating func mapping(indent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = position
        var members: [YAMLMember] = []
        while true {
            let keyOffset = position
            guard try isMappingKey() else { throw error("expected a 'key: value' line of the mapping above") }
            let key = try mappingKey()
            if members.contains(where: { $0.key == key }) {
                throw YAMLSyntaxError(offset: keyOffset, message: "duplicate key '\(key)'")
            }
            skipSpaces()
            let value: YAMLNode
            if atLineEnd() || byte() == UInt8(ascii: "#") {
                let empty = YAMLNode(value: .scalar("", quoted: false), offset: position)
                skipLine()
                let mark = position
                if let next = try nextContentLine(), !atDocumentMarker() {
                    if next > indent {
                        value = try blockNode(indent: next, parentIndent: indent)
                    } else if next == indent && isSequenceEntry() {
                        value = try sequence(indent: indent)
                    } else {
                        position = mark
                        value = empty
                    }
                } else {
                    position = mark
                    value = empty
                }
            } else {
                value = try inlineValue(parentIndent: indent)
            }
            members.append(YAMLMember(key: key, keyOffset: keyOffset, value: value))
            let mark = position
            guard let next = try nextContentLine(), !atDocumentMarker() else {
                position = mark
                break
            }
            if next < indent || (next == indent && isSequenceEntry()) {
                position = mark
                break
            }
            if next > indent { throw error("unexpected indentation") }
        }
        return YAMLNode(value: .mapping(members), offset: start)
    }

    /// A block sequence whose `-` entries are at column `indent`; the position is at its first `-`.
    private mutating func sequence(indent: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = position
        var items: [YAMLNode] = []
        while true {
            position += 1
            skipSpaces()
            let column = currentColumn()
            if atLineEnd() || byte() == UInt8(ascii: "#") {
                let empty = YAMLNode(value: .scalar("", quoted: false), offset: position)
                skipLine()
                let mark = position
                if let next = try nextContentLine(), next > indent, !atDocumentMarker() {
                    items.append(try blockNode(indent: next, parentIndent: indent))
                } else {
                    position = mark
                    items.append(empty)
                }
            } else {
                items.append(try blockNode(indent: column, parentIndent: indent))
            }
            let mark = position
            guard let next = try nextContentLine(), !atDocumentMarker() else {
                position = mark
                break
            }
            if next == indent && isSequenceEntry() { continue }
            if next > indent { throw error("unexpected indentation") }
            position = mark
            break
        }
        return YAMLNode(value: .sequence(items), offset: start)
    }

    /// The key at the position, up to and past its `:`.
    private mutating func mappingKey() throws(YAMLSyntaxError) -> String {
        let key: String
        switch byte() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            guard case .scalar(let text, _) = try quotedScalar(parentIndent: currentColumn()).value else { return "" }
            key = text
            skipSpaces()
        default:
            let start = position
            while !atLineEnd() && !(byte() == UInt8(ascii: ":") && isSeparator(at: position + 1)) { position += 1 }
            key = String(decoding: trimmedTrailingSpaces(bytes[start..<position]), as: UTF8.self)
        }
        guard byte() == UInt8(ascii: ":") else { throw error("expected ':' after the key") }
        position += 1
        return key
    }

    // MARK: - Lines

    /// Moves to the first character of the next line that holds content (not blank, not only a comment) and
    /// returns its column; nil at the end. The position must be at a line start or inside a line already read
    /// (then the rest of that line must be blank or a comment).
    mutating func nextContentLine() throws(YAMLSyntaxError) -> Int? {
        if position > 0 && position < bytes.count && bytes[position - 1] != 0x0A {
            skipSpaces()
            guard atLineEnd() || byte() == UInt8(ascii: "#") else { throw error("unexpected content after the value") }
            skipLine()
        }
        while position < bytes.count {
            let lineStart = position
            while position < bytes.count && bytes[position] == 0x20 { position += 1 }
            let indent = position - lineStart
            skipSpaces()
            if atLineEnd() || byte() == UInt8(ascii: "#") {
                skipLine()
                continue
            }
            if position != lineStart + indent {
                throw YAMLSyntaxError(offset: lineStart + indent, message: "a tab in the indentation: YAML indents with spaces only")
            }
            return indent
        }
        return nil
    }

    /// Skips to the start of the next line.
    mutating func skipLine() {
        while position < bytes.count && bytes[position] != 0x0A { position += 1 }
        if position < bytes.count { position += 1 }
    }

    /// Skips spaces and tabs within the line.
    mutating func skipSpaces() {
        while position < bytes.count && (bytes[position] == 0x20 || bytes[position] == 0x09) { position += 1 }
    }

    /// The byte at the position (0 at the end).
    func byte(at offset: Int? = nil) -> UInt8 {
        let at = offset ?? position
        return at < bytes.count ? bytes[at] : 0
    }

    /// Whether the position is at a line break (LF, or CR LF) or the end.
    func atLineEnd(_ at: Int? = nil) -> Bool {
        let p = at ?? position
        return p >= bytes.count || bytes[p] == 0x0A || (bytes[p] == 0x0D && (p + 1 >= bytes.count || bytes[p + 1] == 0x0A))
    }

    /// Whether the byte at `at` ends a plain token: a space, a tab or a line end.
    func isSeparator(at: Int) -> Bool { atLineEnd(at) || bytes[at] == 0x20 || bytes[at] == 0x09 }

    /// The column (0-based, in bytes) of the position.
    func currentColumn() -> Int {
        var start = position
        while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
        return position - start
    }

    /// Whether the line at the position starts with a document marker (`---` or `...` then a space or the end).
    private func startsMarker(_ marker: String) -> Bool {
        let text = Array(marker.utf8)
        return bytes[position...].starts(with: text) && isSeparator(at: position + 3)
    }

    /// Whether the position (at column 0) is at `---` or `...`, which end a block.
    private func atDocumentMarker() -> Bool { currentColumn() == 0 && (startsMarker("---") || startsMarker("...")) }

    /// Whether the position is at a `-` sequence entry.
    private func isSequenceEntry() -> Bool { byte() == UInt8(ascii: "-") && isSeparator(at: position + 1) }

    /// Whether the line from the position is `key: …` (a plain or quoted key, then `:` and a space or the end).
    mutating func isMappingKey() throws(YAMLSyntaxError) -> Bool {
        let mark = position
        defer { position = mark }
        switch byte() {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            _ = try quotedScalar(parentIndent: currentColumn())
            skipSpaces()
            return byte() == UInt8(ascii: ":") && isSeparator(at: position + 1)
        case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "#"), UInt8(ascii: "|"), UInt8(ascii: ">"):
            return false
        case UInt8(ascii: "?") where isSeparator(at: position + 1):
            throw error("complex keys ('? ') are not supported")
        default:
            while !atLineEnd() {
                if byte() == UInt8(ascii: ":") && isSeparator(at: position + 1) { return true }
                if byte() == UInt8(ascii: "#") && position > 0 && (bytes[position - 1] == 0x20 || bytes[position - 1] == 0x09) {
                    return false
                }
                position += 1
            }
            return false
        }
    }

    /// Bytes without the spaces and tabs at their end.
    func trimmedTrailingSpaces(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = slice.endIndex
        while end > slice.startIndex && (slice[end - 1] == 0x20 || slice[end - 1] == 0x09 || slice[end - 1] == 0x0D) { end -= 1 }
        return slice[slice.startIndex..<end]
    }

    /// A syntax error at the position.
    func error(_ message: String) -> YAMLSyntaxError { YAMLSyntaxError(offset: position, message: message) }
}
