import Foundation
import KFPMTestSupport
import Testing

/// `kfpm ingest`, `show` and `validate` run as a user runs them: the built binary, real fixtures, exit codes.
@Suite(.serialized)
struct IngestEndToEndTests {
    /// `fixtures/expected.json`: for every valid fixture, the values its generator wrote.
    static let expected: [String: [String: (value: Double, format: String)]] = {
        guard let data = try? Data(contentsOf: Fixtures.root.appendingPathComponent("expected.json")),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        var result: [String: [String: (Double, String)]] = [:]
        for (file, entry) in root {
            guard let metrics = (entry as? [String: Any])?["metrics"] as? [String: Any] else { continue }
            var values: [String: (Double, String)] = [:]
            for (name, metric) in metrics {
                guard let metric = metric as? [String: Any], let value = (metric["value"] as? NSNumber)?.doubleValue,
                    let format = metric["format"] as? String
                else { continue }
                values[name] = (value, format)
            }
            result[file] = values
        }
        return result
    }()

    static let validFixtures = expected.keys.sorted()
    static let invalidFixtures = Fixtures.files(under: "invalid").filter { !$0.hasSuffix("README.md") }

    /// Parses `show --format json` output into name → (value, format).
    private func shownMetrics(_ json: String) throws -> [String: (value: Double, format: String)] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let metrics = try #require(root["metrics"] as? [[String: Any]])
        var result: [String: (Double, String)] = [:]
        for metric in metrics {
            let name = try #require(metric["name"] as? String)
            let value = try #require((metric["value"] as? NSNumber)?.doubleValue)
            result[name] = (value, try #require(metric["format"] as? String))
        }
        return result
    }

    @Test func fixturesAreThere() {
        #expect(Self.validFixtures.count >= 8)
        #expect(Self.invalidFixtures.count >= 15)
    }

    @Test(arguments: validFixtures)
    func everyValidFixtureIsStoredWithExactValues(_ fixture: String) throws {
        try withTemporaryFolder { folder in
            let ingest = try KFPMBinary.run(["ingest", "run-1", Fixtures.path(fixture)], in: folder.path)
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let show = try KFPMBinary.run(["show", "run-1", "--format", "json"], in: folder.path)
            #expect(show.status == 0, "\(show.stderr)")
            let shown = try shownMetrics(show.stdout)
            let want = try #require(Self.expected[fixture])
            #expect(Set(shown.keys) == Set(want.keys))
            for (name, expected) in want {
                let got = try #require(shown[name])
                // Exact: the same double (−0 is stored as 0, an equal number).
                #expect(got.value == expected.value, "\(name): \(got.value) vs \(expected.value)")
                #expect(expected.value == 0 || got.value.bitPattern == expected.value.bitPattern)
                #expect(got.format == expected.format, "\(name)")
            }
        }
    }

    @Test(arguments: invalidFixtures)
    func everyInvalidFixtureExits2AndStoresNothing(_ fixture: String) throws {
        try withTemporaryFolder { folder in
            // Into a fresh folder: no store appears.
            let fresh = try KFPMBinary.run(["ingest", "run-1", Fixtures.path(fixture)], in: folder.path)
            #expect(fresh.status == 2)
            #expect(fresh.stderr.contains(Fixtures.path(fixture)), "the message names the file: \(fresh.stderr)")
            #expect(fresh.stderr.contains("error:"))
            #expect(fresh.stderr.contains("nothing was stored"))
            #expect(fresh.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: folder.file("kfpm.db")))

            // Into an existing store: the file is byte-for-byte the same afterwards.
            let seed = try KFPMBinary.run(["ingest", "seed", Fixtures.path("kfp-v1/accuracy.json")], in: folder.path)
            #expect(seed.status == 0)
            let before = try Data(contentsOf: URL(fileURLWithPath: folder.file("kfpm.db")))
            let again = try KFPMBinary.run(["ingest", "run-1", Fixtures.path(fixture)], in: folder.path)
            #expect(again.status == 2)
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("kfpm.db"))) == before)
            let show = try KFPMBinary.run(["show", "run-1"], in: folder.path)
            #expect(show.status == 2)
            #expect(show.stderr.contains("no run 'run-1'"))
        }
    }

    @Test func problemsNameFilePlaceAndRule() throws {
        try withTemporaryFolder { folder in
            let path = Fixtures.path("invalid/kfp-v1-unknown-format.json")
            let result = try KFPMBinary.run(["ingest", "r", path], in: folder.path)
            #expect(
                result.stderr.contains(
                    "\(path):1:71: error: $.metrics[0].format: unknown format 'PERCENT' (allowed: RAW, PERCENTAGE, UNSPECIFIED, or none) [kfp-format]"
                ))
        }
    }

    @Test func allProblemsOfAllFilesAreListedAtOnce() throws {
        try withTemporaryFolder { folder in
            let files = ["invalid/kfp-v1-nan.json", "invalid/kfp-v1-bad-name.json", "kfp-v1/accuracy.json"]
            let result = try KFPMBinary.run(["ingest", "r", "--step", "s"] + files.map(Fixtures.path), in: folder.path)
            #expect(result.status == 2)
            #expect(result.stderr.contains("[non-finite]"))
            #expect(result.stderr.contains("[kfp-name-pattern]"))
            #expect(result.stderr.contains("[duplicate-name]"))  // accuracy-score is in all three
            #expect(!FileManager.default.fileExists(atPath: folder.file("kfpm.db")))
        }
    }

    @Test func reingestIsIdempotentDifferentContentNeedsReplace() throws {
        try withTemporaryFolder { folder in
            let first = Fixtures.path("kfp-v1/accuracy.json")
            let other = Fixtures.path("kfp-v1/precise-values.json")
            #expect(try KFPMBinary.run(["ingest", "r", first, "--label", "branch=main"], in: folder.path).status == 0)
            let retry = try KFPMBinary.run(["ingest", "r", first, "--label", "branch=main"], in: folder.path)
            #expect(retry.status == 0)
            #expect(retry.stdout.contains("unchanged"))

            let before = try Data(contentsOf: URL(fileURLWithPath: folder.file("kfpm.db")))
            let conflict = try KFPMBinary.run(["ingest", "r", other, "--label", "branch=main"], in: folder.path)
            #expect(conflict.status == 2)
            #expect(conflict.stderr.contains("already holds different metrics"))
            #expect(conflict.stderr.contains("--replace"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("kfpm.db"))) == before)

            let labelChange = try KFPMBinary.run(["ingest", "r", first, "--label", "branch=dev"], in: folder.path)
            #expect(labelChange.status == 2)
            #expect(labelChange.stderr.contains("Labels (stored → new):\n  branch: main → dev"))

            let replaced = try KFPMBinary.run(["ingest", "r", other, "--replace"], in: folder.path)
            #expect(replaced.status == 0, "\(replaced.stderr)")
            #expect(replaced.stdout.contains("replaced"))
            let shown = try shownMetrics(try KFPMBinary.run(["show", "r", "--format", "json"], in: folder.path).stdout)
            #expect(Set(shown.keys) == Set(Self.expected["kfp-v1/precise-values.json"]?.keys.map { $0 } ?? []))
        }
    }

    @Test func standardInputIsAFile() throws {
        try withTemporaryFolder { folder in
            let bytes = try Fixtures.bytes("dvclive/metrics.json")
            let result = try KFPMBinary.run(["ingest", "r", "-"], in: folder.path, stdin: bytes)
            #expect(result.status == 0, "\(result.stderr)")
            let shown = try shownMetrics(try KFPMBinary.run(["show", "r", "--format", "json"], in: folder.path).stdout)
            #expect(shown["train/loss"]?.value == Self.expected["dvclive/metrics.json"]?["train/loss"]?.value)

            let bad = try KFPMBinary.run(["ingest", "r2", "-"], in: folder.path, stdin: Array("{\"a\": ".utf8))
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("-:1:7: error: invalid JSON"))
        }
    }

    @Test func aFolderGivesEachFileItsFolderAsStep() throws {
        try withTemporaryFolder { folder in
            let tree = folder.file("tree")
            try FileManager.default.createDirectory(atPath: tree + "/train", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: tree + "/eval", withIntermediateDirectories: true)
            try Data(try Fixtures.bytes("kfp-v1/accuracy.json")).write(to: URL(fileURLWithPath: tree + "/train/m.json"))
            try Data(try Fixtures.bytes("kfp-v1/mlpipeline-metrics.tgz")).write(to: URL(fileURLWithPath: tree + "/eval/m.tgz"))
            try Data("not metrics".utf8).write(to: URL(fileURLWithPath: tree + "/notes.txt"))
            let result = try KFPMBinary.run(["ingest", "r", tree, "--step", "pipeline"], in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
            let shown = try shownMetrics(try KFPMBinary.run(["show", "r", "--format", "json"], in: folder.path).stdout)
            #expect(shown["pipeline/train/accuracy-score"]?.value == 0.9123)
            #expect(shown["pipeline/eval/accuracy-score"] != nil)
        }
    }

    @Test func environmentChoosesStoreAndExperiment() throws {
        try withTemporaryFolder { folder in
            let env = ["KFPM_STORE": folder.file("team.db"), "KFPM_EXPERIMENT": "nightly"]
            #expect(
                try KFPMBinary.run(["ingest", "r", Fixtures.path("kfp-v1/accuracy.json")], in: folder.path, environment: env)
                    .status == 0)
            #expect(FileManager.default.fileExists(atPath: folder.file("team.db")))
            let show = try KFPMBinary.run(["show", "r", "--store", folder.file("team.db"), "-e", "nightly"], in: folder.path)
            #expect(show.status == 0)
            #expect(show.stdout.contains("91.230%"))
            let wrong = try KFPMBinary.run(["show", "r", "--store", folder.file("team.db")], in: folder.path)
            #expect(wrong.status == 2)
            #expect(wrong.stderr.contains("no experiment 'Default'; experiments: nightly"))
        }
    }

    @Test func validateKFPRulesAndExitCodes() throws {
        try withTemporaryFolder { folder in
            let many = Fixtures.path("kfp-v1/many-metrics.json")
            let lenient = try KFPMBinary.run(["validate", many], in: folder.path)
            #expect(lenient.status == 0)
            #expect(lenient.stderr.contains("warning:") && lenient.stderr.contains("KFP keeps at most 50"))
            let strict = try KFPMBinary.run(["validate", "--kfp", many], in: folder.path)
            #expect(strict.status == 2)
            #expect(strict.stderr.contains("error:") && strict.stderr.contains("[kfp-metric-limit]"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("kfpm.db")))
        }
    }

    @Test func usageErrorsExit64() throws {
        try withTemporaryFolder { folder throws in
            #expect(try KFPMBinary.run(["ingest"], in: folder.path).status == 64)
            #expect(try KFPMBinary.run(["show", "r", "--format", "xml"], in: folder.path).status == 64)
            #expect(try KFPMBinary.run(["ingest", "r", "x.json", "--label", "novalue"], in: folder.path).status == 64)
            #expect(try KFPMBinary.run(["frobnicate"], in: folder.path).status == 64)
        }
    }

    @Test func missingFilesAndFoldersAreErrors() throws {
        try withTemporaryFolder { folder in
            let result = try KFPMBinary.run(["ingest", "r", "missing.json", folder.path], in: folder.path)
            #expect(result.status == 2)
            #expect(result.stderr.contains("missing.json: error: no such file or folder"))
            #expect(result.stderr.contains("holds no metrics files"))
        }
    }

    @Test func anUnlistableSubfolderFailsTheIngest() throws {
        guard let launcher = Unprivileged.launcher else { return }  // no way to drop root here
        try withTemporaryFolder { folder in
            try folder.write(#"{"a": 1}"#, to: "f/a/m.json")
            try folder.write(#"{"b": 2}"#, to: "f/b/m.json")
            chmod(folder.path, 0o777)
            chmod(folder.file("f/b"), 0o000)
            defer { chmod(folder.file("f/b"), 0o755) }
            let result = try KFPMBinary.run(["ingest", "r", folder.file("f"), "--store", folder.file("s.db")], in: folder.path, launcher: launcher)
            #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("f/b: error: cannot list the folder"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("s.db")))
        }
    }

    @Test func kfpV2StringNaNIsRejectedUnlessAllowed() throws {
        try withTemporaryFolder { folder in
            let output = Array(#"{"artifacts": {"m": {"artifacts": [{"metadata": {"accuracy": 0.9, "loss": "NaN"}}]}}}"#.utf8)
            let rejected = try KFPMBinary.run(["ingest", "r", "-"], in: folder.path, stdin: output)
            #expect(rejected.status == 2)
            #expect(rejected.stderr.contains("metric 'm/loss' is NaN"))
            #expect(try KFPMBinary.run(["validate", "--kfp", "-", "--allow-nonfinite"], in: folder.path, stdin: output).status == 2)
            let allowed = try KFPMBinary.run(["ingest", "r", "-", "--allow-nonfinite"], in: folder.path, stdin: output)
            #expect(allowed.status == 0)
            #expect(try KFPMBinary.run(["show", "r", "--format", "csv"], in: folder.path).stdout.contains("m/loss,NaN"))
        }
    }

    @Test func aFolderWithNoMetricsFileIsAnError() throws {
        try withTemporaryFolder { folder in
            try folder.write("[1, 2]", to: "d/x.json")
            let result = try KFPMBinary.run(["ingest", "r", folder.file("d")], in: folder.path)
            #expect(result.status == 2)
            #expect(result.stderr.contains("none of the 1 file found in the folder is a metrics file"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("kfpm.db")))
        }
    }

    @Test func folderNamesThatAreNotUTF8AreReadAndShownWithByteEscapes() throws {
        try withTemporaryFolder { folder in
            // Linux file names are bytes: a step folder and an import run folder with a byte that is not UTF-8.
            let script = #"""
                mkdir -p "f/$(printf 'step\377')" "tree/exp/$(printf 'run\376')"
                printf '{"a": 1}' >"f/$(printf 'step\377')/m.json"
                printf '{"b": 2}' >"tree/exp/$(printf 'run\376')/m.json"
                printf '{"c": x}' >"f/$(printf 'step\377')/broken.json"
                """#
            #expect(try Shell.run(script, in: folder.path) == 0)
            let refused = try KFPMBinary.run(["ingest", "r", "f"], in: folder.path)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("f/step\\xFF/broken.json:1:7: error: invalid JSON"), "\(refused.stderr)")
            _ = try Shell.run("rm f/*/broken.json", in: folder.path)
            let ingest = try KFPMBinary.run(["ingest", "r", "f"], in: folder.path)
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let show = try KFPMBinary.run(["show", "r", "--format", "csv"], in: folder.path)
            #expect(show.stdout.contains(",step\\xFF/a,1.0,"), "\(show.stdout)")
            let imported = try KFPMBinary.run(["import", "tree"], in: folder.path)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try KFPMBinary.run(["show", "run\\xFE", "-e", "exp"], in: folder.path).status == 0)
        }
    }

    @Test func oneMissingInputIsOneProblem() throws {
        try withTemporaryFolder { folder in
            let result = try KFPMBinary.run(["ingest", "r", "missing.json"], in: folder.path)
            #expect(result.status == 2)
            #expect(result.stderr == "missing.json: error: no such file or folder [input]\nkfpm: error: 1 problem in the input; nothing was stored\n")
        }
    }
}
