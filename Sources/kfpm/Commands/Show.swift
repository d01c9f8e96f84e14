import ArgumentParser
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm show RUN`: one run's labels and every metric.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one run: its labels, where its metrics came from, and every metric."
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The run's name.", valueName: "run"), completion: StoreCompletions.runs)
        var runName: String

        @OptionGroup var output: OutputOptions<StoredRun>

        func run() throws {
            let store = try storeOptions.open(.read)
            let stored = try store.run(experiment: storeOptions.experimentName, name: runName)
            try Console.output(output.render(stored))
        }
    }
}
