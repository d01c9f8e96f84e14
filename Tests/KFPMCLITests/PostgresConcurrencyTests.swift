import Foundation
import KFPMTestSupport
import Testing

/// Many CI runners on one team store: processes of the built binary writing and reading one PostgreSQL store at once.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.skipReason)))
struct PostgresConcurrencyTests {
    static let writers = 16
    static let ingestsPerWriter = 30
    static let sharedRuns = 4
    static let readers = 3

    /// One writer: 30 ingests; every fifth replaces one of the shared runs with a version whose every metric, and
    /// its label `v`, is one number, so that a reader can tell a mix of two versions.
    static func writerScript(_ writer: Int) -> String {
        """
        while [ ! -e go ]; do sleep 0.01; done
        i=0
        while [ $i -lt \(ingestsPerWriter) ]; do
            if [ $((i % 5)) -eq 4 ]; then
                v=$((\(writer) * 1000 + i))
                printf '{"a": %d, "b": %d, "c": %d, "d": %d, "e": %d}' $v $v $v $v $v \
                    | "$KFPM" ingest "shared-$(( (\(writer) + i) % \(sharedRuns) ))" - --replace --label "v=$v" \
                    >/dev/null 2>>err-\(writer).log
            else
                printf '{"writer": %d, "index": %d, "value": %d.5}' \(writer) $i $((\(writer) * 1000 + i)) \
                    | "$KFPM" ingest "w\(writer)-r$i" - --label "writer=\(writer)" >/dev/null 2>>err-\(writer).log
            fi
            echo "$i $?" >>codes-\(writer)
            i=$((i + 1))
        done
        """
    }

    /// One reader: `compare` of the shared runs, `gate` of one against another, `show` of one, until `done`
    /// appears; every output kept, one exit code per line.
    static func readerScript(_ reader: Int) -> String {
        """
        n=0
        while [ ! -e done ]; do
            "$KFPM" compare shared-0 shared-1 shared-2 shared-3 --format json >compare-\(reader)-$n.json 2>>rerr-\(reader).log
            echo "compare $?" >>rcodes-\(reader)
            "$KFPM" gate shared-\(reader % sharedRuns) --baseline shared-\((reader + 1) % sharedRuns) --format json \
                >gate-\(reader)-$n.json 2>>rerr-\(reader).log
            echo "gate $?" >>rcodes-\(reader)
            "$KFPM" show shared-\((reader + 2) % sharedRuns) --format json >show-\(reader)-$n.json 2>>rerr-\(reader).log
            echo "show $?" >>rcodes-\(reader)
            n=$((n + 1))
        done
        """
    }

    private func lines(_ path: String) -> [String] { Shell.lines(path) }

    private func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// The one value every metric of a shared run's version has; nil (and an issue) when they differ.
    private func versionValue(_ values: [Double], _ what: String) -> Double? {
        guard let first = values.first, values.allSatisfy({ $0 == first }) else {
            Issue.record("a mix of two versions in \(what): \(values)")
            return nil
        }
        return first
    }

    @Test(.timeLimit(.minutes(4)))
    func sixteenWritersAndReadersOnOneServer() throws {
        let uri = try #require(TestPostgres.freshStoreURI("conc"))
        try withTemporaryFolder { folder in
            let environment = ["KFPM_STORE": uri]
            for run in 0..<Self.sharedRuns {
                let seeded = try KFPMBinary.run(
                    ["ingest", "shared-\(run)", "-", "--label", "v=-1"], in: folder.path,
                    stdin: Array(#"{"a": -1, "b": -1, "c": -1, "d": -1, "e": -1}"#.utf8), environment: environment)
                #expect(seeded.status == 0, "\(seeded.stderr)")
            }
            let elapsed = try Shell.writersAndReaders(
                (0..<Self.writers).map(Self.writerScript), (0..<Self.readers).map(Self.readerScript), in: folder.path,
                environment: environment, timeout: .seconds(180))
            #expect(elapsed != nil, "the ingests did not finish in 180 s")
            print("PostgresConcurrencyTests: \(Self.writers * Self.ingestsPerWriter) ingests by \(Self.writers) writers in \(elapsed ?? .zero)")

            // Every command exited 0; no writer said anything on stderr.
            for writer in 0..<Self.writers {
                let codes = lines(folder.file("codes-\(writer)"))
                #expect(codes.count == Self.ingestsPerWriter, "writer \(writer)")
                #expect(codes.allSatisfy { $0.hasSuffix(" 0") }, "writer \(writer): \(codes.filter { !$0.hasSuffix(" 0") })")
                #expect(lines(folder.file("err-\(writer).log")).isEmpty, "writer \(writer): \(lines(folder.file("err-\(writer).log")))")
            }
            var reads = 0
            for reader in 0..<Self.readers {
                let codes = lines(folder.file("rcodes-\(reader)"))
                reads += codes.count
                #expect(codes.allSatisfy { $0.hasSuffix(" 0") }, "reader \(reader): \(codes.filter { !$0.hasSuffix(" 0") })")
                #expect(lines(folder.file("rerr-\(reader).log")).isEmpty, "reader \(reader): \(lines(folder.file("rerr-\(reader).log")))")
            }
            #expect(reads >= 3 * Self.readers, "the readers ran while the writers wrote")

            // No reader ever saw a mix of two versions of a run.
            let outputs = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
            for file in outputs {
                let root = try json(folder.file(file))
                if file.hasPrefix("compare") {
                    let metrics = try #require(root["metrics"] as? [[String: Any]])
                    for run in 0..<Self.sharedRuns {
                        _ = versionValue(metrics.compactMap { ($0["values"] as? [Any])?[run] as? Double }, file)
                    }
                } else if file.hasPrefix("gate") {
                    let metrics = try #require(root["metrics"] as? [[String: Any]])
                    _ = versionValue(metrics.compactMap { $0["candidate"] as? Double }, file)
                    _ = versionValue(metrics.compactMap { $0["baseline"] as? Double }, file)
                } else if file.hasPrefix("show") {
                    let metrics = try #require(root["metrics"] as? [[String: Any]])
                    let value = versionValue(metrics.compactMap { $0["value"] as? Double }, file)
                    #expect((root["labels"] as? [String: String])?["v"] == value.map { String(Int($0)) }, "\(file)")
                }
            }

            // Nothing lost: every distinct run with its own values, each shared run one whole version, and the
            // statistics behind `top` agree with the runs.
            let list = try KFPMBinary.run(
                ["runs", "--format", "json", "--limit", "0", "--metrics", "all", "--labels"], in: folder.path,
                environment: environment)
            #expect(list.status == 0, "\(list.stderr)")
            let runs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])["runs"]
                as? [[String: Any]] ?? []
            let distinct = Self.writers * Self.ingestsPerWriter * 4 / 5
            #expect(runs.count == distinct + Self.sharedRuns)
            var sharedValues: [Double] = []
            for run in runs {
                let name = try #require(run["run"] as? String)
                let metrics = try #require(run["metrics"] as? [String: [String: Any]])
                func value(_ key: String) -> Double? { (metrics[key]?["value"] as? NSNumber)?.doubleValue }
                if name.hasPrefix("shared-") {
                    let version = versionValue(["a", "b", "c", "d", "e"].compactMap(value), name)
                    #expect((run["labels"] as? [String: String])?["v"] == version.map { String(Int($0)) }, "\(name)")
                    #expect(version.map { $0 >= 0 } == true, "\(name) was replaced at least once")
                    sharedValues += version.map { [$0] } ?? []
                    continue
                }
                let parts = name.dropFirst().split(separator: "-r").compactMap { Int($0) }
                try #require(parts.count == 2, "\(name)")
                #expect(value("writer") == Double(parts[0]) && value("index") == Double(parts[1]), "\(name)")
                #expect(value("value") == Double(parts[0] * 1000 + parts[1]) + 0.5, "\(name)")
            }
            let top = try KFPMBinary.run(["top", "--format", "json", "-n", "0"], in: folder.path, environment: environment)
            let statistics = try #require(try JSONSerialization.jsonObject(with: Data(top.stdout.utf8)) as? [String: Any])["metrics"]
                as? [[String: Any]] ?? []
            let a = try #require(statistics.first { $0["name"] as? String == "a" })
            #expect(a["runs"] as? Int == Self.sharedRuns)
            #expect(a["min"] as? Double == sharedValues.min() && a["max"] as? Double == sharedValues.max())
            #expect(statistics.first { $0["name"] as? String == "writer" }?["runs"] as? Int == distinct)
        }
    }

    /// Deletes, renames and label changes take the experiment's write lock as ingests do: four writers each ingest 12
    /// runs into one experiment, labelling, renaming or deleting some as they go, while two readers list runs by
    /// label, labels and `top`. Every command exits 0 with nothing on stderr, exactly the runs expected are left with
    /// their labels, and the statistics behind `top` are those of the runs left.
    @Test(.timeLimit(.minutes(2)))
    func deletesRenamesAndLabelsAlongsideIngests() throws {
        let uri = try #require(TestPostgres.freshStoreURI("manage"))
        let writers = 4
        let runs = 12
        try withTemporaryFolder { folder in
            let writer: (Int) -> String = { w in
                """
                while [ ! -e go ]; do sleep 0.01; done
                i=0
                while [ $i -lt \(runs) ]; do
                    printf '{"value": %d}' $((\(w) * 100 + i)) | "$KFPM" ingest "w\(w)-r$i" - --label "writer=\(w)" \
                        >/dev/null 2>>err-\(w).log; echo "ingest $?" >>codes-\(w)
                    if [ $((i % 3)) -eq 1 ]; then "$KFPM" label "w\(w)-r$i" "step=$i" >/dev/null 2>>err-\(w).log; echo "label $?" >>codes-\(w); fi
                    if [ $((i % 4)) -eq 2 ]; then "$KFPM" rename "w\(w)-r$i" "w\(w)-n$i" >/dev/null 2>>err-\(w).log; echo "rename $?" >>codes-\(w); fi
                    if [ $((i % 4)) -eq 3 ]; then "$KFPM" delete "w\(w)-r$i" >/dev/null 2>>err-\(w).log; echo "delete $?" >>codes-\(w); fi
                    i=$((i + 1))
                done
                """
            }
            let reader: (Int) -> String = { r in
                """
                while [ ! -e done ]; do
                    "$KFPM" runs --where 'writer=[0-3]' --where '!nothing' --format csv >/dev/null 2>>rerr-\(r).log; echo "runs $?" >>rcodes-\(r)
                    "$KFPM" labels --format csv >/dev/null 2>>rerr-\(r).log; echo "labels $?" >>rcodes-\(r)
                    "$KFPM" top --format csv >/dev/null 2>>rerr-\(r).log; echo "top $?" >>rcodes-\(r)
                done
                """
            }
            // The readers start at once: a store with an experiment for them to read.
            let seed = try KFPMBinary.run(["ingest", "seed", "-", "--store", uri], in: folder.path, stdin: Array(#"{"other": 1}"#.utf8))
            #expect(seed.status == 0, "\(seed.stderr)")
            let elapsed = try Shell.writersAndReaders(
                (0..<writers).map(writer), (0..<2).map(reader), in: folder.path, environment: ["KFPM_STORE": uri],
                timeout: .seconds(90))
            #expect(elapsed != nil, "the writers did not finish in 90 s")
            for name in (0..<writers).map({ "\($0)" }) + ["r0", "r1"] {
                let prefix = name.hasPrefix("r") ? "r" : ""
                let codes = Shell.lines(folder.file("\(prefix)codes-\(name.dropFirst(prefix.count))"))
                #expect(!codes.isEmpty && codes.allSatisfy { $0.hasSuffix(" 0") }, "\(name): \(codes)")
                #expect(Shell.lines(folder.file("\(prefix)err-\(name.dropFirst(prefix.count)).log")).isEmpty, "\(name)")
            }

            var expected: [String: (value: Double, step: String?)] = [:]
            for w in 0..<writers {
                for i in 0..<runs where i % 4 != 3 {
                    expected["w\(w)-\(i % 4 == 2 ? "n" : "r")\(i)"] = (Double(w * 100 + i), i % 3 == 1 ? "\(i)" : nil)
                }
            }
            let list = try KFPMBinary.run(
                ["runs", "--format", "json", "--limit", "0", "--metrics", "all", "--labels", "--store", uri], in: folder.path)
            let stored = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])["runs"]
                as? [[String: Any]] ?? []
            #expect(Set(stored.compactMap { $0["run"] as? String }) == Set(expected.keys).union(["seed"]))
            for run in stored where run["run"] as? String != "seed" {
                let name = run["run"] as? String ?? ""
                let value = ((run["metrics"] as? [String: [String: Any]])?["value"]?["value"] as? NSNumber)?.doubleValue
                #expect(value == expected[name]?.value && (run["labels"] as? [String: String])?["step"] == expected[name]?.step, "\(name)")
            }
            let top = try KFPMBinary.run(["top", "--format", "json", "--store", uri], in: folder.path)
            let statistics = try #require(try JSONSerialization.jsonObject(with: Data(top.stdout.utf8)) as? [String: Any])["metrics"]
                as? [[String: Any]] ?? []
            let values = expected.values.map(\.value)
            let value = try #require(statistics.first { $0["name"] as? String == "value" })
            #expect(value["runs"] as? Int == expected.count && value["min"] as? Double == values.min() && value["max"] as? Double == values.max())
        }
    }

    /// An import holds the store's write lock for its whole transaction; ingests started meanwhile wait for it
    /// (saying so) instead of failing at the busy timeout, here cut to 200 ms so that the import outlasts it.
    @Test(.timeLimit(.minutes(2)))
    func ingestsDuringAnImportWaitForItAndAllSucceed() throws {
        let uri = try #require(TestPostgres.freshStoreURI("imp"))
        try withTemporaryFolder { folder in
            for i in 0..<2000 {
                try folder.write("{" + (0..<20).map { "\"m\($0)\": \(i).\($0)" }.joined(separator: ", ") + "}", to: "tree/e/run-\(i)/m.json")
            }
            #expect(try KFPMBinary.run(["ingest", "seed", "-", "--store", uri], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8)).status == 0)
            // The import holds this store's write lock: the advisory key of "store:<schema>" (FNV-1a of "kfpm:store:…").
            var key: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in "kfpm:store:\(uri.split(separator: "=").last ?? "")".utf8 {
                key = (key ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            let held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ExclusiveLock' AND granted "
                + "AND classid::bigint = \(key >> 32) AND objid::bigint = \(key & 0xFFFF_FFFF)"
            let script = """
                "$KFPM" import tree --store '\(uri)' >import.log 2>&1 &
                while [ "$(psql -X -At -d '\(try #require(TestPostgres.uri))' -c "\(held)")" = 0 ]; do
                    [ -s import.log ] && break  # the import ended already
                done
                for w in 0 1 2 3 4 5 6 7; do
                    ( printf '{"w": %d}' $w | KFPM_BUSY_TIMEOUT=200 "$KFPM" ingest "w$w" - -e e --store '\(uri)' >/dev/null 2>>err.log
                      echo $? >>codes ) &
                done
                # Polled rather than waited for: the ingests end after the import, which writes its summary last.
                while [ "$(cat codes 2>/dev/null | wc -l)" -lt 8 ]; do sleep 0.05; done
                while ! grep -q -e imported -e error import.log; do sleep 0.05; done
                """
            #expect(try Shell.run(script, in: folder.path, timeout: .seconds(90)) == 0)
            let codes = Shell.lines(folder.file("codes"))
            #expect(codes.count == 8 && codes.allSatisfy { $0 == "0" }, "\(codes)")
            let log = try String(contentsOfFile: folder.file("import.log"), encoding: .utf8)
            #expect(log.contains("imported 2000 runs"), "\(log)")
            let errors = Shell.lines(folder.file("err.log"))
            #expect(!errors.contains { $0.contains("error") }, "\(errors)")
            #expect(errors.contains { $0.contains("is held by an import; waiting for it to finish") }, "\(errors)")
            let total = try KFPMBinary.run(["runs", "-e", "e", "--format", "json", "--limit", "1", "--store", uri], in: folder.path)
            #expect(total.stdout.contains("\"total\": 2008"), "\(total.stdout)")
        }
    }
}
