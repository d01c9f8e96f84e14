/// Renders results as aligned text for a terminal, with values shown the KFP way.
struct TableRenderer: Renderer {
    let options: RenderOptions

    func render(_ run: StoredRun) -> String {
        var out = "run \(run.name) · experiment \(run.experiment)\n"
        if !run.labels.isEmpty {
            out += "labels: " + run.labels.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
        }
        out += "created: \(ValueText.timestamp(run.createdAt))"
        if run.ingestedAt != run.createdAt { out += " · replaced: \(ValueText.timestamp(run.ingestedAt))" }
        out += "\n"
        if !run.sources.isEmpty {
            out += "from: " + run.sources.map { "\($0.path) (\($0.inputFormat.rawValue))" }.joined(separator: ", ") + "\n"
        }
        out += "\n"
        if run.metrics.isEmpty { return out + "(no metrics)\n" }
        var table = TextTable([.init("METRIC"), .init("VALUE", .right), .init("FORMAT")])
        for metric in run.metrics {
            table.rows.append([
                metric.name, ValueText.display(metric.value, format: metric.format, precision: options.precision),
                metric.format.name,
            ])
        }
        return out + table.rendered()
    }
}
