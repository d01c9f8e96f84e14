import ArgumentParser
import KFPRender
import KFPReports
import KFPStore

extension KFPM {
    /// `kfpm labels`: the label keys and values of an experiment's runs.
    struct Labels: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "labels",
            abstract: "List the label keys of an experiment's runs, with their values and how many runs have each."
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var output: OutputOptions<LabelList>

        func run() throws {
            let store = try storeOptions.open(.read)
            let counts = try store.labelCounts(experiment: storeOptions.experimentName)
            try Console.output(output.render(LabelList(experiment: storeOptions.experimentName, counts: counts)))
        }
    }
}
