/// The metrics file formats kfpm reads.
package enum InputFormat: String, Sendable, CaseIterable, Codable {
    /// `{"metrics":[{"name":…,"numberValue":…,"format":…}]}`, the `mlpipeline-metrics` output of a KFP v1 component.
    case kfpV1 = "kfp-v1"
    /// A gzip'd tar holding exactly one KFP v1 metrics file, as Argo stores the output artifact.
    case kfpV1Artifact = "kfp-v1-artifact"
    /// A KFP v2 executor output (`executor_output.json`): every Metrics output's metadata.
    case kfpV2 = "kfp-v2"
    /// A flat or nested JSON object of numbers (a v2 Metrics artifact's metadata, dvclive's `metrics.json`).
    case flat = "flat"

    /// The human name used in messages.
    package var title: String {
        switch self {
        case .kfpV1: "KFP v1 metrics JSON"
        case .kfpV1Artifact: "KFP v1 metrics artifact (gzip'd tar)"
        case .kfpV2: "KFP v2 executor output"
        case .flat: "flat JSON metrics"
        }
    }
}
