import Foundation
import KFPMTestSupport
import Testing

/// `kfpm report` and `--format html` run as a user runs them: the page on stdout or written atomically with
/// `-o`, errors (exit 2) that leave no file behind, usage errors (exit 64), and a store that is only read.
@Suite(.serialized)
struct ReportEndToEndTests {
    /// The files in a folder, sorted.
    private func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func thePageGoesToStdoutOrAtomicallyToAFile() throws {
        try withSyntheticStore { folder in
            let arguments = ["report", "--compare", "run-41", "run-42", "--gate", "run-42", "--rule", "accuracy-score:fail=1pp"]
            let page = try KFPMBinary.run(arguments, in: folder.path)
            #expect(page.status == 0, "the gate fails, the report is written: \(page.stderr)")
            #expect(page.stdout.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta http-equiv=\"Content-Security-Policy\""))
            #expect(page.stdout.contains("gate FAILED") && page.stdout.contains("compare · baseline run-41"))
            #expect(page.stdout.contains("<h2>runs · 3 of 3</h2>") && page.stdout.contains("<h2>trends · the latest 3 runs, oldest first</h2>"))
            #expect(page.stderr.isEmpty)

            let before = files(folder.path)
            let written = try KFPMBinary.run(arguments + ["-o", "out/report.html"], in: folder.path)
            #expect(written.status == 2 && written.stderr.contains("cannot write 'out/report.html': the folder 'out' does not exist"))
            #expect(files(folder.path) == before)
            try FileManager.default.createDirectory(atPath: folder.file("out"), withIntermediateDirectories: false)
            let again = try KFPMBinary.run(arguments + ["-o", "out/report.html"], in: folder.path)
            #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stderr)")
            #expect(try String(contentsOfFile: folder.file("out/report.html"), encoding: .utf8) == page.stdout)
            #expect(files(folder.file("out")) == ["report.html"], "no temporary file left")
            let mode = try FileManager.default.attributesOfItem(atPath: folder.file("out/report.html"))[.posixPermissions] as? Int
            #expect(mode.map { $0 & 0o044 } == 0o044, "readable as any new file under umask 022")
            let onAFolder = try KFPMBinary.run(["report", "-o", "out"], in: folder.path)
            #expect(onAFolder.status == 2 && onAFolder.stderr.contains("cannot write 'out': it is a folder"))
        }
    }

    @Test func aFolderThatCannotBeWrittenIsExit2WithNoFileLeft() throws {
        guard let launcher = Unprivileged.launcher else { return }  // as root without setpriv every folder is writable
        try withSyntheticStore { folder in
            let readOnly = folder.file("read-only")
            try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: false)
            chmod(readOnly, 0o555)
            chmod(folder.path, 0o755)
            let result = try KFPMBinary.run(
                ["report", "--store", folder.file("kfpm.db"), "-o", readOnly + "/report.html"], in: folder.path, launcher: launcher)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("cannot write '\(readOnly)/report.html': Permission denied"))
            #expect(files(readOnly).isEmpty)
        }
    }

    @Test func errorsAndUsageErrors() throws {
        try withSyntheticStore { folder in
            let store = try Data(contentsOf: URL(fileURLWithPath: folder.file("kfpm.db")))
            let unknown = try KFPMBinary.run(["report", "-e", "nope", "-o", "r.html"], in: folder.path)
            #expect(unknown.status == 2 && unknown.stderr.contains("no experiment 'nope'"))
            let run = try KFPMBinary.run(["report", "--compare", "run-41", "run-99", "-o", "r.html"], in: folder.path)
            #expect(run.status == 2 && run.stderr.contains("no run 'run-99'"))
            let noBaseline = try KFPMBinary.run(["report", "--gate", "run-40", "-o", "r.html"], in: folder.path)
            #expect(noBaseline.status == 2 && noBaseline.stderr.contains("no baseline found"))
            #expect(!FileManager.default.fileExists(atPath: folder.file("r.html")))
            let noStore = try KFPMBinary.run(["report", "--store", "missing.db"], in: folder.path)
            #expect(noStore.status == 2 && !FileManager.default.fileExists(atPath: folder.file("missing.db")))
            for usage in [["--compare", "run-41"], ["--baseline", "run-41"], ["--last", "-1"], ["--metrics", "top:x"], ["--precision", "40"]] {
                let result = try KFPMBinary.run(["report"] + usage, in: folder.path)
                #expect(result.status == 64, "\(usage): \(result.stderr)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("kfpm.db"))) == store, "a read command never changes the store")
        }
    }

    @Test func optionsShapeThePage() throws {
        try withSyntheticStore { folder in
            let page = try KFPMBinary.run(["report", "--last", "2", "-n", "1", "--labels", "--timestamp"], in: folder.path).stdout
            #expect(page.contains("<h2>runs · 2 of 3</h2>") && page.contains("<h2>top metrics · 1 of 6</h2>"))
            #expect(page.contains("<th scope=\"col\">branch</th>"))
            #expect(page.components(separatedBy: "<svg class=\"chart\"").count == 2)
            #expect(page.contains("<dt>generated</dt>"))
            let columns = try KFPMBinary.run(["report", "--metrics", "val-loss,latency*"], in: folder.path).stdout
            #expect(columns.contains("<th scope=\"col\" class=\"n\">val-loss</th><th scope=\"col\" class=\"n\">latency-ms</th></tr>"))
        }
    }

    @Test func htmlOnEveryReadCommandAndTheGate() throws {
        try withSyntheticStore { folder in
            for command in [["runs"], ["top"], ["compare", "run-41", "run-42"], ["history", "accuracy-score"], ["show", "run-42"], ["experiments"]] {
                let result = try KFPMBinary.run(command + ["--format", "html"], in: folder.path)
                #expect(result.status == 0, "\(command): \(result.stderr)")
                #expect(result.stdout.hasPrefix("<!DOCTYPE html>") && result.stdout.hasSuffix("</html>\n"), "\(command)")
            }
            let gate = try KFPMBinary.run(["gate", "run-42", "--rule", "accuracy-score:fail=1pp", "--format", "html"], in: folder.path)
            #expect(gate.status == 1 && gate.stdout.contains("✗ gate FAILED"))
        }
    }
}
