import FoundationEssentials
import KFPModel

/// Collects the diagnostics of one input, placing offsets at line:column.
package struct DiagnosticSink {
    package let file: String
    /// Positions in the input; nil when there is no text to point into.
    package let lines: LineIndex?
    package private(set) var diagnostics: [Diagnostic] = []

    package init(file: String, bytes: [UInt8]?) {
        self.file = file
        self.lines = bytes.map(LineIndex.init)
    }

    /// Records a diagnostic at a byte offset (nil for the whole file).
    package mutating func add(
        _ severity: Diagnostic.Severity, at offset: Int?, path: String? = nil, _ message: String, rule: String? = nil
    ) {
        let position = offset.flatMap { offset in lines?.position(of: offset) }
        diagnostics.append(
            Diagnostic(
                severity, file: file, line: position?.line, column: position?.column, path: path,
                message: message, rule: rule))
    }

    package mutating func error(at offset: Int?, path: String? = nil, _ message: String, rule: String? = nil) {
        add(.error, at: offset, path: path, message, rule: rule)
    }

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// The JSON path of a member: `$.metrics`, `$.artifacts["my output"]`.
package func jsonPath(_ parent: String, key: String) -> String {
    var simple = !key.isEmpty
    for (i, byte) in key.utf8.enumerated() {
        let letter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        let digitOrDash = (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
        if !(letter || (i > 0 && digitOrDash)) {
            simple = false
            break
        }
    }
    if simple { return parent + "." + key }
    let escaped = key.replacingBytes(of: "\\", with: "\\\\").replacingBytes(of: "\"", with: "\\\"")
    return parent + "[\"" + escaped + "\"]"
}

extension DiagnosticSink {
    /// The line and column of a byte offset in this input.
    package func position(of offset: Int) -> (line: Int, column: Int)? { lines?.position(of: offset) }

    /// Reports every key that appears twice in an object (JSON leaves that undefined; KFP rejects it) and returns
    /// the members with the first occurrence of each key (the same members, uncopied, when no key repeats).
    /// `path` (the object's JSON path) is spelled out only for a message.
    package mutating func uniqueMembers(_ members: JSONObject, path: @autoclosure () -> String) -> JSONObject {
        // Small objects (a metric's few fields) are checked pairwise: cheaper than hashing every key.
        var count = 0
        for _ in members {
            count += 1
            if count > 8 { break }
        }
        if count <= 8 {
            var duplicate = false
            for (i, a) in members.enumerated() where !duplicate {
                for (j, b) in members.enumerated() where j > i && a.hasSameKey(as: b) { duplicate = true }
            }
            if !duplicate { return members }
        }
        // Keys are hashed as `String` hashes them, so that canonically equivalent keys meet.
        var seen = PositionTable()
        seen.reserve(count <= 8 ? count : members.count)
        var omitted: [Int] = []
        for member in members {
            let key = member.key
            let repeated = seen.insert(member.index, hash: key.hashValue) {
                JSONMember(document: member.document, index: $0).hasSameKey(as: member)
            }
            if repeated != nil {
                error(at: member.keyOffset, path: jsonPath(path(), key: key), "duplicate key", rule: "duplicate-key")
                omitted.append(member.index)
            }
        }
        guard !omitted.isEmpty else { return members }
        var unique = members
        unique.omitted = (members.omitted + omitted).sorted()
        return unique
    }
}
