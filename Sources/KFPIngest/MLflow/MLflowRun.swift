import FoundationEssentials
import KFPModel

/// One run of an MLflow tracking store, as either kind of store (the file store `mlruns/`, the SQLite database)
/// gives it, before it becomes a kfpm run (`MLflowMapping`).
struct MLflowRun: Sendable {
    /// The run as listed: enough to order, name and skip runs before any of their data is read.
    struct Entry: Sendable {
        var experiment: String
        var runID: String
        /// The run's name (`mlflow.runName`); empty when it has none.
        var name: String
        /// Milliseconds since 1970; nil when unknown.
        var startTime: Int64?
        /// In a deleted experiment, or deleted itself (MLflow's lifecycle stage).
        var deleted: Bool
        /// Where the run is: its folder in a file store, `<database>:<run id>` in SQLite (for messages and sources).
        var location: String
        /// The run's folder, in a file store.
        var folder: FilePath?
    }

    /// One metric's history, in the order the store lists it, and MLflow's latest value of it when the store
    /// keeps one (SQLite's `latest_metrics`); else it is computed as MLflow does (`MLflowMapping.latest`).
    struct History: Sendable {
        var key: String
        var points: [SeriesPoint]
        var latest: SeriesPoint?
    }

    var entry: Entry
    /// The name kfpm stores the run under (`MLflowMapping.name`: a clash gets the run id appended).
    var storedName: String
    var params: [(key: String, value: String)] = []
    var tags: [(key: String, value: String)] = []
    var histories: [History] = []
}

/// How an MLflow run becomes a kfpm run: the same for both kinds of store.
///
/// - Experiments by name; runs by `mlflow.runName`, ordered by start time (then run id); a later run whose name
///   an earlier run of the experiment has is stored as `<name>-<run id>`, with a note. A run without a name is
///   stored under its run id.
/// - Params as parameters, text as MLflow keeps it.
/// - Tags as labels, except MLflow's own `mlflow.*` tags: of those, `mlflow.source.git.commit` becomes the label
///   `commit` and `mlflow.source.git.branch` the label `branch` (a user tag of that name wins). A tag whose value
///   holds control characters (a multi-line note) is left out with a warning: labels are one-line names.
/// - Each metric's history as its series, in the store's order; its final value is MLflow's latest value (the
///   point with the greatest step, then timestamp, then value). NaN and ±infinity are kept as MLflow keeps them.
/// - The run's start time as its creation time.
enum MLflowMapping {
    /// The names runs are stored under: `entries` in import order; the first run of an experiment with a name
    /// keeps it, a later one gets `-<run id>` appended. Returns the names (one per entry) and a note per clash.
    static func names(_ entries: [MLflowRun.Entry]) -> (names: [String], notes: [Diagnostic]) {
        var taken: [String: Set<String>] = [:]
        var notes: [Diagnostic] = []
        let names = entries.map { entry -> String in
            let wanted = (entry.name.isEmpty ? entry.runID : entry.name).nfc
            if taken[entry.experiment, default: []].insert(wanted).inserted { return wanted }
            let renamed = "\(wanted)-\(entry.runID)".nfc
            taken[entry.experiment, default: []].insert(renamed)
            notes.append(
                Diagnostic(
                    .note, file: entry.location,
                    message: "experiment '\(entry.experiment)' has more than one run named '\(wanted)': run \(entry.runID) "
                        + "is stored as '\(renamed)'"))
            return renamed
        }
        return (names, notes)
    }

    /// Orders runs for import: experiments by name, then runs by start time and run id.
    static func ordered(_ entries: [MLflowRun.Entry]) -> [MLflowRun.Entry] {
        entries.sorted {
            ($0.experiment, $0.startTime ?? .min, $0.runID) < ($1.experiment, $1.startTime ?? .min, $1.runID)
        }
    }

    /// The kfpm run of an MLflow run, with every problem (errors leave it out) and warning.
    static func ingest(_ run: MLflowRun, labels extra: [Label], time: Date) -> (run: RunIngest?, diagnostics: [Diagnostic]) {
        let file = run.entry.location
        var diagnostics = RunNaming.problems(experiment: run.entry.experiment, run: run.storedName, file: file)
        var labels: [Label] = []
        var sourceLabels: [Label] = []
        for (key, value) in run.tags {
            let label: Label
            switch key {
            case "mlflow.source.git.commit": sourceLabels.append(Label(key: "commit", value: value))
                continue
            case "mlflow.source.git.branch": sourceLabels.append(Label(key: "branch", value: value))
                continue
            case let system where system.hasPrefix("mlflow."): continue
            default: label = Label(key: key, value: value)
            }
            if label.key.hasControlCharacters || label.value.hasControlCharacters || label.key.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        .warning, file: file,
                        message: "tag '\(key.visibleControlCharacters())' holds control characters or is empty: not kept as a label"))
                continue
            }
            labels.append(label)
        }
        // The source's commit and branch, unless a user tag has the name; then the labels given to every run.
        for label in sourceLabels where !labels.contains(where: { $0.key == label.key }) && !label.value.hasControlCharacters {
            labels.append(label)
        }
        for label in extra {
            labels.removeAll { $0.key == label.key }
            labels.append(label)
        }
        labels.sort()

        var params: [Parameter] = []
        for (key, value) in run.params {
            if key.isEmpty || key.hasControlCharacters {
                diagnostics.append(
                    Diagnostic(.error, file: file, message: "param name '\(key.visibleControlCharacters())' is empty or holds control characters", rule: "naming"))
                continue
            }
            params.append(Parameter(key: key, value: value))
        }

        var metrics: [Metric] = []
        var series: [MetricSeries] = []
        for history in run.histories {
            if history.key.isEmpty || history.key.hasControlCharacters {
                diagnostics.append(
                    Diagnostic(.error, file: file, message: "metric name '\(history.key.visibleControlCharacters())' is empty or holds control characters", rule: "naming"))
                continue
            }
            guard let latest = history.latest ?? latest(history.points) else {
                diagnostics.append(Diagnostic(.warning, file: file, message: "metric '\(history.key)' has no points: skipped"))
                continue
            }
            metrics.append(Metric(name: history.key, value: latest.value, format: .raw))
            series.append(MetricSeries(metric: history.key, points: history.points))
        }
        if diagnostics.contains(where: { $0.severity == .error }) { return (nil, diagnostics) }
        let created = run.entry.startTime.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let source = MetricsSource(path: file, inputFormat: .mlflow, step: "", metricCount: metrics.count)
        let ingest = RunIngest(
            experiment: run.entry.experiment, run: run.storedName, labels: labels, metrics: metrics, sources: [source],
            time: time, createdAt: created, params: params.sorted(), series: series)
        return (ingest, diagnostics)
    }

    /// MLflow's latest value of a history, as its file store computes it (`max()` over `(step, timestamp,
    /// value)` tuples in file order): a point replaces the one so far when its tuple is greater. Like Python's,
    /// the comparison of values is IEEE's, so a NaN never wins a tie on step and timestamp, nor loses one it holds.
    static func latest(_ points: [SeriesPoint]) -> SeriesPoint? {
        var best: SeriesPoint?
        for point in points {
            guard let current = best else {
                best = point
                continue
            }
            let ahead: Bool
            if point.step != current.step {
                ahead = point.step > current.step
            } else if point.timestamp != current.timestamp {
                ahead = (point.timestamp ?? .min) > (current.timestamp ?? .min)
            } else {
                ahead = point.value > current.value
            }
            if ahead { best = point }
        }
        return best
    }
}
