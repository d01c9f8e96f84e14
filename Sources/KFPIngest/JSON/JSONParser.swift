#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Parser

/// A strict RFC 8259 parser over UTF-8 bytes that records offsets and, as the one extension, reads the bare
/// `NaN`, `Infinity` and `-Infinity` tokens as `.nonFinite` so that a reader can name the metric that has one.
///
/// It checks everything (UTF-8, escapes, numbers) while it writes the tape, but builds no string: keys and
/// strings are decoded from the bytes when a reader asks for them.
package struct JSONParser {
    /// The deepest nesting of arrays and objects accepted, so that hostile input cannot exhaust the stack.
    package static let defaultMaxDepth = 512

    /// The document (the caller keeps it alive while the parser runs).
    private let bytes: UnsafeBufferPointer<UInt8>
    private let end: Int
    private let maxDepth: Int
    fileprivate var index = 0
    private var depth = 0
    private var tape: [JSONTapeEntry] = []

    /// A parser at the start of `bytes`.
    fileprivate init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.maxDepth = maxDepth
    }

    /// Parses one whole document: a single value with only white space around it.
    package static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONNode {
        let parsed = bytes.withUnsafeBufferPointer { buffer -> Result<[JSONTapeEntry], JSONSyntaxError> in
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            // A member takes at least 4 bytes and 2 entries; real files take ~20 bytes per entry. Pages reserved
            // but not written take no memory.
            parser.tape.reserveCapacity(buffer.count / 16 + 16)
            do throws(JSONSyntaxError) {
                try parser.parseDocument()
                return .success(parser.tape)
            } catch {
                return .failure(error)
            }
        }
        return JSONNode(document: JSONDocument(bytes: bytes, tape: try parsed.get()), index: 0)
    }

    /// Parses the whole document onto the tape: one value with only white space around it.
    private mutating func parseDocument() throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < end else { throw JSONSyntaxError(offset: index, message: "no JSON value") }
        try parseValue()
        skipWhitespace()
        guard index == end else {
            throw JSONSyntaxError(offset: index, message: "unexpected content after the JSON value")
        }
    }

    /// Writes one entry to the tape.
    @inline(__always)
    private mutating func append(_ kind: JSONTapeEntry.Kind, at offset: Int, _ payload: UInt64 = 0) {
        tape.append(JSONTapeEntry(kind, offset: offset, payload: payload))
    }

    private mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" : "") + hex
    }

    private func unexpected(_ expectation: String) -> JSONSyntaxError {
        if index >= end { return JSONSyntaxError(offset: end, message: "unexpected end of file, expected \(expectation)") }
        return JSONSyntaxError(offset: index, message: "unexpected \(describe(bytes[index])), expected \(expectation)")
    }

    /// Parses the value at `index` onto the tape (a container with everything inside it).
    private mutating func parseValue() throws(JSONSyntaxError) {
        let start = index
        guard index < end else { throw unexpected("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try parseObject()
        case UInt8(ascii: "["): try parseArray()
        case UInt8(ascii: "\""):
            let string = try scanString()
            append(string.escaped ? .escapedString : .string, at: start, UInt64(string.close))
        case UInt8(ascii: "t"): try expectWord("true"); append(.trueValue, at: start)
        case UInt8(ascii: "f"): try expectWord("false"); append(.falseValue, at: start)
        case UInt8(ascii: "n"): try expectWord("null"); append(.null, at: start)
        case UInt8(ascii: "N"): try expectWord("NaN"); append(.nonFinite, at: start, Double.nan.bitPattern)
        case UInt8(ascii: "I"):
            try expectWord("Infinity")
            append(.nonFinite, at: start, Double.infinity.bitPattern)
        case UInt8(ascii: "-") where index + 1 < end && bytes[index + 1] == UInt8(ascii: "I"):
            index += 1
            try expectWord("Infinity")
            append(.nonFinite, at: start, (-Double.infinity).bitPattern)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            append(.number, at: start, try parseNumber().bitPattern)
        default:
            throw unexpected("a value")
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let start = index
        let count = word.utf8CodeUnitCount
        var matched = index + count <= end
        if matched {
            word.withUTF8Buffer { w in
                for i in 0..<count where bytes[start + i] != w[i] { matched = false }
            }
        }
        guard matched else { throw JSONSyntaxError(offset: start, message: "invalid literal, expected \(word)") }
        index += count
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > maxDepth {
            throw JSONSyntaxError(
                offset: index, message: "nesting deeper than \(maxDepth) levels; raise the limit with --max-depth")
        }
    }

    /// Ends the container whose entry is at `slot`: its payload becomes the tape index after its last descendant.
    private mutating func close(_ slot: Int) {
        index += 1
        depth -= 1
        tape[slot].payload = UInt64(tape.count)
    }

    /// Parses an object: its entry, then each key and value; the entry's payload is set when it closes.
    private mutating func parseObject() throws(JSONSyntaxError) {
        try enter()
        let slot = tape.count
        append(.object, at: index)
        index += 1  // {
        skipWhitespace()
        if index < end && bytes[index] == UInt8(ascii: "}") {
            close(slot)
            return
        }
        while true {
            skipWhitespace()
            guard index < end && bytes[index] == UInt8(ascii: "\"") else { throw unexpected("a string key") }
            let keyOffset = index
            let key = try scanString()
            append(key.escaped ? .escapedKey : .key, at: keyOffset, UInt64(key.close))
            skipWhitespace()
            guard index < end && bytes[index] == UInt8(ascii: ":") else { throw unexpected("':' after a key") }
            index += 1
            skipWhitespace()
            try parseValue()
            skipWhitespace()
            guard index < end else { throw unexpected("',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                close(slot)
                return
            } else {
                throw unexpected("',' or '}'")
            }
        }
    }

    /// Parses an array: its entry, then each element; the entry's payload is set when it closes.
    private mutating func parseArray() throws(JSONSyntaxError) {
        try enter()
        let slot = tape.count
        append(.array, at: index)
        index += 1  // [
        skipWhitespace()
        if index < end && bytes[index] == UInt8(ascii: "]") {
            close(slot)
            return
        }
        while true {
            skipWhitespace()
            try parseValue()
            skipWhitespace()
            guard index < end else { throw unexpected("',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                close(slot)
                return
            } else {
                throw unexpected("',' or ']'")
            }
        }
    }

    /// Checks the string at `index` (the opening quote) without decoding it: its closing quote's offset, and
    /// whether it has escapes (then it is decoded, and so checked, by `parseString`).
    private mutating func scanString() throws(JSONSyntaxError) -> (close: Int, escaped: Bool) {
        let open = index
        index += 1
        let start = index
        // Fast path: no escapes.
        var high: UInt8 = 0
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if high >= 0x80 { try checkUTF8(start..<index) }
                index += 1
                return (index - 1, false)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw JSONSyntaxError(offset: index, message: "control character in a string") }
            high |= byte
            index += 1
        }
        // Escapes (or no closing quote): read it again with the decoder, which finds the same problems in the
        // same order.
        index = open
        _ = try parseString()
        return (index - 1, true)
    }

    /// Parses a string at `index` (the opening quote), checking UTF-8 and escapes.
    fileprivate mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = index
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try decodeUTF8(start..<index)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw JSONSyntaxError(offset: index, message: "control character in a string") }
            index += 1
        }
        // Slow path: escapes.
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: try decodeUTF8(start..<index).unicodeScalars)
        while true {
            guard index < end else { throw JSONSyntaxError(offset: open, message: "unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(scalars)
            }
            if byte < 0x20 { throw JSONSyntaxError(offset: index, message: "control character in a string") }
            if byte == UInt8(ascii: "\\") {
                scalars.append(try parseEscape())
                continue
            }
            let runStart = index
            while index < end && bytes[index] != UInt8(ascii: "\"") && bytes[index] != UInt8(ascii: "\\")
                && bytes[index] >= 0x20
            {
                index += 1
            }
            scalars.append(contentsOf: try decodeUTF8(runStart..<index).unicodeScalars)
        }
    }

    private func decodeUTF8(_ range: Range<Int>) throws(JSONSyntaxError) -> String {
        try checkUTF8(range)
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Throws at the first byte that does not continue valid UTF-8.
    private func checkUTF8(_ range: Range<Int>) throws(JSONSyntaxError) {
        // Fast path: ASCII (nearly every metric name).
        if !bytes[range].contains(where: { $0 >= 0x80 }) { return }
        var offset = range.lowerBound
        var decoder = UTF8()
        var iterator = bytes[range].makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return
            case .error: throw JSONSyntaxError(offset: offset, message: "invalid UTF-8 in a string")
            }
        }
    }

    private mutating func parseEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        let start = index
        index += 1
        guard index < end else { throw JSONSyntaxError(offset: start, message: "unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4(escapeStart: start)
            if (0xD800...0xDBFF).contains(high) {
                guard index + 1 < end && bytes[index] == UInt8(ascii: "\\") && bytes[index + 1] == UInt8(ascii: "u")
                else { throw JSONSyntaxError(offset: start, message: "unpaired surrogate in \\u escape") }
                index += 2
                let low = try parseHex4(escapeStart: start)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONSyntaxError(offset: start, message: "unpaired surrogate in \\u escape")
                }
                let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                if let scalar = Unicode.Scalar(value) { return scalar }
            } else if let scalar = Unicode.Scalar(high) {
                return scalar
            }
            throw JSONSyntaxError(offset: start, message: "unpaired surrogate in \\u escape")
        default:
            throw JSONSyntaxError(offset: start, message: "invalid escape \\\(describe(byte))")
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= end else { throw JSONSyntaxError(offset: escapeStart, message: "incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONSyntaxError(offset: escapeStart, message: "invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Parses a number with JSON's grammar, then converts the exact text with `strtod` (correctly rounded).
    private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < end && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { throw JSONSyntaxError(offset: start, message: "invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw JSONSyntaxError(offset: start, message: "invalid number (leading zero)") }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < end && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw JSONSyntaxError(offset: start, message: "invalid number (no digit after '.')") }
            while isDigit(index) { index += 1 }
        }
        if index < end && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < end && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard isDigit(index) else { throw JSONSyntaxError(offset: start, message: "invalid number (empty exponent)") }
            while isDigit(index) { index += 1 }
        }
        // strtod needs a terminated string: the number is copied (to the stack when short), not the document.
        let length = index - start
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text -> Double in
            for i in 0..<length { text[i] = CChar(bitPattern: bytes[start + i]) }
            text[length] = 0
            return text.baseAddress.map { strtod($0, nil) } ?? 0
        }
        guard value.isFinite else {
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            throw JSONSyntaxError(offset: start, message: "number \(text) is out of range for a double")
        }
        return value
    }
}

// MARK: - Decoding strings

/// Keys and strings decoded from the document's bytes, on demand.
extension JSONDocument {
    /// The text of the string or key at `index` (checked when parsed, so decoding cannot fail).
    func string(at index: Int) -> String {
        let entry = tape[index]
        let open = entry.offset
        return bytes.withUnsafeBufferPointer { buffer in
            if !entry.hasEscapes {
                let text = UnsafeBufferPointer(rebasing: buffer[(open + 1)..<Int(entry.payload)])
                return String(decoding: text, as: UTF8.self)
            }
            var parser = JSONParser(bytes: buffer, maxDepth: 0)
            parser.index = open
            return (try? parser.parseString()) ?? ""
        }
    }
}
