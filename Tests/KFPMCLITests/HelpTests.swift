import Foundation
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

    /// Every subcommand names itself: `kfpm` parses a known subcommand on its own, without the whole command tree,
    /// only when its configuration gives its name (otherwise argument-parser derives it by reflection, and the
    /// command pays the full tree's parse, about 2 ms, at every start).
    @Test func everySubcommandGivesItsName() throws {
        let folder = Fixtures.repositoryRoot.appendingPathComponent("Sources/kfpm/Commands")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        var named: [String] = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for part in text.components(separatedBy: "CommandConfiguration(").dropFirst() {
                let name = part.prefix(200).firstMatch(of: /^\s*commandName: "([a-z]+)"/)?.1
                #expect(name != nil, "\(file): a CommandConfiguration without commandName first")
                named += name.map { [String($0)] } ?? []
            }
        }
        #expect(named.sorted() == Self.subcommands.sorted())
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
