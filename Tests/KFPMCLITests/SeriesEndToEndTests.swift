import Foundation
import KFPMTestSupport
import Testing

/// Series and parameters as a user meets them: a dvclive folder ingested with its histories and params.yaml,
/// MLflow stores imported, `curve`, `compare --at`, `runs --params`, the gate's `at:`.
@Suite(.serialized)
struct SeriesEndToEndTests {
    private func run(_ arguments: [String], in folder: TemporaryFolder, _ comment: String = "") throws -> ProcessResult {
        try KFPMBinary.run(arguments, in: folder.path)
    }

    @Test func aDvcliveFolderIsIngestedWithItsSeriesAndParameters() throws {
        try withTemporaryFolder { folder in
            let ingest = try run(["ingest", "r1", Fixtures.path("dvclive-params"), "--param", "data=v3"], in: folder)
            #expect(ingest.status == 0 && ingest.stdout == "stored 5 metrics as run 'r1' in experiment 'Default'\n", "\(ingest.stderr)")
            let show = try run(["show", "r1", "--format", "json"], in: folder)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let params = try #require(root["params"] as? [String: String])
            #expect(params["weight_decay"] == "1e-05" && params["seed"] == "0042" && params["optimizer/betas"] == "[0.9, 0.999]")
            #expect(params["data"] == "v3")
            let metrics = try #require(root["metrics"] as? [[String: Any]])
            #expect(metrics.first { $0["name"] as? String == "val/acc" }?["points"] as? Int == 3)

            let curve = try run(["curve", "r1", "train/loss", "--format", "csv"], in: folder)
            #expect(curve.status == 0)
            #expect(curve.stdout.hasPrefix("step,value,timestamp\r\n0,0.5,2025-01-01T00:00:00.000Z\r\n1,0.3333333333333333,"))
            #expect(curve.stdout.split(separator: "\r\n").count == 7)
            let thinned = try run(["curve", "r1", "train/loss", "--every", "4"], in: folder)
            #expect(thinned.stdout.contains("6 points (one in 4 shown: 3)") && thinned.stdout.contains("last: 0.143 at step 5"))

            // The same folder again is unchanged; a changed point is a conflict naming it, until --replace.
            #expect(try run(["ingest", "r1", Fixtures.path("dvclive-params"), "--param", "data=v3"], in: folder).stdout.contains("unchanged"))
            try FileManager.default.copyItem(atPath: Fixtures.path("dvclive-params"), toPath: folder.file("copy"))
            let tsv = folder.file("copy/plots/metrics/val/acc.tsv")
            let text = try String(contentsOfFile: tsv, encoding: .utf8).replacingOccurrences(of: "\t0.45\n", with: "\t0.46\n")
            try Data(text.utf8).write(to: URL(fileURLWithPath: tsv))
            let conflict = try run(["ingest", "r1", folder.file("copy"), "--param", "data=v3"], in: folder)
            #expect(conflict.status == 2)
            #expect(conflict.stderr.contains("series val/acc: point 1 (step 0: 0.45 at 1735689600375) → (step 0: 0.46 at 1735689600375)"), "\(conflict.stderr)")
            let replaced = try run(["ingest", "r1", folder.file("copy"), "--replace"], in: folder)
            #expect(replaced.status == 0 && replaced.stdout.hasPrefix("replaced run 'r1'"))
            let after = try run(["show", "r1", "--format", "json"], in: folder).stdout
            #expect(!after.contains("\"data\""), "--replace replaced the parameters too")
        }
    }

    @Test func validateChecksEveryFileOfADvcliveFolder() throws {
        try withTemporaryFolder { folder in
            let result = try run(["validate", Fixtures.path("dvclive-params")], in: folder)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("dvclive-params/params.yaml: ok, parameters, 11\n"))
            #expect(result.stdout.contains("dvclive-params/plots/metrics/val/acc.tsv: ok, dvclive series, 3 points\n"))
            // The oracle beside the fixture is JSON but no metrics file: skipped with a note, as ingest skips it.
            #expect(result.stderr.contains("expected.json: note: skipped: not a metrics file") && !result.stderr.contains("error"))
            let broken = try run(["validate", Fixtures.path("bad-input/dvclive-broken")], in: folder)
            #expect(broken.status == 2 && broken.stderr.contains("loss.tsv:3:1: error: the step must be a whole number"))
        }
    }

    @Test func curveSaysWhatItCannotShow() throws {
        try withTemporaryFolder { folder in
            #expect(try run(["ingest", "r", Fixtures.path("kfp-v1/accuracy.json")], in: folder).status == 0)
            let none = try run(["curve", "r", "accuracy-score"], in: folder)
            #expect(none.status == 2 && none.stderr.contains("metric 'accuracy-score' of run 'r' has no series"))
            let unknown = try run(["curve", "r", "nope"], in: folder)
            #expect(unknown.status == 2 && unknown.stderr.contains("run 'r' in experiment 'Default' has no metric 'nope'; its metrics:"))
            #expect(try run(["curve", "r", "accuracy-score", "--every", "0"], in: folder).status == 64)
        }
    }

    @Test(arguments: ["mlruns", "mlflow.db"])
    func anMLflowStoreIsImportedAndComparedAtItsBestPoints(_ store: String) throws {
        try withTemporaryFolder { folder in
            let source = Fixtures.path("mlflow/" + store)
            let before = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mlflow/mlflow.db")))
            let imported = try run(["import", source], in: folder)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.hasPrefix("imported 4 runs (15 metrics, 8"))
            #expect(imported.stderr.contains("note: left out 2 deleted runs (1 deleted experiment among them); --include-deleted imports them"))
            #expect(imported.stderr.contains("is stored as 'tuned-"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mlflow/mlflow.db"))) == before)

            let runs = try run(["runs", "-e", "mnist-classifier", "--params", "--format", "csv", "--metrics", "val/acc"], in: folder)
            let header = try #require(runs.stdout.split(separator: "\r\n").first)
            #expect(header.hasPrefix("run,created_at,param:batch_size,param:description,param:epochs,param:lr,") && header.hasSuffix(",val/acc"))

            let compare = try run(["compare", "-e", "mnist-classifier", "baseline", "tuned", "--at", "best", "--format", "json"], in: folder)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [String: Any])
            #expect(root["at"] as? String == "best")
            let acc = try #require((root["metrics"] as? [[String: Any]])?.first { $0["name"] as? String == "val/acc" })
            #expect(acc["steps"] as? [Int] == [11, 4])
            let params = try #require(root["params"] as? [[String: Any]])
            #expect(params.first { $0["name"] as? String == "lr" }?["values"] as? [String] == ["0.001", "0.0005"])
            #expect(try run(["compare", "-e", "mnist-classifier", "baseline", "tuned", "--at", "middle"], in: folder).status == 64)

            let gate = try run(
                ["gate", "-e", "mnist-classifier", "tuned", "--baseline", "baseline", "--rule", "val/acc:at=best,fail=5%",
                 "--rule", "train/loss:at=last,fail=0.2", "--rule", "*:on_missing=ignore", "--format", "json"], in: folder)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(gate.stdout.utf8)) as? [String: Any])
            let results = try #require(report["metrics"] as? [[String: Any]])
            let best = try #require(results.first { $0["name"] as? String == "val/acc" })
            #expect(best["at"] as? String == "best" && best["candidate_step"] as? Int == 4 && best["verdict"] as? String == "improved")
        }
    }

    @Test func importOptionsThatDoNotApplyToMLflowAreRefused() throws {
        try withTemporaryFolder { folder in
            let given = try run(["import", Fixtures.path("mlflow/mlruns"), "-e", "x"], in: folder)
            #expect(given.status == 2 && given.stderr.contains("an MLflow store's runs keep their experiments"))
            let all = try run(["import", Fixtures.path("mlflow/mlflow.db"), "--include-deleted"], in: folder)
            #expect(all.status == 0 && all.stdout.hasPrefix("imported 6 runs"))
            #expect(try run(["ingest", "r", "-", "--param", "=1"], in: folder).status == 64)
            let twice = try run(["ingest", "r", Fixtures.path("dvclive-params"), "--param", "lr=1"], in: folder)
            #expect(twice.status == 2 && twice.stderr.contains("parameter 'lr' is given by --param and by a parameters file"))
        }
    }
}
