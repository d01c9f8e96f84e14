import ArgumentParser
import KFPStore

extension KFPM {
    /// `kfpm delete RUN...`: remove runs from the store.
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete runs: all the named runs, or none if any name is unknown.",
            discussion: """
                Every statistic (`top`) and every later query forget the deleted runs. Example: \
                kfpm delete run-41 run-42 -e nightly
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The runs to delete.", valueName: "run"), completion: StoreCompletions.runs)
        var runs: [String]

        func validate() throws {
            guard !runs.isEmpty else { throw ValidationError("name at least one run to delete") }
        }

        func run() throws {
            let store = try storeOptions.open(.write)
            let rows = try store.deleteRuns(experiment: storeOptions.experimentName, names: runs)
            let count = Set(runs.map(\.nfc)).count
            try Console.output(
                "deleted \(count) run\(count == 1 ? "" : "s") (\(rows) metric\(rows == 1 ? "" : "s")) from experiment "
                    + "'\(storeOptions.experimentName)'\n")
        }
    }
}
