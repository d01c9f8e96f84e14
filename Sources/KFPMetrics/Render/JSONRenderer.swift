/// Renders results as JSON with sorted keys; values exact. Shapes are documented in the README.
struct JSONRenderer: Renderer {
    func render(_ run: StoredRun) -> String {
        JSONOutput.object([
            "experiment": .string(run.experiment),
            "run": .string(run.name),
            "created_at": .string(ValueText.timestamp(run.createdAt)),
            "ingested_at": .string(ValueText.timestamp(run.ingestedAt)),
            "labels": .object(Dictionary(run.labels.map { ($0.key, JSONOutput.string($0.value)) }, uniquingKeysWith: { a, _ in a })),
            "metrics": .array(
                run.metrics.map {
                    .object(["name": .string($0.name), "value": .number($0.value), "format": .string($0.format.name)])
                }),
            "sources": .array(
                run.sources.map {
                    .object([
                        "path": .string($0.path), "format": .string($0.inputFormat.rawValue), "step": .string($0.step),
                        "metrics": .integer($0.metricCount),
                    ])
                }),
        ]).serialized()
    }
}
