import Foundation
import KFPMTestSupport
import Testing

/// `kfpm gate` as a CI job runs it: ingest, gate, exit code, report.
@Suite(.serialized)
struct GateEndToEndTests {
    /// A KFP v1 metrics file with these values (accuracy as PERCENTAGE).
    private func metrics(_ values: [(String, Double)]) -> [UInt8] {
        let items = values.map { name, value in
            #"{"name": "\#(name)", "numberValue": \#(value), "format": "\#(name.hasPrefix("accuracy") ? "PERCENTAGE" : "RAW")"}"#
        }
        return Array(#"{"metrics": [\#(items.joined(separator: ", "))]}"#.utf8)
    }

    private func ingest(_ run: String, _ values: [(String, Double)], branch: String, in folder: TemporaryFolder) throws {
        let result = try KFPMBinary.run(
            ["ingest", run, "-", "--label", "branch=\(branch)"], in: folder.path, stdin: metrics(values))
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func twoPointsLostAgainstMainWithA1ppRuleFails() throws {
        try withTemporaryFolder { folder in
            try ingest("main-1", [("accuracy", 0.92), ("loss", 0.30)], branch: "main", in: folder)
            try ingest("feature-1", [("accuracy", 0.95), ("loss", 0.10)], branch: "feature", in: folder)
            try ingest("pr-7", [("accuracy", 0.90), ("loss", 0.29)], branch: "feature", in: folder)
            let result = try KFPMBinary.run(
                ["gate", "pr-7", "--baseline", "latest:branch=main", "--rule", "accuracy:fail=1pp"], in: folder.path)
            #expect(result.status == 1)
            let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("FAIL") })
            for part in ["accuracy", "92.000%", "90.000%", "-2.000pp", "fail if worse by > 1pp"] {
                #expect(line.contains(part), "\(part) in \(line)")
            }
            #expect(result.stdout.contains("baseline main-1 (latest:branch=main)"))
            #expect(result.stdout.contains("gate FAILED"))
        }
    }

    @Test func aChangeInsideTheWindowsNoisePasses() throws {
        try withTemporaryFolder { folder in
            for (i, value) in [0.900, 0.903, 0.897, 0.901, 0.899, 0.904, 0.896, 0.902, 0.898, 0.900].enumerated() {
                try ingest("main-\(i)", [("accuracy", value)], branch: "main", in: folder)
            }
            try ingest("pr", [("accuracy", 0.897)], branch: "feature", in: folder)
            let args = ["gate", "pr", "--baseline", "window:10:branch=main", "--rule", "accuracy:sigma=3,fail=0.1pp"]
            let pass = try KFPMBinary.run(args, in: folder.path)
            #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
            #expect(pass.stdout.contains("within the window's noise"))
            try ingest("pr-bad", [("accuracy", 0.880)], branch: "feature", in: folder)
            let fail = try KFPMBinary.run(["gate", "pr-bad"] + args.dropFirst(2), in: folder.path)
            #expect(fail.status == 1)
        }
    }

    @Test func aVanishedMetricFailsAndANaNFails() throws {
        try withTemporaryFolder { folder in
            try ingest("a", [("accuracy", 0.9), ("loss", 0.3)], branch: "main", in: folder)
            try ingest("b", [("accuracy", 0.9)], branch: "main", in: folder)
            let vanished = try KFPMBinary.run(["gate", "b"], in: folder.path)
            #expect(vanished.status == 1)
            #expect(vanished.stdout.contains("MISSING") && vanished.stdout.contains("loss"))
            let warned = try KFPMBinary.run(["gate", "b", "--rule", "loss:on_missing=warn"], in: folder.path)
            #expect(warned.status == 0)
            #expect(try KFPMBinary.run(["gate", "b", "--rule", "loss:on_missing=warn", "--fail-on-warn"], in: folder.path).status == 1)

            let nan = try KFPMBinary.run(
                ["ingest", "c", "-", "--allow-nonfinite"], in: folder.path,
                stdin: Array(#"{"metrics": [{"name": "accuracy", "numberValue": NaN}, {"name": "loss", "numberValue": 0.3}]}"#.utf8))
            #expect(nan.status == 0)
            let gate = try KFPMBinary.run(["gate", "c", "--baseline", "a"], in: folder.path)
            #expect(gate.status == 1)
            #expect(gate.stdout.contains("the candidate's value is NaN"))
        }
    }

    @Test func errorsExit2() throws {
        try withTemporaryFolder { folder in
            try ingest("first", [("accuracy", 0.9)], branch: "main", in: folder)
            let broken = try KFPMBinary.run(["gate", "first", "--rules", Fixtures.path("gate/broken.yaml")], in: folder.path)
            #expect(broken.status == 2)
            #expect(broken.stderr.contains("broken.yaml:4:5: error: unknown key 'threshold'"))
            #expect(broken.stdout.isEmpty)
            let noBaseline = try KFPMBinary.run(["gate", "first"], in: folder.path)
            #expect(noBaseline.status == 2)
            #expect(noBaseline.stderr.contains("no baseline found for 'previous'"))
            let allowed = try KFPMBinary.run(["gate", "first", "--allow-no-baseline", "--rule", "accuracy:min=0.8"], in: folder.path)
            #expect(allowed.status == 0)
            #expect(allowed.stdout.contains("only absolute bounds"))
            let unknown = try KFPMBinary.run(["gate", "nope"], in: folder.path)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("no run 'nope'"))
            let pp = try KFPMBinary.run(["gate", "first", "--allow-no-baseline", "--rule", "*:fail=1pp"], in: folder.path)
            #expect(pp.status == 0)  // no baseline: no change to judge, and accuracy is PERCENTAGE anyway
            #expect(try KFPMBinary.run(["gate", "first", "--baseline", "window:x"], in: folder.path).status == 64)
            #expect(try KFPMBinary.run(["gate", "first", "--format", "xml"], in: folder.path).status == 64)
        }
    }

    @Test func githubFormatWritesAnnotationsAndTheStepSummary() throws {
        try withTemporaryFolder { folder in
            try ingest("a", [("accuracy", 0.92)], branch: "main", in: folder)
            try ingest("b", [("accuracy", 0.90)], branch: "main", in: folder)
            let summary = folder.file("summary.md")
            try Data("# earlier step\n".utf8).write(to: URL(fileURLWithPath: summary))
            let result = try KFPMBinary.run(
                ["gate", "b", "--rule", "accuracy:fail=1pp", "--format", "github"], in: folder.path,
                environment: ["GITHUB_STEP_SUMMARY": summary])
            #expect(result.status == 1)
            #expect(result.stdout.hasPrefix("::error title=kfpm gate%3A accuracy::"))
            let written = try String(contentsOfFile: summary, encoding: .utf8)
            #expect(written.hasPrefix("# earlier step\n### ❌ kfpm gate: `b` vs `a (previous)`"))
            #expect(written.contains("| ❌ fail | accuracy |"))
        }
    }

    @Test func aRuleThatMatchesNoMetricStopsTheGateUnlessOptional() throws {
        try withTemporaryFolder { folder in
            try ingest("r1", [("accuracy-score", 0.9)], branch: "main", in: folder)
            try ingest("r2", [("accuracy-score", 0.7)], branch: "main", in: folder)
            try folder.write(#"{"rules":[{"metric":"accuracy*","fail":"1%"},{"metric":"acuracy-score","fail":"1pp"}]}"#, to: "r.json")
            let typo = try KFPMBinary.run(["gate", "r2", "--rules", folder.file("r.json")], in: folder.path)
            #expect(typo.status == 2, "a misspelled rule must not let a regression pass: \(typo.stdout)")
            #expect(typo.stderr.contains("r.json:1:46: error: rule 'acuracy-score' matches no metric of the candidate or the baseline; did you mean accuracy-score?"), "\(typo.stderr)")
            try folder.write(#"{"rules":[{"metric":"accuracy*","fail":"1%"},{"metric":"acuracy-typo","optional":true}]}"#, to: "o.json")
            let optional = try KFPMBinary.run(["gate", "r2", "--rules", folder.file("o.json")], in: folder.path)
            #expect(optional.status == 1 && optional.stdout.contains("rule applies to no metric: acuracy-typo"))
            let strict = try KFPMBinary.run(["gate", "r1", "--baseline", "r2", "--rules", folder.file("o.json"), "--strict"], in: folder.path)
            #expect(strict.status == 1, "--strict fails on an optional rule that matched nothing")
        }
    }

    @Test func whenTheGateCannotRunCIFormatsStillWriteADocument() throws {
        try withTemporaryFolder { folder in
            try ingest("first", [("accuracy", 0.9)], branch: "main", in: folder)
            let junit = try KFPMBinary.run(["gate", "first", "--format", "junit"], in: folder.path)
            #expect(junit.status == 2)
            #expect(junit.stdout.hasPrefix("<?xml") && junit.stdout.contains("errors=\"1\"") && junit.stdout.contains("<error type=\"error\" message=\"no baseline found"), "\(junit.stdout)")
            let github = try KFPMBinary.run(["gate", "nope", "--format", "github"], in: folder.path)
            #expect(github.status == 2 && github.stdout.hasPrefix("::error title=kfpm gate::the gate could not run: no run 'nope'"), "\(github.stdout)")
            let table = try KFPMBinary.run(["gate", "first"], in: folder.path)
            #expect(table.status == 2 && table.stdout.isEmpty)
            let itself = try KFPMBinary.run(["gate", "first", "--baseline", "first"], in: folder.path)
            #expect(itself.status == 2 && itself.stderr.contains("the baseline 'first' is the candidate itself"))
        }
    }

    @Test func rulesFilesAreReadStrictlyAndSayWhyTheyCannotBe() throws {
        try withTemporaryFolder { folder in
            try ingest("a", [("accuracy", 0.9)], branch: "main", in: folder)
            try ingest("b", [("accuracy", 0.9)], branch: "main", in: folder)
            try folder.write("{\n  \"rules\": [\n    {\"metric\": \"accuracy\", \"fail\": \"1pp\"},\n  ]\n}\n", to: "trailing.json")
            let trailing = try KFPMBinary.run(["gate", "b", "--rules", "trailing.json"], in: folder.path)
            #expect(trailing.status == 2 && trailing.stderr.contains("trailing.json:4:3: error: invalid JSON"), "\(trailing.stderr)")
            let missing = try KFPMBinary.run(["gate", "b", "--rules", "missing.yaml"], in: folder.path)
            #expect(missing.status == 2 && missing.stderr.contains("missing.yaml: error: cannot read: No such file or directory"))
        }
    }

    @Test func changesArePrintedWithoutBinaryNoise() throws {
        try withTemporaryFolder { folder in
            try ingest("a", [("accuracy", 0.9134), ("loss", 0.3)], branch: "main", in: folder)
            try ingest("b", [("accuracy", 0.8934), ("loss", 0.1)], branch: "main", in: folder)
            let json = try KFPMBinary.run(["gate", "b", "--format", "json"], in: folder.path)
            #expect(json.stdout.contains("\"change\": -0.02,") && json.stdout.contains("\"pp_change\": -2.0,"), "\(json.stdout)")
            let compare = try KFPMBinary.run(["compare", "a", "b", "--format", "csv"], in: folder.path)
            #expect(compare.stdout.contains(",-0.02,") && compare.stdout.contains(",-2.0,worse"), "\(compare.stdout)")
            #expect(try KFPMBinary.run(["show", "b", "--format", "csv"], in: folder.path).stdout.contains(",0.8934,"))
        }
    }

    @Test func aRunIsNotItsOwnBaseline() throws {
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "r", "-"], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8)).status == 0)
            let result = try KFPMBinary.run(["gate", "r", "--baseline", "r"], in: folder.path)
            #expect(result.status == 2)
            #expect(result.stderr.contains("the baseline 'r' is the candidate itself"))
        }
    }
}
