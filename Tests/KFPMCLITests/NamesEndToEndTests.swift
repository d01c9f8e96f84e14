import Foundation
import KFPMTestSupport
import Testing

/// Names as users write them: Unicode, in any normalization, found by every command.
struct NamesEndToEndTests {
    @Test func namesNotInComposedFormAreFound() throws {
        try withTemporaryFolder { folder in
            #expect(try KFPMBinary.run(["ingest", "r1", "-"], in: folder.path, stdin: Array("{\"e\u{301}-acc\": 0.5, \"f1\": 0.9}".utf8)).status == 0)
            #expect(try KFPMBinary.run(["ingest", "r2", "-"], in: folder.path, stdin: Array("{\"e\u{301}-acc\": 0.5, \"f1\": 0.2}".utf8)).status == 0)
            let gate = try KFPMBinary.run(["gate", "r2", "--rule", "f1:fail=0.01"], in: folder.path)
            #expect(gate.status == 1)
            #expect(gate.stdout.contains("FAIL") && !gate.stdout.contains("MISSING"), "\(gate.stdout)")
            let runs = try KFPMBinary.run(["runs", "--metrics", "f1", "--format", "csv"], in: folder.path)
            #expect(runs.stdout.contains("r2,") && runs.stdout.contains(",0.2\r\n"))
        }
    }
}
