import ArgumentParser
import Foundation
import KFPMetrics
import KFPStore

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
            Gate.self, Import.self, Copy.self, Upgrade.self,
        ]
    )

    /// Runs a command and maps its outcome to the exit codes (README "Exit codes"): argument-parser's own errors
    /// keep their codes (64 for usage), every kfpm error is printed to stderr and exits 2.
    static func main() {
        // A closed pipe is reported by write() as EPIPE instead of killing the process, so that it can end quietly.
        signal(SIGPIPE, SIG_IGN)
        StoreNotices.send { Console.diagnostic("kfpm: note: \($0)") }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as OutputFailure {
            Console.error(error.message)
            Foundation.exit(2)
        } catch let error as CommandFailure {
            Console.error(error.message)
            Foundation.exit(2)
        } catch let error as OperationFailure {
            for diagnostic in error.diagnostics { Console.diagnostic(diagnostic.description) }
            Console.error(error.message)
            Foundation.exit(2)
        } catch let error as StoreError {
            Console.error(error.description)
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .failure && !(error is ExitCode) {
                Console.error("\(error)")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
