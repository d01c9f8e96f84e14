import ArgumentParser
import KFPMetrics
import KFPModel
import KFPStore

extension KFPM {
    /// `kfpm ingest RUN FILE...`: read metrics files and store them as one run.
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Store the metrics of one run from KFP v1/v2, dvclive or flat JSON files.",
            discussion: """
                The format is detected from the content: KFP v1 metrics JSON, the KFP v1 artifact (a gzip'd tar \
                holding one metrics file), a KFP v2 executor_output.json, or flat/nested JSON (dvclive). A folder \
                is searched for *.json, *.tgz and *.tar.gz files; each file's folder path becomes its step. \
                Every problem in every input is listed, and then nothing is stored (exit 2). Ingesting the same \
                content again changes nothing and exits 0.
                """
        )

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The run's name, unique within its experiment.", valueName: "run"))
        var runName: String

        @Argument(help: "Metrics files or folders; - reads standard input.")
        var files: [String]

        @Option(name: .long, help: "Put every metric under this step: NAME/<metric>.")
        var step: String?

        @Option(
            name: .long, help: ArgumentHelp("A label for the run, KEY=VALUE (repeatable).", valueName: "key=value"),
            transform: parseLabel)
        var label: [Label] = []

        @Option(
            name: .long, help: ArgumentHelp("A parameter of the run, KEY=VALUE (repeatable).", valueName: "key=value"),
            transform: parseParameter)
        var param: [Parameter] = []

        @Flag(name: .long, help: "Replace the run's metrics and labels if it already holds different ones.")
        var replace = false

        @OptionGroup var readOptions: ReadFlags

        func run() throws {
            let request = IngestRequest(
                experiment: storeOptions.experimentName, run: runName, paths: files, step: step, labels: label,
                params: param, replace: replace, options: readOptions.options)
            let result = try Ingestor.ingest(
                request, openStore: { () throws(StoreError) -> any MetricsStore in try storeOptions.open(.write) },
                standardInput: Console.readStandardInput)
            for diagnostic in result.diagnostics { Console.diagnostic(diagnostic.description) }
            guard let outcome = result.outcome else {
                let count = result.diagnostics.filter { $0.severity == .error }.count
                throw CommandFailure(
                    message: "\(count) problem\(count == 1 ? "" : "s") in the input; nothing was stored")
            }
            let place = "run '\(runName)' in experiment '\(storeOptions.experimentName)'"
            let text: String
            switch outcome {
            case .created(let count):
                text = "stored \(count) metric\(count == 1 ? "" : "s") as \(place)\n"
            case .replaced(let count, let previous):
                text = "replaced \(place): \(previous) → \(count) metrics\n"
            case .unchanged(let count):
                text = "\(place) unchanged: it already holds these \(count) metrics\n"
            case .labelsAdded(let count, let labels):
                let added = labels.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                text = "\(place) already holds these \(count) metrics; added the label\(labels.count == 1 ? "" : "s") \(added)\n"
            }
            do {
                try Console.output(text)
            } catch {
                throw OutputFailure(reason: error.reason, done: "\(place) was stored")
            }
        }
    }
}
