/// The formats kfpm reads metrics from: the metrics files `ingest` reads, and MLflow stores that `import` reads.
package enum InputFormat: String, Sendable, CaseIterable, Codable {
    /// `{"metrics":[{"name":…,"numberValue":…,"format":…}]}`, the `mlpipeline-metrics` output of a KFP v1 component.
    case kfpV1 = "kfp-v1"
    /// A gzip'd tar holding exactly one KFP v1 metrics file, as Argo stores the output artifact.
    case kfpV1Artifact = "kfp-v1-artifact"
    /// A KFP v2 executor output (`executor_output.json`): every Metrics output's metadata.
    case kfpV2 = "kfp-v2"
    /// A flat or nested JSON object of numbers (a v2 Metrics artifact's metadata, dvclive's `metrics.json`).
    case flat = "flat"
    /// A run of an MLflow tracking store (its file store `mlruns/`, or its SQLite database), read by `import`.
    case mlflow = "mlflow"

    /// The formats of a metrics file: what detection tries and `--input-format` takes.
    package static let metricsFileFormats: [InputFormat] = [.kfpV1, .kfpV1Artifact, .kfpV2, .flat]

    /// The human name used in messages.
    package var title: String {
        switch self {
        case .kfpV1: "KFP v1 metrics JSON"
        case .kfpV1Artifact: "KFP v1 metrics artifact (gzip'd tar)"
        case .kfpV2: "KFP v2 executor output"
        case .flat: "flat JSON metrics"
        case .mlflow: "MLflow run"
        }
    }
}
