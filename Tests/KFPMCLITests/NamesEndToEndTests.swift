import Foundation
import KFPMTestSupport
import Testing

/// Names as users write them: Unicode, in any normalization, found by every command.
struct NamesEndToEndTests {
    @Test func namesNotInComposedFormAreFound() throws {
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "r1", "-"], in: folder.path, stdin: Array("{\"e\u{301}-acc\": 0.5, \"f1\": 0.9}".utf8)).status == 0)
            #expect(try KFPMBinary.run(["ingest", "r2", "-"], in: folder.path, stdin: Array("{\"e\u{301}-acc\": 0.5, \"f1\": 0.2}".utf8)).status == 0)
            let gate = try KFPMBinary.run(["gate", "r2", "--rule", "f1:fail=0.01"], in: folder.path)
            #expect(gate.status == 1)
            #expect(gate.stdout.contains("FAIL") && !gate.stdout.contains("MISSING"), "\(gate.stdout)")
            let runs = try KFPMBinary.run(["runs", "--metrics", "f1", "--format", "csv"], in: folder.path)
            #expect(runs.stdout.contains("r2,") && runs.stdout.contains(",0.2\r\n"))
        }
    }

    @Test func twoSpellingsOfANameAreOneNameInEveryCommand() throws {
        try withTemporaryFolder { folder in
            let composed = "acc\u{E9}"  // é as one code point
            let decomposed = "acce\u{301}"  // e + combining acute accent
            func ingest(_ run: String, _ name: String, _ value: Double, experiment: String) throws {
                let input = Array("{\"\(name)\": \(value), \"loss\": 1}".utf8)
                let result = try KFPMBinary.run(["ingest", run, "-", "-e", experiment], in: folder.path, stdin: input)
                #expect(result.status == 0, "\(result.stderr)")
            }
            try ingest("r\u{E9}1", composed, 0.5, experiment: "exp\u{E9}")
            try ingest("re\u{301}2", decomposed, 0.7, experiment: "expe\u{301}")
            let experiments = try KFPMBinary.run(["experiments", "--format", "csv"], in: folder.path)
            #expect(experiments.stdout.components(separatedBy: "\r\n").dropFirst().filter { $0.hasPrefix("exp") }.count == 1, "\(experiments.stdout)")
            let top = try KFPMBinary.run(["top", "-e", "exp\u{E9}", "--format", "json"], in: folder.path)
            #expect(top.stdout.components(separatedBy: "\"runs\": 2").count == 3, "both metrics in both runs: \(top.stdout)")
            let history = try KFPMBinary.run(["history", decomposed, "-e", "expe\u{301}", "--format", "csv"], in: folder.path)
            #expect(history.stdout.components(separatedBy: "\r\n").count == 4, "a header, two points, the end: \(history.stdout)")
            let runs = try KFPMBinary.run(["runs", "-e", "exp\u{E9}", "--metrics", composed, "--format", "csv"], in: folder.path)
            #expect(runs.stdout.contains(",0.5\r\n") && runs.stdout.contains(",0.7\r\n"), "\(runs.stdout)")
            let compare = try KFPMBinary.run(["compare", "re\u{301}1", "r\u{E9}2", "-e", "exp\u{E9}", "--format", "csv"], in: folder.path)
            #expect(compare.status == 0, "\(compare.stderr)")
            #expect(compare.stdout.contains(",changed,") && !compare.stdout.contains(",added,"), "\(compare.stdout)")
            let gate = try KFPMBinary.run(
                ["gate", "r\u{E9}2", "-e", "exp\u{E9}", "--baseline", "re\u{301}1", "--rule", "\(decomposed):fail=0.01"], in: folder.path)
            #expect(gate.status == 0 && !gate.stdout.contains("MISSING") && !gate.stdout.contains("NEW"), "\(gate.stdout)")
        }
    }

    @Test func controlCharactersAreRefusedInNamesAndShownEscapedFromOlderStores() throws {
        try withTemporaryFolder { folder in
            let hostile = "x\u{1B}[2J\u{1B}]0;pwned\u{07}"
            for arguments in [["ingest", hostile, "-"], ["ingest", "r", "-", "-e", hostile], ["ingest", "r", "-", "--label", "k=\(hostile)"]] {
                let refused = try KFPMBinary.run(arguments, in: folder.path, stdin: Array("{\"a\": 1}".utf8))
                #expect(refused.status == 2)
                #expect(refused.stderr.contains("contains control characters") && !refused.stderr.contains("\u{1B}"), "\(refused.stderr)")
            }
            // An older kfpm stored such names; every human format shows them escaped.
            #expect(try KFPMBinary.run(["ingest", "r1", "-"], in: folder.path, stdin: Array("{\"plain\": 1}".utf8)).status == 0)
            #expect(try KFPMBinary.run(["ingest", "r2", "-"], in: folder.path, stdin: Array("{\"plain\": 2}".utf8)).status == 0)
            guard SQLiteShell.path != nil else { return }
            _ = try SQLiteShell.run(folder.file("kfpm.db"), "UPDATE metric_name SET name = 'plain' || char(27) || '[2J' || char(155)")
            for arguments in [
                ["show", "r1"], ["show", "r1", "--format", "markdown"], ["runs", "--metrics", "all"], ["top"],
                ["compare", "r1", "r2"], ["gate", "r2", "--format", "github", "--rule", "*:max=1.5"], ["gate", "r2", "--format", "markdown"],
                ["show", "r1", "--format", "csv"],
            ] {
                let shown = try KFPMBinary.run(arguments, in: folder.path)
                #expect(shown.stdout.contains("plain\\u001b[2J\\u009b"), "\(arguments): \(shown.stdout)")
                #expect(!shown.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B }, "\(arguments)")
            }
        }
    }
}
