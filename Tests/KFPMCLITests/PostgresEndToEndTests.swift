import Foundation
import KFPMTestSupport
import Testing

/// The commands against a real PostgreSQL server, as a CI job runs them: a read never creates a store, `kfpm copy`
/// round trips, libpq is loaded only for a postgresql:// store.
@Suite(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresEndToEndTests {
    @Test func readsNeverCreateAStoreAndUpgradeIsTheWayUp() throws {
        let uri = try #require(TestPostgres.freshStoreURI("e2e"))
        try withTemporaryFolder { folder in
            let runs = try KFPMBinary.run(["runs", "--store", uri], in: folder.path)
            #expect(runs.status == 2)
            #expect(runs.stderr.hasPrefix("kfpm: error: no store at 'postgresql://postgres@/kfpm_test?host="), "\(runs.stderr)")
            let upgrade = try KFPMBinary.run(["upgrade", "--store", uri], in: folder.path)
            #expect(upgrade.status == 2 && upgrade.stderr.contains("no store at"))
            let ingest = try KFPMBinary.run(["ingest", "r", "-", "--store", uri], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8))
            #expect(ingest.status == 0, "\(ingest.stderr)")
            let schema = String(uri.split(separator: "=").last ?? "")
            try TestPostgres.makeSchema2Store(schema)
            let older = try KFPMBinary.run(["show", "r", "--store", uri], in: folder.path)
            #expect(older.status == 2 && older.stderr.contains("schema version 2") && older.stderr.contains("kfpm upgrade"))
            let upgraded = try KFPMBinary.run(["upgrade", "--store", uri], in: folder.path)
            #expect(upgraded.status == 0 && upgraded.stdout.contains("from schema version 2 to 4"), "\(upgraded.stdout)")
            #expect(try KFPMBinary.run(["show", "r", "--store", uri], in: folder.path).status == 0)
        }
    }

    /// SQLite → PostgreSQL → SQLite gives byte-identical `show --format json` for every run, and the same `runs`,
    /// `top` and `experiments`; copying again changes nothing; a different run is a conflict unless --replace.
    @Test func copyRoundTripIsByteIdentical() throws {
        let uri = try #require(TestPostgres.freshStoreURI("copy"))
        try withTemporaryFolder { folder in
            let first = folder.file("first.db")
            let ingests: [[String]] = [
                ["ingest", "run-1", Fixtures.path("kfp-v1/accuracy.json"), "--label", "branch=main", "-e", "demo"],
                ["ingest", "run-2", Fixtures.path("kfp-v2/executor_output.json"), "--label", "commit=a1", "-e", "demo"],
                ["ingest", "run-3", Fixtures.path("synthetic/run-41.json"), "--step", "eval", "-e", "demo"],
                ["ingest", "other", Fixtures.path("kfp-v2/executor_output_two_metrics.json"), "-e", "zeta é"],
            ]
            for arguments in ingests {
                let result = try KFPMBinary.run(arguments + ["--store", first], in: folder.path)
                #expect(result.status == 0, "\(result.stderr)")
            }
            let nonFinite = try KFPMBinary.run(
                ["ingest", "odd", "-", "--allow-nonfinite", "-e", "demo", "--store", first], in: folder.path,
                stdin: Array(#"{"nan": NaN, "inf": -Infinity, "tiny": 5e-324, "third": 0.3333333333333333}"#.utf8))
            #expect(nonFinite.status == 0, "\(nonFinite.stderr)")

            let up = try KFPMBinary.run(["copy", first, uri], in: folder.path)
            #expect(up.status == 0, "\(up.stderr)")
            #expect(up.stdout.contains("copied 5 runs") && up.stdout.contains("of 2 experiments") && up.stdout.contains("5 new"), "\(up.stdout)")
            let second = folder.file("second.db")
            let down = try KFPMBinary.run(["copy", uri, second], in: folder.path)
            #expect(down.status == 0 && down.stdout.contains("5 new"), "\(down.stderr)")

            func output(_ arguments: [String], _ store: String) throws -> String {
                let result = try KFPMBinary.run(arguments + ["--store", store], in: folder.path)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                return result.stdout
            }
            for (experiment, run) in [("demo", "run-1"), ("demo", "run-2"), ("demo", "run-3"), ("demo", "odd"), ("zeta é", "other")] {
                let original = try output(["show", run, "-e", experiment, "--format", "json"], first)
                #expect(try output(["show", run, "-e", experiment, "--format", "json"], uri) == original)
                #expect(try output(["show", run, "-e", experiment, "--format", "json"], second) == original)
            }
            for arguments in [
                ["runs", "-e", "demo", "--format", "json", "--metrics", "all", "--labels"], ["top", "-e", "demo", "--format", "csv"],
                ["experiments", "--format", "json"],
            ] {
                let original = try output(arguments, first)
                #expect(try output(arguments, uri) == original, "\(arguments)")
                #expect(try output(arguments, second) == original, "\(arguments)")
            }

            // Again: unchanged. One experiment only, with -e.
            let again = try KFPMBinary.run(["copy", first, uri, "-e", "demo"], in: folder.path)
            #expect(again.status == 0 && again.stdout.contains("copied 4 runs") && again.stdout.contains("4 unchanged"), "\(again.stdout)")
            // A run that differs: a conflict, nothing copied; --replace replaces it.
            let changed = try KFPMBinary.run(
                ["ingest", "run-3", "-", "-e", "demo", "--replace", "--store", second], in: folder.path, stdin: Array(#"{"x": 2}"#.utf8))
            #expect(changed.status == 0)
            let conflict = try KFPMBinary.run(["copy", second, uri], in: folder.path)
            #expect(conflict.status == 2 && conflict.stderr.contains("already holds different metrics"), "\(conflict.stderr)")
            #expect(try output(["show", "run-3", "-e", "demo", "--format", "json"], uri).contains("eval/"))
            let replaced = try KFPMBinary.run(["copy", second, uri, "--replace"], in: folder.path)
            #expect(replaced.status == 0 && replaced.stdout.contains("1 replaced, 4 unchanged"), "\(replaced.stdout)")
            // An unknown experiment: exit 2, and no target is created.
            let unknown = try KFPMBinary.run(["copy", first, folder.file("none.db"), "-e", "nope"], in: folder.path)
            #expect(unknown.status == 2 && unknown.stderr.contains("no experiment 'nope'"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("none.db")))
        }
    }

    /// What main added since the team store was built, on both backends from the command line: a dvclive folder with
    /// its series and params.yaml, an MLflow store imported, a retried ingest adding a label, `label`, `rename`,
    /// `delete`, `labels`, `--where` with globs and negations; then every read of them (`show`, `curve` of every
    /// series, `runs --params`, `compare --at best`, a gate with `at:`) prints the same on both (but for the times of
    /// the runs ingested here, which each backend stored at its own moment). SQLite → PostgreSQL → SQLite keeps every
    /// run's `show` and `curve` byte for byte, times included.
    @Test func seriesParametersAndManagedRunsPrintTheSameOnBothBackends() throws {
        let uri = try #require(TestPostgres.freshStoreURI("series"))
        try withTemporaryFolder { folder in
            let sqlite = folder.file("kfpm.db")
            func run(_ arguments: [String], _ store: String, stdin: String = "") throws -> ProcessResult {
                try KFPMBinary.run(arguments + ["--store", store], in: folder.path, stdin: Array(stdin.utf8))
            }
            let writes: [([String], String)] = [
                (["ingest", "dv", Fixtures.path("dvclive-params"), "--param", "data=v3", "--label", "branch=main"], ""),
                (["import", Fixtures.path("mlflow/mlruns")], ""),
                (["ingest", "a", "-", "-e", "e", "--label", "branch=feat-x"], #"{"acc": 0.5}"#),
                (["ingest", "b", "-", "-e", "e", "--label", "branch=main"], #"{"acc": 0.7}"#),
                (["ingest", "c", "-", "-e", "e", "--label", "branch=a[b"], #"{"acc": 0.6, "loss": 1}"#),
                (["ingest", "a", "-", "-e", "e", "--label", "branch=feat-x", "--label", "commit=abc"], #"{"acc": 0.5}"#),
                (["ingest", "a", "-", "-e", "e", "--label", "branch=dev"], #"{"acc": 0.5}"#),
                (["label", "b", "c", "team=vision", "-e", "e"], ""),
                (["label", "c", "--remove", "team", "-e", "e"], ""),
                (["rename", "b", "a", "-e", "e"], ""),
                (["rename", "b", "base", "-e", "e"], ""),
                (["delete", "c", "nope", "-e", "e"], ""),
                (["delete", "c", "-e", "e"], ""),
                (["ingest", "dv", Fixtures.path("dvclive-params"), "--param", "data=v4"], ""),
            ]
            var reads: [[String]] = [
                ["experiments", "--format", "json"], ["labels", "-e", "e", "--format", "csv"],
                ["runs", "-e", "e", "--where", "branch=feat-*", "--format", "csv"],
                ["runs", "-e", "e", "--where", "branch!=main", "--where", "commit", "--format", "csv"],
                ["runs", "-e", "e", "--where", "!team", "--format", "csv"], ["top", "-e", "e", "--format", "csv"],
                ["runs", "--params", "--format", "json", "--metrics", "all", "--labels"],
                ["runs", "-e", "mnist-classifier", "--params", "--format", "json", "--metrics", "all", "--labels"],
                ["compare", "-e", "mnist-classifier", "baseline", "tuned", "--at", "best", "--all-params", "--format", "json"],
                ["gate", "-e", "mnist-classifier", "tuned", "--baseline", "baseline", "--rule", "val/acc:at=best,fail=5%",
                 "--rule", "*:on_missing=ignore", "--format", "json"],
            ]
            var transcripts: [String] = []
            for store in [sqlite, uri] {
                var transcript = ""
                for (arguments, stdin) in writes {
                    let result = try run(arguments, store, stdin: stdin)
                    transcript += "$ \(arguments.joined(separator: " "))\n\(result.status)\n\(result.stdout)\(result.stderr)"
                }
                transcripts.append(transcript)
            }
            #expect(transcripts[0] == transcripts[1])
            #expect(transcripts[0].contains("added the label commit=abc") && transcripts[0].contains("already holds different"))

            // Every run's `show`, and the `curve` of every metric with a series.
            func runsAndCurves(_ store: String) throws -> [[String]] {
                var commands: [[String]] = []
                let experiments = try JSONSerialization.jsonObject(with: Data(try run(["experiments", "--format", "json"], store).stdout.utf8))
                for experiment in ((experiments as? [String: Any])?["experiments"] as? [[String: Any]] ?? []).compactMap({ $0["name"] as? String }) {
                    let list = try JSONSerialization.jsonObject(with: Data(try run(["runs", "-e", experiment, "--format", "json"], store).stdout.utf8))
                    for name in ((list as? [String: Any])?["runs"] as? [[String: Any]] ?? []).compactMap({ $0["run"] as? String }) {
                        commands.append(["show", name, "-e", experiment, "--format", "json"])
                        let show = try JSONSerialization.jsonObject(with: Data(try run(commands[commands.count - 1], store).stdout.utf8))
                        for metric in (show as? [String: Any])?["metrics"] as? [[String: Any]] ?? [] where metric["points"] != nil {
                            commands.append(["curve", name, metric["name"] as? String ?? "", "-e", experiment, "--format", "json"])
                        }
                    }
                }
                return commands
            }
            let perRun = try runsAndCurves(sqlite)
            #expect(perRun.filter { $0[0] == "curve" }.count >= 20, "\(perRun)")
            reads += perRun
            // The runs ingested here were stored at other moments on each backend: their times are left out.
            func timeless(_ text: String) -> String {
                text.replacing(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/, with: "TIME")
            }
            for arguments in reads {
                let original = try run(arguments, sqlite)
                #expect(original.status == 0 || arguments[0] == "gate", "\(arguments): \(original.stderr)")
                let team = try run(arguments, uri)
                #expect(team.status == original.status && timeless(team.stdout) == timeless(original.stdout), "\(arguments): \(team.stderr)")
            }

            // SQLite → a new PostgreSQL store → a new SQLite store: every run's show and curve the same.
            let copy = try #require(TestPostgres.freshStoreURI("series_copy"))
            let up = try KFPMBinary.run(["copy", sqlite, copy], in: folder.path)
            #expect(up.status == 0 && up.stdout.contains(" series points written) of ") && up.stdout.contains(" 0 replaced, 0 unchanged"), "\(up.stdout)\(up.stderr)")
            let back = folder.file("back.db")
            #expect(try KFPMBinary.run(["copy", copy, back], in: folder.path).status == 0)
            for arguments in perRun {
                let original = try run(arguments, sqlite).stdout
                #expect(try run(arguments, copy).stdout == original, "\(arguments)")
                #expect(try run(arguments, back).stdout == original, "\(arguments)")
            }
            let again = try KFPMBinary.run(["copy", back, copy], in: folder.path)
            #expect(again.status == 0 && again.stdout.contains(" 0 new, 0 replaced,"), "\(again.stdout)\(again.stderr)")
        }
    }

    /// libpq is not linked: the dynamic loader loads it for a postgresql:// store only (LD_DEBUG lists each library
    /// it loads), so start-up and the SQLite commands never pay for it.
    @Test func libpqIsLoadedOnlyForAPostgresStore() throws {
        let uri = try #require(TestPostgres.freshStoreURI("ld"))
        try withTemporaryFolder { folder in
            let linked = try TestPostgres.run(["ldd", KFPMBinary.url.path])
            #expect(!linked.contains("libpq"), "\(linked)")
            let debug = ["LD_DEBUG": "libs"]
            let version = try KFPMBinary.run(["--version"], in: folder.path, environment: debug)
            #expect(version.status == 0 && !version.stderr.contains("libpq"))
            let sqlite = try KFPMBinary.run(["ingest", "r", "-", "--store", "s.db"], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8), environment: debug)
            #expect(sqlite.status == 0 && !sqlite.stderr.contains("libpq"))
            let postgres = try KFPMBinary.run(["ingest", "r", "-", "--store", uri], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8), environment: debug)
            #expect(postgres.status == 0 && postgres.stderr.contains("libpq.so.5"))
        }
    }
}

/// Faults: a server that is not there or does not answer, a wrong password, missing privileges, and a server stopped
/// or killed in the middle of a large ingest.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresFaultEndToEndTests {
    @Test func noServerIsExitTwoAtOnceNamingTheStoreWithoutItsPassword() throws {
        try withTemporaryFolder { folder in
            let uri = "postgresql://kfpm:Secret-99@/metrics?host=\(folder.path)"
            let start = ContinuousClock.now
            let result = try KFPMBinary.run(["ingest", "r", "-", "--store", uri], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8))
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("kfpm: error: cannot connect to the store at postgresql://kfpm@/metrics?host=\(folder.path): "))
            #expect(result.stderr.contains("No such file or directory") && !result.stderr.contains("Secret"), "\(result.stderr)")
            let refused = try KFPMBinary.run(["runs", "--store", "postgresql://kfpm:Secret-99@127.0.0.1:1/metrics"], in: folder.path)
            #expect(refused.status == 2 && refused.stderr.contains("cannot connect to the store at postgresql://kfpm@127.0.0.1:1/metrics: "))
            #expect(refused.stderr.contains("Connection refused") && !refused.stderr.contains("Secret"))
        }
    }

    /// A server that accepts the TCP connection and never answers: the connect timeout (`connect_timeout` in the URI;
    /// 10 s by default) ends the wait.
    @Test func aSilentServerTimesOut() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        try withTemporaryFolder { folder in
            let start = ContinuousClock.now
            let result = try KFPMBinary.run(["show", "r", "--store", "postgresql://kfpm@127.0.0.1:\(port)/m?connect_timeout=2"], in: folder.path)
            let elapsed = ContinuousClock.now - start
            #expect(result.status == 2 && result.stderr.contains("timeout expired"), "\(result.stderr)")
            #expect(elapsed >= .milliseconds(1900) && elapsed < .seconds(6), "\(elapsed)")
        }
    }

    @Test func aWrongPasswordOrMissingPrivilegesGiveTheServersReason() throws {
        let directory = try #require(TestPostgres.directory)
        let uri = try #require(TestPostgres.freshStoreURI("priv"))
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "r", "-", "--store", uri], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8)).status == 0)
            let wrong = try KFPMBinary.run(["runs", "--store", "postgresql://kfpm_pw:Not-The-Password@/kfpm_test?host=\(directory)"], in: folder.path)
            #expect(wrong.status == 2)
            #expect(wrong.stderr.contains("cannot connect to the store at postgresql://kfpm_pw@/kfpm_test?host=\(directory): "))
            #expect(wrong.stderr.contains("password authentication failed for user \"kfpm_pw\"") && !wrong.stderr.contains("Not-The"))
            // kfpm_pw logs in (its password from PGPASSWORD, never on the command line) but has no privilege on the store.
            let schema = String(uri.split(separator: "=").last ?? "")
            let noRights = TestPostgres.uri("postgresql://kfpm_pw@/kfpm_test?host=\(directory)", schema: schema)
            let denied = try KFPMBinary.run(
                ["runs", "--store", noRights], in: folder.path, environment: ["PGPASSWORD": "kfpm-test-password"])
            #expect(denied.status == 2)
            #expect(denied.stderr.contains("no access to the store at") && denied.stderr.contains("permission denied for schema \(schema)"), "\(denied.stderr)")
        }
    }

    /// `{"m000000": 0.5, …}`: a run of `count` metrics whose values sum to count²/2.
    static func bigMetricsFile(_ count: Int) -> String {
        "{" + (0..<count).map { "\"m\(String(format: "%06d", $0))\": \($0).5" }.joined(separator: ",\n") + "}\n"
    }

    /// The server stopped (fast shutdown) or killed (immediate shutdown, as a crash) while a 200,000-metric ingest is
    /// in its transaction: the ingest exits 2 saying the connection was lost, nothing of the run is stored, and the
    /// store works once the server is back.
    @Test(.timeLimit(.minutes(3)))
    func aServerStoppedMidIngestStoresNothing() throws {
        let cluster = try TestPostgres.Cluster()
        defer { cluster.remove() }
        let uri = TestPostgres.uri(cluster.uri, schema: "kfpm")
        try withTemporaryFolder { folder in
            let big = try folder.write(Self.bigMetricsFile(200_000), to: "big.json")
            #expect(try KFPMBinary.run(["ingest", "seed", "-", "--store", uri], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8)).status == 0)
            for (trial, how) in ["stop", "kill", "stop", "kill"].enumerated() {
                let ingest = try Shell.start(
                    "\"$KFPM\" ingest big \(big) --store '\(uri)' >out.log 2>err-\(trial).log; echo $? >code-\(trial)", in: folder.path)
                // Wait until the ingest holds its write locks: it is inside its transaction.
                let deadline = ContinuousClock.now + .seconds(60)
                var writing = false
                while !writing && ingest.isRunning && ContinuousClock.now < deadline {
                    writing = (try? TestPostgres.psql(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted", database: cluster.uri)) != "0"
                    if !writing { Thread.sleep(forTimeInterval: 0.005) }
                }
                #expect(writing, "trial \(trial): the ingest never reached its transaction")
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.05))
                try TestPostgres.run([TestPostgres.clusterScript, how, cluster.directory])
                #expect(Shell.wait(for: [ingest], timeout: .seconds(30)))
                let code = try String(contentsOfFile: folder.file("code-\(trial)"), encoding: .utf8)
                let stderr = try String(contentsOfFile: folder.file("err-\(trial).log"), encoding: .utf8)
                #expect(code == "2\n", "trial \(trial) (\(how)): exit \(code) \(stderr)")
                print("PostgresFaultEndToEndTests: server \(how) mid-ingest: \(stderr.prefix(300))")
                #expect(stderr.hasPrefix("kfpm: error: lost the connection to the store at postgresql://postgres@/postgres?host="), "\(stderr)")
                try cluster.start()
                // No run `big`, and no metric row beyond the one of each other run.
                let left = try TestPostgres.psql(
                    "SELECT (SELECT count(*) FROM kfpm.run WHERE name = 'big') || ' ' || "
                        + "((SELECT count(*) FROM kfpm.metric) - (SELECT count(*) FROM kfpm.run))", database: cluster.uri)
                #expect(left == "0 0", "trial \(trial) (\(how)): \(left)")
                let after = try KFPMBinary.run(["ingest", "after-\(trial)", "-", "--store", uri], in: folder.path, stdin: Array(#"{"a": 2}"#.utf8))
                #expect(after.status == 0, "\(after.stderr)")
            }
        }
    }
}
