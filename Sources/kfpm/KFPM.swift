import ArgumentParser
import FoundationEssentials
import KFPMetrics
import KFPModel
import KFPStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `kfpm` command: ingest ML-pipeline metrics into a local store, then show, compare and gate on them.
@main
struct KFPM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kfpm",
        abstract: "Keep the metrics of ML pipeline runs (Kubeflow Pipelines first) and answer questions about them.",
        discussion: """
            Exit codes: 0 success; 1 a gate found a regression; 2 an error (bad input, unknown run, store \
            failure); 64 a usage error.
            """,
        version: KFPMVersion.current,
        subcommands: [
            Ingest.self, Validate.self, Show.self, Experiments.self, Runs.self, Top.self, Compare.self, History.self,
            Curve.self, Gate.self, ReportPage.self, Import.self, Copy.self, Delete.self, Rename.self, LabelRuns.self,
            Labels.self, Upgrade.self,
        ]
    )

    /// Runs a command and maps its outcome to the exit codes (README "Exit codes"): argument-parser's own errors
    /// keep their codes (64 for usage), every kfpm error is printed to stderr and exits 2.
    static func main() {
        // A closed pipe is reported by write() as EPIPE instead of killing the process, so that it can end quietly.
        signal(SIGPIPE, SIG_IGN)
        StoreNotices.send { Console.diagnostic("kfpm: note: \($0)") }
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            _ = try? Console.output(KFPMVersion.current + "\n")
            return
        }
        refuseUnknownSubcommand(arguments)
        do {
            var command = try parseSubcommandAlone(arguments) ?? parseAsRoot()
            try command.run()
        } catch let error as OutputFailure {
            Console.error(error.message)
            terminate(2)
        } catch let error as CommandFailure {
            Console.error(error.message)
            terminate(2)
        } catch let error as OperationFailure {
            for diagnostic in error.diagnostics { Console.diagnostic(diagnostic.description) }
            Console.error(error.message)
            terminate(2)
        } catch let error as StoreError {
            Console.error(error.description)
            terminate(2)
        } catch {
            let code = exitCode(for: error)
            if code == .failure && !(error is ExitCode) {
                Console.error("\(error)")
                terminate(2)
            }
            exit(withError: error)
        }
    }

    /// Ends the process with `code` (libc's exit: `ParsableCommand.exit(withError:)` takes the plain name).
    private static func terminate(_ code: Int32) -> Never {
        #if canImport(Glibc)
            Glibc.exit(code)
        #else
            Darwin.exit(code)
        #endif
    }

    /// A first argument that is no subcommand (`kfpm compair a b`) is a usage error that names the closest
    /// subcommands, rather than argument-parser's "unexpected arguments".
    private static func refuseUnknownSubcommand(_ arguments: [String]) {
        guard let first = arguments.first, !first.hasPrefix("-") else { return }
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !names.contains(first) else { return }
        let close = Suggestions.closest(to: first, in: names)
        Console.error("unknown command '\(first)'" + (close.isEmpty ? "" : "; did you mean \(close.joined(separator: " or "))?"))
        Console.diagnostic("Usage: kfpm <subcommand>\n  See 'kfpm --help' for the subcommands.")
        terminate(ExitCode.validationFailure.rawValue)
    }

    /// The subcommand parsed on its own, without building the whole command tree: argument-parser reflects over
    /// every subcommand's options to parse from the root, which was most of a command's start-up. Only for the
    /// common case — a known subcommand, no help or completion request — and only when it parses cleanly; anything
    /// else (including every usage error, whose message names the full command) goes through `parseAsRoot`.
    private static func parseSubcommandAlone(_ arguments: [String]) -> ParsableCommand? {
        guard let name = arguments.first,
            let subcommand = configuration.subcommands.first(where: { $0.configuration.commandName == name })
        else { return nil }
        let special = ["-h", "--help", "help", "--version", "--experimental-dump-help", "--generate-completion-script"]
        guard !arguments.contains(where: { special.contains($0) || $0.hasPrefix("---") || $0.hasPrefix("--generate-completion") })
        else { return nil }
        return try? subcommand.parseAsRoot(Array(arguments.dropFirst()))
    }
}
