import Foundation
import KFPMTestSupport
import Testing

/// Many CI runners on one store: processes of the built binary writing and reading one brand-new store at once.
@Suite(.serialized)
struct ConcurrencyTests {
    static let writers = 8
    static let runsPerWriter = 50
    static let readers = 2

    /// One writer: 50 `kfpm ingest` of distinct runs from standard input, one exit code per line in codes-N.
    /// Writer 0 touches `ready` after its first run, so that readers start on a store with a run in it.
    static func writerScript(_ writer: Int) -> String {
        """
        while [ ! -e go ]; do sleep 0.01; done
        i=0
        while [ $i -lt \(runsPerWriter) ]; do
            printf '{"writer": %d, "index": %d, "value": %d.25}' \(writer) $i $((\(writer) * 1000 + i)) \
                | "$KFPM" ingest "w\(writer)-r$i" - --label "writer=\(writer)" >>out-\(writer).log 2>>err-\(writer).log
            echo "$i $?" >>codes-\(writer)
            [ \(writer) -eq 0 ] && [ $i -eq 0 ] && touch ready
            i=$((i + 1))
        done
        """
    }

    /// One reader: `kfpm runs` and `kfpm show` in turn until `done` appears, one exit code per line in rcodes-N.
    static func readerScript(_ reader: Int) -> String {
        """
        while [ ! -e ready ]; do sleep 0.01; done
        while [ ! -e done ]; do
            "$KFPM" runs --format json --limit 5 --metrics all >/dev/null 2>>rerr-\(reader).log
            echo "runs $?" >>rcodes-\(reader)
            "$KFPM" show w0-r0 --format json >/dev/null 2>>rerr-\(reader).log
            echo "show $?" >>rcodes-\(reader)
        done
        """
    }

    private func lines(_ path: String) -> [String] { Shell.lines(path) }

    @Test(.timeLimit(.minutes(2)))
    func eightWritersAndTwoReadersOnOneNewStore() throws {
        try withTemporaryFolder { folder in
            let environment = ["KFPM_STORE": folder.file("shared.db")]
            // All writers create the store at the same moment: the migration race is part of the test.
            let elapsed = try Shell.writersAndReaders(
                (0..<Self.writers).map(Self.writerScript), (0..<Self.readers).map(Self.readerScript), in: folder.path,
                environment: environment, timeout: .seconds(90))
            #expect(elapsed != nil, "400 ingests did not finish in 90 s")
            print("ConcurrencyTests: \(Self.writers * Self.runsPerWriter) ingests by \(Self.writers) writers in \(elapsed ?? .zero)")

            // Every ingest exited 0 and said nothing on stderr; no reader saw a lock.
            for writer in 0..<Self.writers {
                let codes = lines(folder.file("codes-\(writer)"))
                #expect(codes.count == Self.runsPerWriter, "writer \(writer)")
                #expect(codes.allSatisfy { $0.hasSuffix(" 0") }, "writer \(writer): \(codes.filter { !$0.hasSuffix(" 0") })")
                let errors = lines(folder.file("err-\(writer).log"))
                #expect(errors.isEmpty, "writer \(writer): \(errors)")
            }
            var reads = 0
            for reader in 0..<Self.readers {
                let codes = lines(folder.file("rcodes-\(reader)"))
                reads += codes.count
                #expect(codes.allSatisfy { $0.hasSuffix(" 0") }, "reader \(reader): \(codes.filter { !$0.hasSuffix(" 0") })")
                for line in lines(folder.file("rerr-\(reader).log")) {
                    #expect(!line.lowercased().contains("locked") && !line.lowercased().contains("busy"), "\(line)")
                    #expect(line.hasPrefix("kfpm: showing 5 of"), "reader \(reader): \(line)")
                }
            }
            #expect(reads >= 2 * Self.readers, "the readers ran while the writers wrote")

            // All 400 runs are there with their own values and label.
            let list = try KFPMBinary.run(
                ["runs", "--format", "json", "--limit", "0", "--metrics", "all", "--labels"], in: folder.path,
                environment: environment)
            #expect(list.status == 0, "\(list.stderr)")
            let root = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
            let runs = try #require(root["runs"] as? [[String: Any]])
            #expect(runs.count == Self.writers * Self.runsPerWriter)
            var seen = Set<String>()
            for run in runs {
                let name = try #require(run["run"] as? String)
                seen.insert(name)
                let parts = name.dropFirst().split(separator: "-r").compactMap { Int($0) }
                try #require(parts.count == 2, "\(name)")
                let metrics = try #require(run["metrics"] as? [String: [String: Any]])
                func value(_ key: String) -> Double? { (metrics[key]?["value"] as? NSNumber)?.doubleValue }
                #expect(value("writer") == Double(parts[0]), "\(name)")
                #expect(value("index") == Double(parts[1]), "\(name)")
                #expect(value("value") == Double(parts[0] * 1000 + parts[1]) + 0.25, "\(name)")
                #expect((run["labels"] as? [String: String])?["writer"] == String(parts[0]), "\(name)")
            }
            #expect(seen.count == Self.writers * Self.runsPerWriter)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func eightProcessesCreatingOneNewStoreAtOnceAllSucceed() throws {
        try withTemporaryFolder { folder in
            // Each round: eight ingests released together onto a store that does not exist yet. The old migration
            // read the store's state in pieces, and half the runs of this test had a round that failed with
            // "not one that kfpm created".
            let rounds = 12
            for round in 0..<rounds {
                let script = """
                    for p in 0 1 2 3 4 5 6 7; do
                        ( while [ ! -e go-\(round) ]; do :; done
                          printf '{"p": %d}' $p | "$KFPM" ingest "r$p" - --store new-\(round).db >/dev/null 2>>err-\(round).log
                          echo $? >>codes-\(round) ) &
                    done
                    touch go-\(round)
                    wait
                    """
                let status = try Shell.run(script, in: folder.path, timeout: .seconds(30))
                #expect(status == 0)
                let codes = lines(folder.file("codes-\(round)"))
                #expect(codes.count == 8 && codes.allSatisfy { $0 == "0" }, "round \(round): \(codes)")
                #expect(lines(folder.file("err-\(round).log")).isEmpty, "round \(round)")
            }
        }
    }

    /// An import holds the write lock for its whole transaction; ingests started meanwhile wait for it (saying
    /// so) instead of failing at the busy timeout, here cut to 500 ms so that the import (400,000 rows into a
    /// store that has metrics already: every index kept up to date row by row) outlasts it several times.
    @Test(.timeLimit(.minutes(2)))
    func ingestsDuringAnImportWaitForItAndAllSucceed() throws {
        try withTemporaryFolder { folder in
            let runs = (0..<2000).map { "tree/e/run-\($0)" }
            for (i, run) in runs.enumerated() {
                try folder.write("{" + (0..<200).map { "\"m\($0)\": \(i).\($0)" }.joined(separator: ", ") + "}", to: run + "/m.json")
            }
            #expect(try KFPMBinary.run(["ingest", "seed", "-"], in: folder.path, stdin: Array(#"{"a": 1}"#.utf8)).status == 0)
            let script = """
                "$KFPM" import tree >import.log 2>&1 &
                importer=$!
                # The ingests start once the import holds its lock (its sidecar file is there), however slowly
                # the import process starts on a busy machine.
                while [ ! -e kfpm.db-import ] && kill -0 $importer 2>/dev/null; do sleep 0.01; done
                for w in 0 1 2 3; do
                    ( for i in 0 1 2 3; do
                        printf '{"w": %d}' $w | KFPM_BUSY_TIMEOUT=500 "$KFPM" ingest "w$w-$i" - >/dev/null 2>>err.log
                        echo $? >>codes
                      done ) &
                done
                wait $importer; echo "import $?" >>import.log
                wait
                """
            #expect(try Shell.run(script, in: folder.path, timeout: .seconds(90)) == 0)
            let codes = try String(contentsOfFile: folder.file("codes"), encoding: .utf8).split(separator: "\n")
            #expect(codes.count == 16 && codes.allSatisfy { $0 == "0" }, "\(codes)")
            let log = try String(contentsOfFile: folder.file("import.log"), encoding: .utf8)
            #expect(log.contains("imported 2000 runs") && log.contains("import 0"), "\(log)")
            let errors = (try? String(contentsOfFile: folder.file("err.log"), encoding: .utf8)) ?? ""
            #expect(!errors.contains("error"), "\(errors)")
            #expect(errors.contains("is held by an import; waiting for it to finish"), "the ingests did wait: \(errors)")
            let total = try KFPMBinary.run(["runs", "-e", "Default", "--format", "json", "--limit", "1"], in: folder.path)
            #expect(total.stdout.contains("\"total\": 17"), "\(total.stdout)")
        }
    }
}
