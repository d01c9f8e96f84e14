import ArgumentParser
import KFPMetrics

extension KFPM {
    /// `kfpm experiments`: every experiment in the store.
    struct Experiments: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the experiments in the store with their run counts."
        )

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let store = try storeOptions.open(create: false)
            Console.output(output.renderer.render(try store.experimentSummaries()))
        }
    }
}
