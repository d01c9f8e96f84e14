import KFPMTestSupport
import Testing

/// Every subcommand is listed with its one-sentence abstract and answers `--help`.
struct HelpTests {
    static let subcommands = [
        "ingest", "validate", "show", "experiments", "runs", "top", "compare", "history", "curve", "gate", "report",
        "import", "copy", "delete", "rename", "label", "labels", "upgrade",
    ]

    @Test func rootHelpListsEverySubcommandAndTheExitCodes() throws {
        try withTemporaryFolder { folder in
            let help = try KFPMBinary.run(["--help"], in: folder.path)
            #expect(help.status == 0)
            for name in Self.subcommands { #expect(help.stdout.contains("  \(name) "), "\(name)") }
            #expect(help.stdout.contains("Exit codes: 0 success; 1 a gate found a regression; 2 an error"))
        }
    }

    @Test(arguments: subcommands)
    func subcommandHelp(_ name: String) throws {
        try withTemporaryFolder { folder in
            let help = try KFPMBinary.run([name, "--help"], in: folder.path)
            #expect(help.status == 0)
            #expect(help.stdout.hasPrefix("OVERVIEW: "))
            #expect(help.stdout.split(separator: "\n").first.map { $0.count > 20 } == true)
        }
    }
}
