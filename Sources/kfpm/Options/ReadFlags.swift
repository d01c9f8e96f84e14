import ArgumentParser
import KFPIngest
import KFPModel

/// The flags that change how inputs are read, shared by `ingest`, `import` and `validate`.
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
        if let inputFormat, !InputFormat.metricsFileFormats.contains(inputFormat) {
            throw ValidationError(
                "--input-format takes \(InputFormat.metricsFileFormats.map(\.rawValue).joined(separator: ", ")); an MLflow store is read by kfpm import")
        }
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
