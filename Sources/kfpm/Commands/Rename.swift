import ArgumentParser
import KFPIngest
import KFPStore

extension KFPM {
    /// `kfpm rename RUN NEW`: give a run another name.
    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rename",
            abstract: "Rename a run; a name another run of the experiment has is refused.",
            discussion: "Example: kfpm rename run-42 run-42-rerun"
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The run's name.", valueName: "run"), completion: StoreCompletions.runs)
        var runName: String

        @Argument(help: ArgumentHelp("Its new name.", valueName: "new"))
        var new: String

        func validate() throws {
            if let problem = RunNaming.problems(run: new).first { throw ValidationError(problem.message) }
        }

        func run() throws {
            let store = try storeOptions.open(.write)
            try store.renameRun(experiment: storeOptions.experimentName, from: runName, to: new)
            try Console.output("renamed run '\(runName)' to '\(new)' in experiment '\(storeOptions.experimentName)'\n")
        }
    }
}
