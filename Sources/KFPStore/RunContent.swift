import KFPModel

/// The rule every backend applies when a run is written again: identical content changes nothing, different
/// content is a conflict unless the caller asked to replace it. Kept here, once, so that every backend decides
/// and words it alike.
package enum RunContent {
    /// What writing `new` over a stored run comes to.
    package enum Decision: Equatable {
        /// The stored run already holds exactly this content: write nothing.
        case unchanged
        /// Replace the stored metrics, labels and sources with the new ones.
        case replace
    }

    /// Decides what to do with an existing run; throws `StoreError.runConflict` listing the differences when
    /// the content differs and `replace` is false.
    package static func decide(stored: StoredRun, new: RunIngest, replace: Bool) throws(StoreError) -> Decision {
        let differences = differences(stored: stored, new: new)
        if differences.isEmpty { return .unchanged }
        guard replace else {
            throw .runConflict(experiment: new.experiment, run: new.run, differences: differences)
        }
        return .replace
    }

    /// What differs between a stored run and a new ingest of it, one line per difference (metrics by name, then
    /// labels by key); empty when the content is the same.
    package static func differences(stored: StoredRun, new: RunIngest) -> [String] {
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
        let oldLabels = Dictionary(stored.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let newLabels = Dictionary(new.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        for key in Set(oldLabels.keys).union(newLabels.keys).sorted() where oldLabels[key] != newLabels[key] {
            lines.append("label \(key): \(oldLabels[key] ?? "(absent)") → \(newLabels[key] ?? "(absent)")")
        }
        return lines
    }
}
