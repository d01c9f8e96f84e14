import ArgumentParser
import KFPModel
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm experiments`: every experiment in the store.
    struct Experiments: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "experiments",
            abstract: "List the experiments in the store with their run counts."
        )

        @OptionGroup var storeOption: StoreOption
        @OptionGroup var output: OutputOptions<ExperimentList>

        func run() throws {
            let store = try storeOption.open(.read)
            try Console.output(output.render(ExperimentList(try store.experimentSummaries())))
        }
    }
}
