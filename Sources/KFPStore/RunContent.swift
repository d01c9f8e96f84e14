import KFPModel

/// The rule every backend applies when a run is written again: the same metrics change nothing (labels the
/// stored run lacks are added: a retried CI job often adds one); other metrics, or another value for a label the
/// run has, are a conflict unless the caller asked to replace the run. Kept here, once, so that every backend
/// decides and words it alike.
package enum RunContent {
    /// What writing `new` over a stored run comes to.
    package enum Decision: Equatable {
        /// The stored run already holds this content: write nothing.
        case unchanged
        /// The metrics are the same; add these labels, which the stored run lacks.
        case addLabels([Label])
        /// Replace the stored metrics, labels and sources with the new ones.
        case replace
    }

    /// Decides what to do with an existing run; throws `StoreError.runConflict` listing the differences when
    /// the content differs and `replace` is false.
    package static func decide(stored: StoredRun, new: RunIngest, replace: Bool) throws(StoreError) -> Decision {
        let metrics = metricDifferences(stored: stored.metrics, new: new.metrics)
        let changedLabels = labelDifferences(stored: stored.labels, new: new.labels)
        if replace && (!metrics.isEmpty || !changedLabels.isEmpty) { return .replace }
        guard metrics.isEmpty && changedLabels.isEmpty else {
            throw .runConflict(experiment: new.experiment, run: new.run, metrics: metrics, labels: changedLabels)
        }
        let storedKeys = Set(stored.labels.map(\.key))
        let added = new.labels.filter { !storedKeys.contains($0.key) }
        if added.isEmpty { return .unchanged }
        return .addLabels(added)
    }

    /// What differs between stored and new metrics, one line per metric by name; empty when they are the same.
    package static func metricDifferences(stored: [Metric], new: [Metric]) -> [String] {
        var lines: [String] = []
        let old = Dictionary(stored.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let fresh = Dictionary(new.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
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
}
