import Foundation
import KFPMTestSupport
import Testing

/// One case of `fixtures/bad-input/cases.json`.
struct BadInputCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    /// Files under fixtures/bad-input/, `generated:KIND`, `-`, or an absolute path.
    var inputs: [String]
    var command: String?
    var args: [String]?
    var stdin: String?
    /// The store the case starts from; a seeded kfpm store when absent.
    var store: String?
    var unprivileged: Bool?
    var status: Int32
    /// Substrings of stderr; `{input}` is the first input's path as given, `{store}` the store's path, `{folder}`
    /// the store's folder.
    var messages: [String]
    var why: String

    var testDescription: String { name }
}

/// An edge case that must be accepted, with the values it stores.
struct ValidEdgeCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var input: String
    var metrics: [String: Double]
    var why: String

    var testDescription: String { name }
}

/// The bad-input corpus run through the built binary: exit 2, a message that says what and where, and the store
/// byte for byte as it was.
@Suite(.serialized)
struct BadInputCorpusTests {
    /// The manifest.
    struct Manifest: Decodable {
        var cases: [BadInputCase]
        var valid: [ValidEdgeCase]
    }

    static let manifest: Manifest? = {
        guard let data = try? Data(contentsOf: Fixtures.root.appendingPathComponent("bad-input/cases.json")) else {
            return nil
        }
        return try? JSONDecoder().decode(Manifest.self, from: data)
    }()
    static let cases = manifest?.cases.filter { $0.unprivileged != true } ?? []
    static let unprivilegedCases = manifest?.cases.filter { $0.unprivileged == true } ?? []
    static let validCases = manifest?.valid ?? []

    // MARK: - Stores

    /// A kfpm store with one run, checkpointed so that all of it is in the main file: the start of every case.
    static let seededStore: Data? = {
        guard let folder = try? TemporaryFolder() else { return nil }
        defer { folder.remove() }
        let store = folder.file("kfpm.db")
        let seed = try? KFPMBinary.run(
            ["ingest", "seed", Fixtures.path("kfp-v1/accuracy.json"), "--label", "branch=main", "--store", store],
            in: folder.path)
        guard seed?.status == 0 else { return nil }
        // The shell's close checkpoints the WAL into the file and removes it.
        _ = try? SQLiteShell.run(store, "PRAGMA wal_checkpoint(TRUNCATE)")
        guard !FileManager.default.fileExists(atPath: store + "-wal") else { return nil }
        return try? Data(contentsOf: URL(fileURLWithPath: store))
    }()

    /// Makes the store a case starts from and returns its path.
    private func makeStore(_ kind: String, in folder: TemporaryFolder) throws -> String {
        let store = folder.file("kfpm.db")
        let seeded = try #require(Self.seededStore, "could not seed a store (is sqlite3 installed?)")
        switch kind {
        case "seeded":
            try seeded.write(to: URL(fileURLWithPath: store))
        case "not-sqlite":
            try Data("These are my notes, not a database. Nothing here is SQLite at all, not even close.\n".utf8)
                .write(to: URL(fileURLWithPath: store))
        case "other-sqlite":
            #expect(try SQLiteShell.run(store, "CREATE TABLE notes(text); INSERT INTO notes VALUES ('mine');") == "")
        case "corrupted":
            // The pages of the run table and of its unique index, which every ingest reads, overwritten.
            try seeded.write(to: URL(fileURLWithPath: store))
            let pageSize = try #require(Int(try SQLiteShell.run(store, "PRAGMA page_size")))
            let pages = try SQLiteShell.run(
                store, "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'run' AND name NOT LIKE 'run_by%'"
            ).split(separator: "\n").compactMap { Int($0) }
            try #require(pages.count == 2, "the run table and its unique index: \(pages)")
            var bytes = [UInt8](seeded)
            for page in pages {
                let start = (page - 1) * pageSize
                for i in start..<(start + pageSize) {
                    bytes[i] = UInt8(truncatingIfNeeded: i &* 37 &+ 0xA5)
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: store))
        case "truncated":
            try seeded.prefix(seeded.count / 2).write(to: URL(fileURLWithPath: store))
        case "newer":
            try seeded.write(to: URL(fileURLWithPath: store))
            #expect(try SQLiteShell.run(store, "PRAGMA user_version = 99;") == "")
        case "version-minus-1", "version-0", "older":
            try seeded.write(to: URL(fileURLWithPath: store))
            let version = ["version-minus-1": -1, "version-0": 0, "older": 1][kind] ?? 0
            #expect(try SQLiteShell.run(store, "PRAGMA user_version = \(version);") == "")
        case "empty-file":
            #expect(FileManager.default.createFile(atPath: store, contents: nil))
        case "fifo":
            try #require(mkfifo(store, 0o644) == 0)
        case "dev-null":
            return "/dev/null"
        case "folder":
            try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        case "missing-folder":
            return folder.file("no-such-folder/kfpm.db")
        case "read-only-folder":
            let readOnly = folder.file("read-only")
            try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
            chmod(readOnly, 0o555)
            return readOnly + "/kfpm.db"
        default:
            Issue.record("unknown store kind '\(kind)'")
        }
        return store
    }

    /// The bytes of the store (nil when missing) and the content of its WAL (an empty or missing WAL holds
    /// nothing; SQLite may leave an empty one behind after only reading), to compare before and after.
    private func snapshot(_ store: String) -> [Data?] {
        var info = stat()
        let main: Data?
        if lstat(store, &info) != 0 {
            main = nil
        } else if info.st_mode & S_IFMT == S_IFREG {
            main = try? Data(contentsOf: URL(fileURLWithPath: store))
        } else {
            // A folder, FIFO or device: reading a FIFO would block. Its kind is what must not change.
            main = Data("not a regular file: \(info.st_mode & S_IFMT)".utf8)
        }
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: store + "-wal"))) ?? Data()
        return [main, wal]
    }

    // MARK: - Inputs

    /// The path of an input: a corpus file, a generated one, or as written.
    private func makeInput(_ input: String, in folder: TemporaryFolder) throws -> String {
        guard input.hasPrefix("generated:") else {
            if input == "-" || input.hasPrefix("/") { return input }
            return URL(fileURLWithPath: Fixtures.path("bad-input/" + input)).standardized.path
        }
        let kind = String(input.dropFirst("generated:".count))
        switch kind {
        case "file-200mb":
            // Sparse: refused from its size, so its content never matters.
            let path = folder.file("large.json")
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            try #require(truncate(path, 200_000_000) == 0)
            return path
        case "decompression-bomb":
            let status = try Shell.run(
                "truncate -s 100M data && tar -cf - data | gzip -1 >bomb.tgz && rm data", in: folder.path)
            #expect(status == 0)
            return folder.file("bomb.tgz")
        case "nesting-arrays-100000":
            let path = folder.file("deep-arrays.json")
            try Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
                .write(to: URL(fileURLWithPath: path))
            return path
        case "nesting-objects-100000":
            let path = folder.file("deep-objects.json")
            try Data((String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)).utf8)
                .write(to: URL(fileURLWithPath: path))
            return path
        case "folder-without-metrics":
            let path = folder.file("outputs")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data("notes".utf8).write(to: URL(fileURLWithPath: path + "/notes.txt"))
            try Data("{\"accuracy\": 0.9}".utf8).write(to: URL(fileURLWithPath: path + "/.hidden.json"))
            return path
        case "fifo":
            let path = folder.file("pipe.json")
            try #require(mkfifo(path, 0o644) == 0)
            return path
        case "missing":
            return folder.file("no-such-file.json")
        case "unreadable":
            let path = folder.file("secret.json")
            try Data("{\"accuracy\": 0.9}".utf8).write(to: URL(fileURLWithPath: path))
            try #require(chmod(path, 0o000) == 0)
            return path
        default:
            Issue.record("unknown generated input '\(kind)'")
            return folder.file(kind)
        }
    }

    // MARK: - The corpus

    /// Runs one case and checks exit code, messages, stdout and the store.
    private func check(_ testCase: BadInputCase, launcher: [String] = []) throws {
        let folder = try TemporaryFolder()
        defer {
            _ = try? Shell.run("chmod -R u+rwX .", in: folder.path)
            folder.remove()
        }
        let store = try makeStore(testCase.store ?? "seeded", in: folder)
        let inputs = try testCase.inputs.map { try makeInput($0, in: folder) }
        let before = snapshot(store)
        let command = testCase.command ?? "ingest"
        let arguments =
            command == "ingest"
            ? ["ingest", "bad-run"] + inputs + (testCase.args ?? []) + ["--store", store]
            : [command] + inputs + (testCase.args ?? []) + (testCase.store != nil ? ["--store", store] : [])
        let result = try KFPMBinary.run(
            arguments, in: folder.path, stdin: Array((testCase.stdin ?? "").utf8), launcher: launcher)

        #expect(result.status == testCase.status, "\(testCase.name): \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(testCase.name): \(result.stdout)")
        for message in testCase.messages {
            let expected = message.replacingOccurrences(of: "{input}", with: inputs.first ?? "")
                .replacingOccurrences(of: "{store}", with: store)
                .replacingOccurrences(of: "{folder}", with: (store as NSString).deletingLastPathComponent)
            #expect(result.stderr.contains(expected), "\(testCase.name): expected \(expected)\nin: \(result.stderr)")
        }
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrac"), "\(result.stderr)")
        // One problem is one message: no spurious "no input files" after a missing or unreadable input.
        if !testCase.messages.contains(where: { $0.contains("no input files") }) {
            #expect(!result.stderr.contains("no input files"), "\(testCase.name): \(result.stderr)")
        }
        #expect(snapshot(store) == before, "\(testCase.name): the store (or its WAL) changed")
    }

    @Test func theCorpusIsComplete() {
        #expect(Self.manifest != nil, "fixtures/bad-input/cases.json is missing or malformed")
        #expect(Self.cases.count + Self.unprivilegedCases.count >= 40)
        // Every committed file is used by a case (itself, or a folder it is in), and every case's input is committed.
        let used = Set((Self.cases + Self.unprivilegedCases).flatMap(\.inputs) + Self.validCases.map(\.input))
        for file in Fixtures.files(under: "bad-input") where !file.hasSuffix("cases.json") {
            let parts = file.dropFirst("bad-input/".count).split(separator: "/")
            let covered = (1...parts.count).contains { used.contains(parts.prefix($0).joined(separator: "/")) }
            #expect(covered, "\(file) is in no case")
        }
        for input in used where !input.hasPrefix("generated:") && !input.hasPrefix("/") && input != "-" {
            #expect(FileManager.default.fileExists(atPath: Fixtures.path("bad-input/" + input)), "\(input)")
        }
    }

    @Test(arguments: cases)
    func everyBadInputExits2NamesWhatAndWhereAndLeavesTheStore(_ testCase: BadInputCase) throws {
        try check(testCase)
    }

    @Test(
        .enabled(
            if: Unprivileged.launcher != nil,
            "running as root without setpriv: root reads a chmod 000 file and writes a chmod 555 folder"),
        arguments: unprivilegedCases)
    func unreadableFilesAndReadOnlyFoldersAsAnUnprivilegedUser(_ testCase: BadInputCase) throws {
        try check(testCase, launcher: Unprivileged.launcher ?? [])
    }

    @Test(arguments: validCases)
    func validEdgeCasesAreStoredExactly(_ valid: ValidEdgeCase) throws {
        try withTemporaryFolder { folder in
            let ingest = try KFPMBinary.run(["ingest", "r", Fixtures.path("bad-input/" + valid.input)], in: folder.path)
            #expect(ingest.status == 0, "\(valid.name): \(ingest.stderr)")
            let show = try KFPMBinary.run(["show", "r", "--format", "json"], in: folder.path)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let metrics = try #require(root["metrics"] as? [[String: Any]])
            var stored: [String: Double] = [:]
            for metric in metrics {
                stored[try #require(metric["name"] as? String)] = (metric["value"] as? NSNumber)?.doubleValue
            }
            #expect(stored == valid.metrics, "\(valid.name)")
            // Zero is stored as +0, whatever sign it was written with.
            for (name, value) in stored where value == 0 { #expect(value.sign == .plus, "\(name)") }
        }
    }

    // MARK: - Raising the caps

    @Test func a200MBFileIsReadWhenTheCapIsRaised() throws {
        try withTemporaryFolder { folder in
            let path = folder.file("large.json")
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.write(contentsOf: Data("{\"accuracy\": 0.9,".utf8))
            let blanks = Data(repeating: 0x20, count: 1 << 20)
            for _ in 0..<190 { try handle.write(contentsOf: blanks) }
            try handle.write(contentsOf: Data("\"loss\": 0.1}\n".utf8))
            try handle.close()
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size > 199_000_000)

            let refused = try KFPMBinary.run(["ingest", "r", path], in: folder.path)
            #expect(refused.status == 2)
            #expect(
                refused.stderr.contains(
                    "\(path): error: the file is larger than 33554432 bytes; raise the limit with --max-file-bytes"))
            let raised = try KFPMBinary.run(["ingest", "r", path, "--max-file-bytes", "250000000"], in: folder.path)
            #expect(raised.status == 0, "\(raised.stderr)")
            #expect(raised.stdout.contains("stored 2 metrics"))
        }
    }

    @Test func aLargeArchiveIsReadWhenTheDecompressedCapIsRaised() throws {
        try withTemporaryFolder { folder in
            // 40 MB of JSON (mostly blanks) in one tar entry: above the 32 MiB default once inflated.
            let script = """
                { printf '{"metrics": [{"name": "accuracy", "numberValue": 0.9}]'; head -c 40000000 /dev/zero | tr '\\0' ' '; \
                  printf '}'; } >data && tar -cf - data | gzip -1 >large.tgz && rm data
                """
            #expect(try Shell.run(script, in: folder.path) == 0)
            let refused = try KFPMBinary.run(["ingest", "r", "large.tgz"], in: folder.path)
            #expect(refused.status == 2)
            #expect(
                refused.stderr.contains(
                    "large.tgz: error: KFP v1 metrics artifact (gzip'd tar): decompresses to more than 33554432 bytes"))
            let raised = try KFPMBinary.run(
                ["ingest", "r", "large.tgz", "--max-decompressed-bytes", "50000000"], in: folder.path)
            #expect(raised.status == 0, "\(raised.stderr)")
            #expect(raised.stdout.contains("stored 1 metric"))
        }
    }
}
