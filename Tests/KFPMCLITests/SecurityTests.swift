import Foundation
import KFPMTestSupport
import Testing

/// Hostile names in CSV, hostile paths in archives, and the permissions of a new store.
@Suite(.serialized)
struct SecurityTests {
    // MARK: - CSV

    /// The fields of RFC 4180 CSV text (quoted fields may hold commas, quotes and line breaks).
    private func csvRecords(_ text: String) -> [[String]] {
        let scalars = Array(text.unicodeScalars)
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            i += 1
            if quoted {
                if c != "\"" {
                    field.unicodeScalars.append(c)
                } else if i < scalars.count && scalars[i] == "\"" {
                    field.unicodeScalars.append("\"")
                    i += 1
                } else {
                    quoted = false
                }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r": break
            case "\n":
                records.append(record + [field])
                record = []
                field = ""
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { records.append(record + [field]) }
        return records
    }

    /// Whether a spreadsheet would run the cell as a formula: it starts with = + - @ (or tab, CR) and is no number.
    private func isFormula(_ cell: String) -> Bool {
        guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return false }
        return Double(cell) == nil && !["-Infinity", "+Infinity"].contains(cell)
    }

    @Test func csvNeutralisesHostileRunLabelAndMetricNames() throws {
        try withTemporaryFolder { folder in
            let metrics = folder.file("m.json")
            try Data(#"{"=SUM(A1:A9)": 1, "-2+3": 2, "+cmd|' /C calc'!A0": 3, "@risk": 4, "plain": -0.5}"#.utf8)
                .write(to: URL(fileURLWithPath: metrics))
            let run = "=HYPERLINK(\"http://evil.example\",\"click\")"
            let ingest = try KFPMBinary.run(
                ["ingest", run, metrics, "--label", "@owner=+danger", "--label", "note=-1+1"], in: folder.path)
            #expect(ingest.status == 0, "\(ingest.stderr)")

            for command in [["runs", "--format", "csv", "--labels", "--metrics", "all"], ["show", run, "--format", "csv"]] {
                let result = try KFPMBinary.run(command, in: folder.path)
                #expect(result.status == 0, "\(command): \(result.stderr)")
                let records = csvRecords(result.stdout)
                #expect(records.count >= 2, "\(command): \(result.stdout)")
                for cell in records.joined() {
                    #expect(!isFormula(cell), "\(command): a spreadsheet would run \(cell)")
                }
                let cells = Set(records.joined())
                if command[0] == "runs" {
                    #expect(cells.contains("'" + run), "\(command): the run name is kept, prefixed")
                    #expect(cells.contains("'+danger") && cells.contains("'-1+1"), "\(cells)")
                    #expect(cells.contains("'=SUM(A1:A9)") && cells.contains("'-2+3") && cells.contains("'@risk"), "\(cells)")
                    #expect(cells.contains("-0.5"), "numbers are left as they are")
                } else {
                    #expect(cells.contains("'+cmd|' /C calc'!A0"), "\(cells)")
                }
            }
        }
    }

    // MARK: - Archives

    /// `value` in octal, zero-padded to `width` digits, as tar headers hold numbers.
    private func octal(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A ustar entry (header and padded data) for a regular file.
    private func tarEntry(name: String, data: [UInt8]) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (i, byte) in text.utf8.enumerated() { header[offset + i] = byte }
        }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(octal(data.count, width: 11), at: 124)
        put("14513261500", at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 6), at: 148)
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        return header + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    /// Every path below a folder, relative, sorted.
    private func tree(_ path: String) -> [String] {
        (FileManager.default.subpaths(atPath: path) ?? []).sorted()
    }

    @Test(arguments: ["../escaped.json", "../../escaped-twice.json", "ABSOLUTE"])
    func archiveEntriesAreNeverWrittenToDisk(_ entryName: String) throws {
        try withTemporaryFolder { folder in
            let work = folder.file("work")
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let absolute = FileManager.default.temporaryDirectory
                .appendingPathComponent("kfpm-escape-\(UUID().uuidString).json").path
            let name = entryName == "ABSOLUTE" ? absolute : entryName
            let metrics = Array(#"{"metrics": [{"name": "accuracy", "numberValue": 0.5}]}"#.utf8)
            let tar = tarEntry(name: name, data: metrics) + [UInt8](repeating: 0, count: 1024)
            try Data(tar).write(to: URL(fileURLWithPath: work + "/evil.tar"))
            #expect(try Shell.run("gzip -n evil.tar && mv evil.tar.gz evil.tgz", in: work) == 0)
            let before = tree(folder.path)

            let result = try KFPMBinary.run(["ingest", "r", "evil.tgz"], in: work)
            // Read in memory like any archive: the entry's name is only a name.
            #expect(result.status == 0, "\(result.stderr)")
            let show = try KFPMBinary.run(["show", "r", "--format", "json"], in: work)
            #expect(show.stdout.contains("\"accuracy\"") && show.stdout.contains("\"kfp-v1-artifact\""), "\(show.stdout)")
            // Nothing appeared outside the store's own files, and nothing at the absolute path.
            let added = Set(tree(folder.path)).subtracting(before)
            #expect(added.allSatisfy { $0.hasPrefix("work/kfpm.db") }, "\(added)")
            #expect(!FileManager.default.fileExists(atPath: absolute))
            #expect(!FileManager.default.fileExists(atPath: folder.file("escaped.json")))
            let parent = (folder.path as NSString).deletingLastPathComponent
            #expect(!FileManager.default.fileExists(atPath: parent + "/escaped-twice.json"))
        }
    }

    // MARK: - Permissions

    @Test(arguments: [("077", 0o600), ("022", 0o644), ("027", 0o640)])
    func aNewStoreHonoursTheUmask(_ umask: String, _ mode: Int) throws {
        try withTemporaryFolder { folder in
            let script = "umask \(umask); exec \"$KFPM\" ingest r \"$FIXTURE\" --store store.db >/dev/null"
            let status = try Shell.run(
                script, in: folder.path, environment: ["FIXTURE": Fixtures.path("kfp-v1/accuracy.json")])
            #expect(status == 0)
            let files = ["store.db", "store.db-wal", "store.db-shm"].filter {
                FileManager.default.fileExists(atPath: folder.file($0))
            }
            for file in files {
                let attributes = try FileManager.default.attributesOfItem(atPath: folder.file(file))
                let permissions = try #require(attributes[.posixPermissions] as? Int)
                #expect(permissions == mode, "\(file) with umask \(umask): \(String(permissions, radix: 8))")
            }
            #expect(FileManager.default.fileExists(atPath: folder.file("store.db")))
        }
    }
}
