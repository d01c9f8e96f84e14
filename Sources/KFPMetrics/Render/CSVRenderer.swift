/// Renders results as RFC 4180 CSV with a header row, one value per cell, exact values.
struct CSVRenderer: Renderer {
    func render(_ run: StoredRun) -> String {
        var out = CSVText.record(["experiment", "run", "metric", "value", "format"])
        for metric in run.metrics {
            out += CSVText.record([run.experiment, run.name, metric.name, ValueText.exact(metric.value), metric.format.name])
        }
        return out
    }
}
