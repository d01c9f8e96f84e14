import KFPModel

/// The rules every backend applies to a run's content: what a well-formed run is, and what writing it again
/// comes to. The same metrics, parameters and series change nothing (labels the stored run lacks are added: a
/// retried CI job often adds one); other content, or another value for a label the run has, is a conflict
/// unless the caller asked to replace the run. Kept here, once, so that every backend decides and words it alike.
package enum RunContent {
    /// What writing `new` over a stored run comes to.
    package enum Decision: Equatable {
        /// The stored run already holds exactly this content: write nothing.
        case unchanged
        /// The content is the same; add these labels, which the stored run lacks.
        case addLabels([Label])
        /// Replace the stored metrics, labels, sources, parameters and series with the new ones.
        case replace
    }

    // MARK: - Well-formed runs

    /// Refuses a run no backend should store: two parameters or series of one name, a series without points, or
    /// a series of a metric the run does not have (a series is the history of one of the run's metrics). Two metrics of one name are
    /// refused by every backend's key as the metrics are written, which rolls the whole write back.
    package static func check(_ run: RunIngest) throws(StoreError) {
        var problems: [String] = []
        func unique(_ names: [String], _ what: String) {
            var seen = Set<String>()
            for name in names where !seen.insert(name).inserted { problems.append("\(what) '\(name)' is given twice") }
        }
        unique(run.params.map(\.key), "parameter")
        unique(run.series.map(\.metric), "the series of metric")
        // The metrics' names only when there are series to check (a run can have hundreds of thousands).
        let metrics = run.series.isEmpty ? [] : Set(run.metrics.map(\.name))
        for series in run.series {
            if !metrics.contains(series.metric) {
                problems.append("a series of '\(series.metric)', which is not a metric of the run")
            } else if series.points.isEmpty {
                problems.append("the series of '\(series.metric)' has no points")
            }
        }
        if !problems.isEmpty { throw .invalidRun(experiment: run.experiment, run: run.run, problems: problems) }
    }

    // MARK: - Reading series

    /// Which of the metrics `wanted` (NFC) have a series in a stored run, sorted, for `MetricsStore.series`: a metric
    /// with a final value only is left out; a name the run lacks is `unknownRunMetric`, listing some of its metrics.
    package static func seriesToRead(_ wanted: [String], of run: StoredRun) throws(StoreError) -> [String] {
        if let missing = wanted.first(where: { run.metric($0) == nil }) {
            throw .unknownRunMetric(
                experiment: run.experiment, run: run.name, metric: missing, known: Array(run.metrics.prefix(20).map(\.name)),
                total: run.metrics.count)
        }
        return Set(wanted).filter { run.seriesPointCounts[$0] != nil }.sorted()
    }

    // MARK: - Writing again

    /// Decides what to do with an existing run; throws `StoreError.runConflict` listing the differences when
    /// the content differs and `replace` is false. `storedSeries` are the stored run's series (needed only when
    /// `stored.seriesPointCounts` is not empty: see `needsStoredSeries`).
    package static func decide(
        stored: StoredRun, storedSeries: [MetricSeries], new: RunIngest, replace: Bool
    ) throws(StoreError) -> Decision {
        let content = contentDifferences(stored: stored, storedSeries: storedSeries, new: new)
        let labels = labelDifferences(stored: stored.labels, new: new.labels)
        if replace && (!content.isEmpty || !labels.isEmpty) { return .replace }
        guard content.isEmpty && labels.isEmpty else {
            throw .runConflict(experiment: new.experiment, run: new.run, content: content, labels: labels)
        }
        let storedKeys = Set(stored.labels.map(\.key))
        let added = new.labels.filter { !storedKeys.contains($0.key) }
        return added.isEmpty ? .unchanged : .addLabels(added)
    }

    /// Whether `decide` needs the stored run's series points: only when it has any.
    package static func needsStoredSeries(_ stored: StoredRun) -> Bool { !stored.seriesPointCounts.isEmpty }

    /// What differs between a stored run's content and a new ingest of it, one line per difference (metrics by
    /// name, then parameters and series by key); empty when the content is the same. Labels are apart
    /// (`labelDifferences`).
    package static func contentDifferences(stored: StoredRun, storedSeries: [MetricSeries], new: RunIngest) -> [String] {
        var lines: [String] = []
        let old = Dictionary(stored.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let fresh = Dictionary(new.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in Set(old.keys).union(fresh.keys).sorted() {
            switch (old[name], fresh[name]) {
            case (let a?, let b?) where !a.sameContent(as: b):
                let formats = a.format == b.format ? "" : " (format \(a.format.name) → \(b.format.name))"
                lines.append("\(name): \(NumberText.exact(a.value)) → \(NumberText.exact(b.value))\(formats)")
            case (let a?, nil): lines.append("\(name): \(NumberText.exact(a.value)) → (absent)")
            case (nil, let b?): lines.append("\(name): (absent) → \(NumberText.exact(b.value))")
            default: break
            }
        }
        lines += textDifferences("param", stored.params.map { ($0.key, $0.value) }, new.params.map { ($0.key, $0.value) })
        lines += seriesDifferences(storedSeries, new.series)
        return lines
    }

    /// Labels the new ingest gives another value than the stored run has, one line per key. A label the new
    /// ingest leaves out is kept, not removed (a retry may pass fewer labels); one it adds is no difference.
    package static func labelDifferences(stored: [Label], new: [Label]) -> [String] {
        let old = Dictionary(stored.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        return new.sorted { $0.key < $1.key }.compactMap { label in
            guard let value = old[label.key], !value.utf8.elementsEqual(label.value.utf8) else { return nil }
            return "\(label.key): \(value) → \(label.value)"
        }
    }

    /// `what key: old → new` for every key whose text differs (labels, parameters), by key.
    private static func textDifferences(_ what: String, _ stored: [(String, String)], _ new: [(String, String)]) -> [String] {
        let old = Dictionary(stored, uniquingKeysWith: { a, _ in a })
        let fresh = Dictionary(new, uniquingKeysWith: { a, _ in a })
        return Set(old.keys).union(fresh.keys).sorted().compactMap { key in
            old[key] == fresh[key] ? nil : "\(what) \(key): \(old[key] ?? "(absent)") → \(fresh[key] ?? "(absent)")"
        }
    }

    /// One line per metric whose series differs: added, removed, of another length, or its first other point.
    private static func seriesDifferences(_ stored: [MetricSeries], _ new: [MetricSeries]) -> [String] {
        let old = Dictionary(stored.map { ($0.metric, $0) }, uniquingKeysWith: { a, _ in a })
        let fresh = Dictionary(new.map { ($0.metric, $0) }, uniquingKeysWith: { a, _ in a })
        func count(_ series: MetricSeries) -> String { "\(series.points.count) point\(series.points.count == 1 ? "" : "s")" }
        return Set(old.keys).union(fresh.keys).sorted().compactMap { name in
            switch (old[name], fresh[name]) {
            case (let a?, nil): return "series \(name): \(count(a)) → (absent)"
            case (nil, let b?): return "series \(name): (absent) → \(count(b))"
            case (let a?, let b?) where a.points.count != b.points.count:
                return "series \(name): \(count(a)) → \(count(b))"
            case (let a?, let b?):
                guard let i = a.points.indices.first(where: { !a.points[$0].sameContent(as: b.points[$0]) }) else { return nil }
                return "series \(name): point \(i + 1) (\(describe(a.points[i]))) → (\(describe(b.points[i])))"
            default: return nil
            }
        }
    }

    /// `step 3: 0.25 at 1735689600875` (the time when there is one).
    private static func describe(_ point: SeriesPoint) -> String {
        "step \(point.step): \(NumberText.exact(point.value))" + (point.timestamp.map { " at \($0)" } ?? "")
    }
}
