import Testing

@testable import KFPIngest
@testable import KFPMetrics
@testable import KFPModel
@testable import KFPRender
@testable import KFPReports
@testable import KFPStore

/// The JSON parser: exact numbers, positions, and a clear place for every syntax error.
struct JSONParserTests {
    private func parse(_ text: String, maxDepth: Int = 512) throws(JSONSyntaxError) -> JSONNode {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// The line:column of a syntax error in `text`.
    private func errorPlace(_ text: String) -> (line: Int, column: Int, message: String)? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            let place = LineIndex(Array(text.utf8)).position(of: error.offset)
            return (place.line, place.column, error.message)
        }
    }

    @Test func readsEveryKindOfValue() throws {
        let node = try parse(#"{"a": [1, -2.5e3, true, false, null, "x\"\u00e9\ud83d\ude00"], "b": {}}"#)
        guard case .object(let members) = node.value, case .array(let items) = members[0].value.value else {
            Issue.record("not an object with an array")
            return
        }
        #expect(members.map(\.key) == ["a", "b"])
        guard case .number(let one) = items[0].value, case .number(let big) = items[1].value,
            case .string(let text) = items[5].value
        else {
            Issue.record("unexpected kinds")
            return
        }
        #expect(one == 1)
        #expect(big == -2500)
        #expect(text == "x\"é😀")
    }

    @Test(arguments: ["0.1", "0.30000000000000004", "5e-324", "1.7976931348623157e308", "-0", "123456789012345678"])
    func numbersAreTheNearestDouble(_ text: String) throws {
        guard case .number(let value) = try parse(text).value else {
            Issue.record("not a number")
            return
        }
        #expect(value.bitPattern == Double(text)?.bitPattern)
    }

    @Test func bareNonFiniteTokensAreMarked() throws {
        let node = try parse("[NaN, Infinity, -Infinity]")
        guard case .array(let items) = node.value else { return }
        let values = items.compactMap { item -> Double? in
            if case .nonFinite(let d) = item.value { return d }
            return nil
        }
        #expect(values.count == 3)
        #expect(values[0].isNaN && values[1] == .infinity && values[2] == -.infinity)
    }

    @Test func offsetsPointAtValues() throws {
        let text = "{\n  \"a\": 1,\n  \"bé\": \"x\"\n}"
        let node = try parse(text)
        guard case .object(let members) = node.value else { return }
        let lines = LineIndex(Array(text.utf8))
        #expect(lines.position(of: members[1].keyOffset) == (3, 3))
        #expect(lines.position(of: members[1].value.offset) == (3, 9))  // "bé" is 4 characters wide
    }

    @Test func syntaxErrorsSayLineAndColumn() {
        let place = errorPlace("{\n  \"a\": 1,\n  \"b\": tru\n}")
        #expect(place?.line == 3 && place?.column == 8)
        #expect(place?.message.contains("invalid literal") == true)
        #expect(errorPlace("{\"a\": 1")?.message.contains("unexpected end of file") == true)
        #expect(errorPlace("{\"a\": 01}")?.message.contains("leading zero") == true)
        #expect(errorPlace("{\"a\": 1} x")?.message.contains("after the JSON value") == true)
        #expect(errorPlace("{\"a\": 1,}")?.message.contains("expected a string key") == true)
        #expect(errorPlace("[1e400]")?.message.contains("out of range") == true)
        #expect(errorPlace("\"a\u{01}\"")?.message.contains("control character") == true)
        #expect(errorPlace("\"\\ud800\"")?.message.contains("unpaired surrogate") == true)
        #expect(errorPlace("")?.message == "no JSON value")
    }

    @Test func invalidUTF8IsPlaced() {
        var bytes = Array("{\"a\": \"ok".utf8)
        bytes += [0xFF, 0x22, 0x7D]
        #expect(throws: JSONSyntaxError(offset: 9, message: "invalid UTF-8 in a string")) {
            try JSONParser.parse(bytes)
        }
    }

    @Test func nestingIsCapped() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        #expect((try? parse("[[[1]]]", maxDepth: 3)) != nil)
        #expect((try? parse("[[[1]]]", maxDepth: 2)) == nil)
    }

    @Test func duplicateKeysAreKeptForReaders() throws {
        guard case .object(let members) = try parse(#"{"a": 1, "a": 2}"#).value else { return }
        #expect(members.count == 2)
    }
}
