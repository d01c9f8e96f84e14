// MARK: - Parsed values

/// A parsed JSON document: its bytes and a tape, one 16-byte entry per value and per object key in document order.
///
/// A tree of Swift values (an enum per value, an array of members per object, a `String` per key) took about
/// 100 bytes and several allocations per member with its arrays' slack, so a 30 MB file of 800,000 metrics
/// needed hundreds of MB before anything was read from it. The tape takes 32 bytes per member, and keys and
/// strings are decoded only when a reader asks for them. `JSONNode`, `JSONMember`, `JSONObject` and `JSONArray`
/// are views into it. Immutable once parsed.
package final class JSONDocument: Sendable {
    /// The document's bytes.
    let bytes: [UInt8]
    /// One entry per value and per key, in document order; a container's children follow its entry.
    let tape: [JSONTapeEntry]

    /// A document of `bytes` whose parse wrote `tape`.
    init(bytes: [UInt8], tape: [JSONTapeEntry]) {
        self.bytes = bytes
        self.tape = tape
    }

    /// The tape index after the value at `index` and everything inside it.
    @inline(__always)
    func next(after index: Int) -> Int {
        let entry = tape[index]
        return entry.isContainer ? Int(entry.payload) : index + 1
    }
}

/// One value or key on a document's tape: its kind and byte offset, and a payload that depends on the kind.
struct JSONTapeEntry: Sendable {
    /// What an entry is: a value of each JSON kind, a key, and whether its string has escapes (then it is decoded
    /// by the parser's string reader instead of taken as it stands).
    enum Kind: UInt8 {
        case null, falseValue, trueValue, number, nonFinite, string, escapedString, array, object, key, escapedKey
    }

    /// The byte offset shifted left by 4 bits, with the kind in the low 4 bits.
    private let word: UInt64
    /// A number's bit pattern; a string's or key's closing quote offset; a container's end (the tape index after
    /// its last descendant), set when the container closes.
    var payload: UInt64

    /// An entry of `kind` for the value (or key) starting at byte `offset`.
    init(_ kind: Kind, offset: Int, payload: UInt64) {
        word = UInt64(offset) << 4 | UInt64(kind.rawValue)
        self.payload = payload
    }

    /// What the entry is.
    var kind: Kind { Kind(rawValue: UInt8(truncatingIfNeeded: word & 0xF)) ?? .null }
    /// Byte offset of the value's first byte (a key's opening quote).
    var offset: Int { Int(word >> 4) }
    /// Whether the entry opens an array or an object (its payload is then its end).
    var isContainer: Bool { kind == .array || kind == .object }
    /// Whether the entry is a string or key with escapes.
    var hasEscapes: Bool { kind == .escapedString || kind == .escapedKey }
}

/// A JSON value with the byte offset where it starts, so that every problem can be placed at line:column.
///
/// Foundation's decoders give no position on Linux and reject bare `NaN`, so kfpm parses JSON itself.
package struct JSONNode: Sendable {
    /// The kinds of JSON value, plus the non-JSON tokens Python's `json.dump` writes for non-finite floats.
    package enum Value: Sendable {
        case null
        case bool(Bool)
        /// A JSON number, exactly as the nearest double.
        case number(Double)
        /// A bare `NaN`, `Infinity` or `-Infinity` token: not JSON, but what Python writes.
        case nonFinite(Double)
        case string(String)
        case array(JSONArray)
        /// Members in file order; duplicates are kept so that readers can report them.
        case object(JSONObject)
    }

    /// The document the value is in.
    let document: JSONDocument
    /// The value's entry on the tape.
    let index: Int

    /// The value, decoded from the tape (a string is decoded on each call).
    package var value: Value {
        let entry = document.tape[index]
        switch entry.kind {
        case .null: return .null
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .number: return .number(Double(bitPattern: entry.payload))
        case .nonFinite: return .nonFinite(Double(bitPattern: entry.payload))
        case .string, .escapedString, .key, .escapedKey: return .string(document.string(at: index))
        case .array: return .array(JSONArray(document: document, start: index + 1, end: Int(entry.payload)))
        case .object: return .object(JSONObject(document: document, start: index + 1, end: Int(entry.payload)))
        }
    }

    /// Byte offset of the value's first byte in the document.
    package var offset: Int { document.tape[index].offset }

    /// A short name of the value's kind for messages: `a string "high"`, `an array`, `null`.
    package var kindDescription: String {
        switch value {
        case .null: "null"
        case .bool(let b): "a boolean (\(b))"
        case .number(let d): "the number \(d)"
        case .nonFinite(let d): "a bare \(JSONNode.token(for: d)) token"
        case .string(let s): "a string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The Python spelling of a non-finite double.
    package static func token(for value: Double) -> String {
        value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity")
    }
}

/// One `"key": value` member of a JSON object.
package struct JSONMember: Sendable {
    /// The document the member is in.
    let document: JSONDocument
    /// The key's entry on the tape; the value's entry follows it.
    let index: Int

    /// The key, decoded on each call.
    package var key: String { document.string(at: index) }
    /// Byte offset of the key's opening quote.
    package var keyOffset: Int { document.tape[index].offset }
    /// The key's length in the file, between the quotes: at least its UTF-8 length once decoded.
    var rawKeyLength: Int {
        let entry = document.tape[index]
        return Int(entry.payload) - entry.offset - 1
    }
    /// The member's value.
    package var value: JSONNode { JSONNode(document: document, index: index + 1) }

    /// Whether two members of one document have the same key, as `String` compares them (canonically
    /// equivalent text); ASCII keys without escapes are compared as bytes, without decoding.
    func hasSameKey(as other: JSONMember) -> Bool {
        let a = document.tape[index]
        let b = document.tape[other.index]
        if !a.hasEscapes && !b.hasEscapes {
            let equalBytes: Bool? = document.bytes.withUnsafeBufferPointer { bytes in
                let x = bytes[(a.offset + 1)..<Int(a.payload)]
                let y = bytes[(b.offset + 1)..<Int(b.payload)]
                if x.elementsEqual(y) { return true }
                return x.allSatisfy { $0 < 0x80 } && y.allSatisfy { $0 < 0x80 } ? false : nil
            }
            if let equalBytes { return equalBytes }
        }
        return key == other.key
    }
}

/// The members of a JSON object in file order, read from the tape as they are iterated.
package struct JSONObject: Sequence, Sendable {
    /// The document the object is in.
    let document: JSONDocument
    /// The members' tape range, `start..<end`: each member is a key entry followed by its value.
    let start: Int
    /// The tape index after the object's last descendant.
    let end: Int
    /// Tape indices of the keys of members left out (repeated keys, see `DiagnosticSink.uniqueMembers`), sorted.
    var omitted: [Int] = []

    /// Walks the members on the tape, skipping the omitted ones.
    package struct Iterator: IteratorProtocol {
        /// The document walked.
        let document: JSONDocument
        /// The tape index of the next member's key.
        var position: Int
        /// The tape index after the last member.
        let end: Int
        /// The keys of members to skip, sorted.
        let omitted: [Int]
        /// The next entry of `omitted` that may come.
        var nextOmitted = 0

        /// The next member not omitted, or nil after the last.
        package mutating func next() -> JSONMember? {
            while position < end {
                let key = position
                position = document.next(after: key + 1)
                if nextOmitted < omitted.count && omitted[nextOmitted] == key {
                    nextOmitted += 1
                    continue
                }
                return JSONMember(document: document, index: key)
            }
            return nil
        }
    }

    /// Walks the members from the first.
    package func makeIterator() -> Iterator {
        Iterator(document: document, position: start, end: end, omitted: omitted)
    }

    /// The number of members (counted by walking them).
    package var count: Int {
        var count = 0
        for _ in self { count += 1 }
        return count
    }

    /// Whether the object has no member (left).
    package var isEmpty: Bool { first { _ in true } == nil }

    /// The member at `position` (counted from 0 by walking; for tests and small objects).
    package subscript(_ position: Int) -> JSONMember {
        for (i, member) in enumerated() where i == position { return member }
        preconditionFailure("member \(position) of an object with \(count)")
    }
}

/// The elements of a JSON array in file order, read from the tape as they are iterated.
package struct JSONArray: Sequence, Sendable {
    /// The document the array is in.
    let document: JSONDocument
    /// The elements' tape range, `start..<end`.
    let start: Int
    /// The tape index after the array's last descendant.
    let end: Int

    /// Walks the elements on the tape.
    package struct Iterator: IteratorProtocol {
        /// The document walked.
        let document: JSONDocument
        /// The tape index of the next element.
        var position: Int
        /// The tape index after the last element.
        let end: Int

        /// The next element, or nil after the last.
        package mutating func next() -> JSONNode? {
            guard position < end else { return nil }
            let element = position
            position = document.next(after: element)
            return JSONNode(document: document, index: element)
        }
    }

    /// Walks the elements from the first.
    package func makeIterator() -> Iterator { Iterator(document: document, position: start, end: end) }

    /// The number of elements (counted by walking them).
    package var count: Int {
        var count = 0
        var position = start
        while position < end {
            position = document.next(after: position)
            count += 1
        }
        return count
    }

    /// Whether the array has no element.
    package var isEmpty: Bool { start == end }

    /// The element at `position` (counted from 0 by walking; for tests and small arrays).
    package subscript(_ position: Int) -> JSONNode {
        for (i, element) in enumerated() where i == position { return element }
        preconditionFailure("element \(position) of an array with \(count)")
    }
}

/// A document that is not JSON, with the byte offset where reading stopped.
package struct JSONSyntaxError: Error, Sendable, Equatable {
    package var offset: Int
    package var message: String
}
