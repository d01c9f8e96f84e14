import Foundation
import KFPMTestSupport
import Testing

/// Defects found in review, each pinned by the command that showed it.
@Suite(.serialized)
struct ReviewRegressionTests {
    private func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func anUnlistableSubfolderFailsTheIngest() throws {
        guard let launcher = Unprivileged.launcher else { return }  // no way to drop root here
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try write(#"{"a": 1}"#, folder.file("f/a/m.json"))
        try write(#"{"b": 2}"#, folder.file("f/b/m.json"))
        chmod(folder.path, 0o777)
        chmod(folder.file("f/b"), 0o000)
        defer { chmod(folder.file("f/b"), 0o755) }
        let result = try KFPMBinary.run(["ingest", "r", folder.file("f"), "--store", folder.file("s.db")], in: folder.path, launcher: launcher)
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("f/b: error: cannot list the folder"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("s.db")))
    }

    @Test func strictCountsEachRuleOfAOneLineJSONFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for (run, value) in [("r1", 0.9), ("r2", 0.9)] {
            #expect(try KFPMBinary.run(["ingest", run, "-"], in: folder.path, stdin: Array(#"{"accuracy": \#(value)}"#.utf8)).status == 0)
        }
        try write(#"{"rules":[{"metric":"accuracy*","fail":"1%"},{"metric":"acuracy-typo","fail":"1%"}]}"#, folder.file("r.json"))
        let result = try KFPMBinary.run(["gate", "r2", "--rules", folder.file("r.json"), "--strict"], in: folder.path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("rule applies to no metric: acuracy-typo"))
    }

    @Test func namesNotInComposedFormAreFound() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(try KFPMBinary.run(["ingest", "r1", "-"], in: folder.path, stdin: Array("{\"e\u{301}-acc\": 0.5, \"f1\": 0.9}".utf8)).status == 0)
        #expect(try KFPMBinary.run(["ingest", "r2", "-"], in: folder.path, stdin: Array("{\"e\u{301}-acc\": 0.5, \"f1\": 0.2}".utf8)).status == 0)
        let gate = try KFPMBinary.run(["gate", "r2", "--rule", "f1:fail=0.01"], in: folder.path)
        #expect(gate.status == 1)
        #expect(gate.stdout.contains("FAIL") && !gate.stdout.contains("MISSING"), "\(gate.stdout)")
        let runs = try KFPMBinary.run(["runs", "--metrics", "f1", "--format", "csv"], in: folder.path)
        #expect(runs.stdout.contains("r2,") && runs.stdout.contains(",0.2\r\n"))
    }

    @Test func kfpV2StringNaNIsRejectedUnlessAllowed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let output = Array(#"{"artifacts": {"m": {"artifacts": [{"metadata": {"accuracy": 0.9, "loss": "NaN"}}]}}}"#.utf8)
        let rejected = try KFPMBinary.run(["ingest", "r", "-"], in: folder.path, stdin: output)
        #expect(rejected.status == 2)
        #expect(rejected.stderr.contains("metric 'm/loss' is NaN"))
        #expect(try KFPMBinary.run(["validate", "--kfp", "-", "--allow-nonfinite"], in: folder.path, stdin: output).status == 2)
        let allowed = try KFPMBinary.run(["ingest", "r", "-", "--allow-nonfinite"], in: folder.path, stdin: output)
        #expect(allowed.status == 0)
        #expect(try KFPMBinary.run(["show", "r", "--format", "csv"], in: folder.path).stdout.contains("m/loss,NaN"))
    }

    @Test func aFolderWithNoMetricsFileIsAnError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try write("[1, 2]", folder.file("d/x.json"))
        let result = try KFPMBinary.run(["ingest", "r", folder.file("d")], in: folder.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("none of the 1 file found in the folder is a metrics file"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("kfpm.db")))
    }

    @Test func aRunIsNotItsOwnBaseline() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(try KFPMBinary.run(["ingest", "r", "-"], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8)).status == 0)
        let result = try KFPMBinary.run(["gate", "r", "--baseline", "r"], in: folder.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no baseline found for 'r'"))
    }
}
