import ArgumentParser
import Foundation
import KFPMetrics

extension KFPM {
    /// `kfpm ingest RUN FILE...`: read metrics files and store them as one run.
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
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

        @Option(name: .long, help: ArgumentHelp("A label for the run, KEY=VALUE (repeatable).", valueName: "key=value"))
        var label: [String] = []

        @Flag(name: .long, help: "Replace the run's metrics and labels if it already holds different ones.")
        var replace = false

        @OptionGroup var readOptions: ReadFlags

        func run() throws {
            let labels = try parseLabels(label, option: "--label")
            let request = IngestRequest(
                experiment: storeOptions.experimentName, run: runName, paths: files, step: step, labels: labels,
                replace: replace, options: readOptions.options)
            let result = try Ingestor.ingest(
                request, openStore: { () throws(StoreError) -> any MetricsStore in try storeOptions.open(create: true) },
                standardInput: Console.readStandardInput)
            for diagnostic in result.diagnostics { Console.diagnostic(diagnostic.description) }
            guard let outcome = result.outcome else {
                let count = result.diagnostics.filter { $0.severity == .error }.count
                throw CommandFailure(
                    message: "\(count) problem\(count == 1 ? "" : "s") in the input; nothing was stored")
            }
            let place = "run '\(runName)' in experiment '\(storeOptions.experimentName)'"
            switch outcome {
            case .created(let count):
                Console.output("stored \(count) metric\(count == 1 ? "" : "s") as \(place)\n")
            case .replaced(let count, let previous):
                Console.output("replaced \(place): \(previous) → \(count) metrics\n")
            case .unchanged(let count):
                Console.output("\(place) unchanged: it already holds these \(count) metrics\n")
            }
        }
    }
}

/// The flags that change how inputs are read, shared by `ingest` and `validate`.
struct ReadFlags: ParsableArguments {
    @Option(name: .long, help: "Read every input as this format instead of detecting it (kfp-v1, kfp-v1-artifact, kfp-v2, flat).")
    var inputFormat: InputFormat?

    @Flag(name: .long, help: "Accept NaN and ±Infinity values instead of rejecting them.")
    var allowNonfinite = false

    @Option(name: .long, help: "The largest input file read, in bytes.")
    var maxFileBytes: Int = InputLimits().maxFileBytes

    @Option(name: .long, help: "The largest decompressed size of an archive, in bytes.")
    var maxDecompressedBytes: Int = InputLimits().maxDecompressedBytes

    @Option(name: .long, help: "The deepest nesting of JSON arrays and objects.")
    var maxDepth: Int = InputLimits().maxDepth

    func validate() throws {
        guard maxFileBytes > 0, maxDecompressedBytes > 0 else { throw ValidationError("size limits must be positive") }
        guard (1...100_000).contains(maxDepth) else { throw ValidationError("--max-depth must be between 1 and 100000") }
    }

    var options: ReadOptions {
        var limits = InputLimits()
        limits.maxFileBytes = maxFileBytes
        limits.maxDecompressedBytes = maxDecompressedBytes
        limits.maxDepth = maxDepth
        return ReadOptions(inputFormat: inputFormat, allowNonFinite: allowNonfinite, limits: limits)
    }
}
