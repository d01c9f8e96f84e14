import Foundation
import KFPMTestSupport
import Testing

@testable import KFPIngest
@testable import KFPModel

/// The YAML kfpm reads (params.yaml, MLflow's meta.yaml): structure, text as written, and refusals with a place.
struct YAMLParserTests {
    private func parse(_ text: String) throws -> YAMLNode? { try YAMLParser.parse(Array(text.utf8)) }

    /// A node as plain Swift values, for comparisons: scalars as text, sequences as arrays, mappings as arrays of
    /// key-value pairs (to keep the order).
    private func plain(_ node: YAMLNode?) -> String {
        guard let node else { return "nil" }
        switch node.value {
        case .scalar(let text, let quoted): return quoted ? "'\(text)'" : text
        case .sequence(let items): return "[" + items.map { plain($0) }.joined(separator: ", ") + "]"
        case .mapping(let members): return "{" + members.map { "\($0.key): \(plain($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    private func failure(_ text: String) -> (line: Int, column: Int, message: String)? {
        do {
            _ = try YAMLParser.parse(Array(text.utf8))
            return nil
        } catch {
            let position = LineIndex(Array(text.utf8)).position(of: error.offset)
            return (position.line, position.column, error.message)
        }
    }

    @Test func dvcliveParamsKeepTheirTextAndNesting() throws {
        let node = try parse(String(decoding: try Fixtures.bytes("dvclive-params/params.yaml"), as: UTF8.self))
        #expect(
            plain(node)
                == "{lr: 0.001, epochs: 6, use_amp: false, weight_decay: 1e-05, seed: '0042', note: 'résumé: β₁=0.9', "
                + "optimizer: {name: adam, betas: [0.9, 0.999]}, model: {arch: resnet18, head: {hidden_units: 128, dropout: 0.25}}}")
    }

    @Test func mlflowMetaFiles() throws {
        let root = "mlflow/mlruns/930121038049150186"
        let experiment = try parse(String(decoding: try Fixtures.bytes(root + "/meta.yaml"), as: UTF8.self))
        #expect(experiment?["name"]?.text == "mnist-classifier")
        #expect(experiment?["experiment_id"]?.text == "930121038049150186")
        #expect(experiment?["trace_location"]?.isNull == true)
        let run = try parse(String(decoding: try Fixtures.bytes(root + "/2ef11074dd184981a577fe433b1d226f/meta.yaml"), as: UTF8.self))
        #expect(run?["run_name"]?.text == "tuned" && run?["start_time"]?.text == "1735690800000")
        #expect(run?["entry_point_name"]?.text == "" && run?["tags"].map(plain) == "[]")
    }

    @Test func blockStructures() throws {
        #expect(try plain(parse("a:\n  - 1\n  - x: 2\n    y: [3, '4', {z: 5}]\nb: {}\nc:\n")) == "{a: [1, {x: 2, y: [3, '4', {z: 5}]}], b: {}, c: }")
        #expect(try plain(parse("- - a\n  - b\n- c: d\n-\n")) == "[[a, b], {c: d}, ]")
        #expect(try plain(parse("---\n# only a comment\nk: v # a comment\n...\n")) == "{k: v}")
        #expect(try plain(parse("k:\n- a\n- b\nl: 1\n")) == "{k: [a, b], l: 1}")
        #expect(try plain(parse("\"quoted key\": 1\n'it''s': 2\n")) == "{quoted key: 1, it's: 2}")
        #expect(try plain(parse("url: file:///tmp/x:y\ntime: 12:30\n")) == "{url: file:///tmp/x:y, time: 12:30}")
        #expect(try parse("") == nil && parse("# nothing\n\n") == nil)
        #expect(try plain(parse("k: v\r\nl: w\r\n")) == "{k: v, l: w}")
    }

    @Test func scalarsFoldAndEscapeAsYAMLSays() throws {
        // PyYAML wraps long values over lines; quoted ones fold a line break into a space.
        #expect(try parse("name: 'a very long: name\n  that goes on\n\n  and on'\n")?["name"]?.text == "a very long: name that goes on\nand on")
        #expect(try parse("name: plain words\n  continued here\n")?["name"]?.text == "plain words continued here")
        // An escaped line break joins without a space; an unescaped one folds into a space.
        #expect(try parse("k: \"tab\\there \\u00e9 \\x41 \\\"q\\\" \\\\ end\\\n  next\n  line\"")?["k"]?.text == "tab\there é A \"q\" \\ endnext line")
        #expect(try parse("k: |\n  line 1\n   indented\n\n  line 3\n\nl: 1\n")?["k"]?.text == "line 1\n indented\n\nline 3\n")
        #expect(try parse("k: >-\n  folded\n  text\n\n  para\n")?["k"]?.text == "folded text\npara")
        #expect(try parse("k: |+\n  keep\n\n")?["k"]?.text == "keep\n\n")
        #expect(try parse("k: ~")?["k"]?.isNull == true && parse("k: '~'")?["k"]?.isNull == false)
    }

    @Test func whatIsNotReadIsRefusedWithItsPlace() {
        let cases: [(String, Int, Int, String)] = [
            ("a: 1\n\tb: 2\n", 2, 1, "a tab in the indentation"),
            ("a: &x 1\nb: *x\n", 1, 4, "anchors and aliases"),
            ("a: !!str 1\n", 1, 4, "tags ('!') are not supported"),
            ("a: 1\na: 2\n", 2, 1, "duplicate key 'a'"),
            ("a: 'open\n", 1, 4, "the quoted value is not closed"),
            ("a: 1\n---\nb: 2\n", 2, 1, "a second document"),
            ("a: 1\n  b: 2\n", 2, 3, "unexpected indentation"),
            ("a: 'x' y\n", 1, 8, "unexpected content after the value"),
            ("a:\n  b: 1\n c: 2\n", 3, 2, "unexpected indentation"),
            ("a: [1, 2\n", 2, 1, "the flow collection is not closed"),
            ("? a\n: b\n", 1, 1, "complex keys"),
            ("%YAML 1.2\n---\na: 1\n", 1, 1, "directives"),
            ("a: \"\\q\"\n", 1, 5, "invalid escape sequence"),
        ]
        for (text, line, column, message) in cases {
            let found = failure(text)
            #expect(found?.line == line && found?.column == column && found?.message.contains(message) == true, "\(text.debugDescription): \(String(describing: found))")
        }
    }
}
