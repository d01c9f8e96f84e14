import ArgumentParser
import KFPIngest
import KFPModel
import KFPStore

extension KFPM {
    /// `kfpm label RUN... KEY=VALUE...`: set or remove labels of runs.
    struct LabelRuns: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "label",
            abstract: "Set or remove labels of runs: on all the named runs, or none if any name is unknown.",
            discussion: """
                Arguments with an = are labels to set, the others are runs. Examples: \
                kfpm label run-41 run-42 branch=main commit=abc123; kfpm label run-42 --remove flaky
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("Runs, then labels to set.", valueName: "run|key=value"), completion: StoreCompletions.runs)
        var arguments: [String]

        @Option(name: .long, help: ArgumentHelp("A label key to remove (repeatable).", valueName: "key"))
        var remove: [String] = []

        /// The arguments that name runs.
        private var runs: [String] { arguments.filter { !$0.contains("=") } }

        /// The labels to set, parsed.
        private func labels() throws -> [Label] {
            try arguments.filter { $0.contains("=") }.map { try parseLabel($0) }
        }

        func validate() throws {
            guard !runs.isEmpty else { throw ValidationError("name at least one run") }
            let labels = try labels()
            guard !labels.isEmpty || !remove.isEmpty else {
                throw ValidationError("give labels to set (KEY=VALUE) or keys to remove (--remove KEY)")
            }
            let removals = remove.map { Label(key: $0, value: "") }
            if let problem = RunNaming.problems(labels: labels + removals).first { throw ValidationError(problem.message) }
        }

        func run() throws {
            let store = try storeOptions.open(.write)
            let labels = try labels()
            try store.changeLabels(experiment: storeOptions.experimentName, runs: runs, set: labels, remove: remove)
            var done: [String] = []
            if !labels.isEmpty { done.append("set " + labels.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
            if !remove.isEmpty { done.append("removed " + remove.joined(separator: " ")) }
            let count = Set(runs.map(\.nfc)).count
            try Console.output("labelled \(count) run\(count == 1 ? "" : "s") in experiment '\(storeOptions.experimentName)': \(done.joined(separator: "; "))\n")
        }
    }
}
