#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict RFC 8259 parser over UTF-8 bytes that records offsets and, as the one extension, reads the bare
/// `NaN`, `Infinity` and `-Infinity` tokens as `.nonFinite` so that a reader can name the metric that has one.
package struct JSONParser {
    /// The deepest nesting of arrays and objects accepted, so that hostile input cannot exhaust the stack.
    package static let defaultMaxDepth = 512

    private let bytes: [UInt8]  // the document plus a NUL sentinel, so that strtod stops at the end
    private let end: Int
    private let maxDepth: Int
    private var index = 0
    private var depth = 0

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes + [0]
        self.end = bytes.count
        self.maxDepth = maxDepth
    }

    /// Parses one whole document: a single value with only white space around it.
    package static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONNode {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        guard parser.index < parser.end else { throw JSONSyntaxError(offset: parser.index, message: "no JSON value") }
        let node = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == parser.end else {
            throw JSONSyntaxError(offset: parser.index, message: "unexpected content after the JSON value")
        }
        return node
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

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
        let start = index
        guard index < end else { throw unexpected("a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONNode(value: try parseObject(), offset: start)
        case UInt8(ascii: "["): return JSONNode(value: try parseArray(), offset: start)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try parseString()), offset: start)
        case UInt8(ascii: "t"): try expectWord("true"); return JSONNode(value: .bool(true), offset: start)
        case UInt8(ascii: "f"): try expectWord("false"); return JSONNode(value: .bool(false), offset: start)
        case UInt8(ascii: "n"): try expectWord("null"); return JSONNode(value: .null, offset: start)
        case UInt8(ascii: "N"): try expectWord("NaN"); return JSONNode(value: .nonFinite(.nan), offset: start)
        case UInt8(ascii: "I"):
            try expectWord("Infinity")
            return JSONNode(value: .nonFinite(.infinity), offset: start)
        case UInt8(ascii: "-") where index + 1 < end && bytes[index + 1] == UInt8(ascii: "I"):
            index += 1
            try expectWord("Infinity")
            return JSONNode(value: .nonFinite(-.infinity), offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(value: .number(try parseNumber()), offset: start)
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

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONNode.Value {
        try enter()
        index += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if index < end && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < end && bytes[index] == UInt8(ascii: "\"") else { throw unexpected("a string key") }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < end && bytes[index] == UInt8(ascii: ":") else { throw unexpected("':' after a key") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONMember(key: key, keyOffset: keyOffset, value: value))
            skipWhitespace()
            guard index < end else { throw unexpected("',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(members)
            } else {
                throw unexpected("',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONNode.Value {
        try enter()
        index += 1  // [
        var elements: [JSONNode] = []
        skipWhitespace()
        if index < end && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < end else { throw unexpected("',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            } else {
                throw unexpected("',' or ']'")
            }
        }
    }

    /// Parses a string at `index` (the opening quote), checking UTF-8 and escapes.
    private mutating func parseString() throws(JSONSyntaxError) -> String {
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
        // Fast path: ASCII (nearly every metric name) needs no validation.
        let decoded: String? = bytes.withUnsafeBufferPointer { buffer in
            let slice = UnsafeBufferPointer(rebasing: buffer[range])
            var ascii = true
            for byte in slice where byte >= 0x80 {
                ascii = false
                break
            }
            let text = String(decoding: slice, as: UTF8.self)
            // Decoding repairs bad sequences with U+FFFD; unchanged bytes mean the input was valid UTF-8.
            return ascii || text.utf8.elementsEqual(slice) ? text : nil
        }
        if let decoded { return decoded }
        // Find the first bad byte for the message.
        var offset = range.lowerBound
        var decoder = UTF8()
        var iterator = bytes[range].makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: break loop
            case .error: break loop
            }
        }
        throw JSONSyntaxError(offset: offset, message: "invalid UTF-8 in a string")
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
        let value = bytes.withUnsafeBufferPointer { buffer -> Double in
            buffer.baseAddress.map { base in
                base.advanced(by: start).withMemoryRebound(to: CChar.self, capacity: index - start + 1) {
                    strtod($0, nil)
                }
            } ?? 0
        }
        guard value.isFinite else {
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            throw JSONSyntaxError(offset: start, message: "number \(text) is out of range for a double")
        }
        return value
    }
}
