import Foundation
import KFPMTestSupport
import Testing

/// Writing the output never crashes: a reader that went away ends the command quietly; any other failure is
/// exit 2 with the reason, and an ingest that committed says its run was stored.
@Suite(.serialized)
struct OutputTests {
    /// A store with one run of 3,000 metrics, whose `show` is larger than a pipe's buffer.
    private func withLargeRun(_ body: (TemporaryFolder) throws -> Void) throws {
        try withTemporaryFolder { folder in
            let metrics = (0..<3000).map { "\"metric-\($0)\": \($0).5" }.joined(separator: ", ")
            #expect(try KFPMBinary.run(["ingest", "big", "-"], in: folder.path, stdin: Array("{\(metrics)}".utf8)).status == 0)
            try body(folder)
        }
    }

    @Test func aFullDiskIsExit2WithTheReason() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        try withLargeRun { folder in
            let status = try Shell.run(#""$KFPM" show big >/dev/full 2>err; echo $? >code"#, in: folder.path)
            #expect(status == 0)
            #expect(try String(contentsOfFile: folder.file("code"), encoding: .utf8) == "2\n")
            let error = try String(contentsOfFile: folder.file("err"), encoding: .utf8)
            #expect(error == "kfpm: error: cannot write the output: No space left on device\n", "\(error)")
        }
    }

    @Test func anIngestWhoseOutputFailsSaysItsRunWasStored() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        try withTemporaryFolder { folder in
            let status = try Shell.run(#"echo '{"a": 1}' | "$KFPM" ingest r - >/dev/full 2>err; echo $? >code"#, in: folder.path)
            #expect(status == 0)
            #expect(try String(contentsOfFile: folder.file("code"), encoding: .utf8) == "2\n")
            let error = try String(contentsOfFile: folder.file("err"), encoding: .utf8)
            #expect(error.contains("cannot write the output: No space left on device; run 'r' in experiment 'Default' was stored"))
            #expect(try KFPMBinary.run(["show", "r"], in: folder.path).status == 0)
        }
    }

    @Test func aClosedStdoutIsExit2() throws {
        try withLargeRun { folder in
            let status = try Shell.run(#""$KFPM" show big >&- 2>err; echo $? >code"#, in: folder.path)
            #expect(status == 0)
            #expect(try String(contentsOfFile: folder.file("code"), encoding: .utf8) == "2\n")
            #expect(try String(contentsOfFile: folder.file("err"), encoding: .utf8).hasPrefix("kfpm: error: cannot write the output: "))
        }
    }

    @Test(arguments: ["", "trap '' PIPE; "])
    func aClosedPipeEndsTheCommandQuietly(_ ignoreSIGPIPE: String) throws {
        try withLargeRun { folder in
            // head reads one line and exits; kfpm's next writes hit a pipe with no reader.
            let script = ignoreSIGPIPE + #""$KFPM" show big 2>err | head -n 1 >/dev/null; echo "${PIPESTATUS:-x}" >/dev/null"#
                + #"; "$KFPM" gate big --baseline big --allow-no-baseline 2>>err | head -c 1 >/dev/null"#
            #expect(try Shell.run("bash -c '\(script.replacingOccurrences(of: "'", with: "'\\''"))'", in: folder.path) == 0)
            let error = try String(contentsOfFile: folder.file("err"), encoding: .utf8)
            #expect(!error.contains("Fatal") && !error.contains("cannot write"), "\(error)")
        }
    }
}
