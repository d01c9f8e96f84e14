/// Everything that can go wrong with a store, each with a sentence a user can act on.
package enum StoreError: Error, Sendable, CustomStringConvertible {
    /// A read command named a store that does not exist.
    case notFound(store: String)
    /// The file is not a kfpm store.
    case notAStore(store: String, reason: String)
    /// The store was written by a newer kfpm; it is left untouched.
    case newerSchema(store: String, found: Int, supported: Int)
    /// The store was written by an older kfpm and a read command may not upgrade it.
    case olderSchema(store: String, found: Int, supported: Int)
    /// The schema version is one no kfpm writes (negative, or 0 with kfpm's tables): changed by hand or damaged.
    case badSchema(store: String, detail: String)
    /// Upgrading the store would lose or merge data; nothing was changed.
    case cannotUpgrade(store: String, detail: String)
    /// The file is damaged.
    case corrupt(store: String, detail: String)
    /// Another process held the store locked for longer than the busy timeout.
    case busy(store: String)
    /// The store cannot be written (read-only file or folder, full disk).
    case cannotWrite(store: String, detail: String)
    /// The run exists with other content (metrics, parameters, series) or label values and `--replace` was not
    /// given; the differences, one line each, for the content and for labels.
    case runConflict(experiment: String, run: String, content: [String], labels: [String])
    /// A run of that name exists already (`kfpm rename`).
    case runExists(experiment: String, run: String)
    /// The run's content breaks a rule of `RunContent.check` (a name given twice, a series of no metric).
    case invalidRun(experiment: String, run: String, problems: [String])
    /// No such run; `known` lists (some of) the runs that exist.
    case unknownRun(experiment: String, run: String, known: [String], total: Int)
    /// No such experiment; `known` lists the experiments that exist.
    case unknownExperiment(name: String, known: [String])
    /// No such metric in the experiment; `known` lists its most prevalent metrics.
    case unknownMetric(experiment: String, metric: String, known: [String], total: Int)
    /// The run has no metric of this name; `known` lists (some of) its metrics.
    case unknownRunMetric(experiment: String, run: String, metric: String, known: [String], total: Int)
    /// An import stopped because its inputs had errors; nothing was stored.
    case importAborted
    /// A store server could not be reached, or refused the session (authentication); nothing was done.
    case unreachable(store: String, detail: String)
    /// The connection to a store server broke while a command used it: its open transaction was not committed.
    case connectionLost(store: String, detail: String)
    /// The store's server refused an action for lack of privileges.
    case accessDenied(store: String, detail: String)
    /// Any other failure of the backend, in its own words.
    case failure(store: String, detail: String)

    package var description: String {
        switch self {
        case .notFound(let store):
            return "no store at '\(store)': ingest a run first, or point --store (or KFPM_STORE) at an existing store"
        case .notAStore(let store, let reason):
            return "'\(store)' is not a kfpm store: \(reason)"
        case .newerSchema(let store, let found, let supported):
            return "the store '\(store)' has schema version \(found), written by a newer kfpm; this kfpm reads up to "
                + "version \(supported). Upgrade kfpm; the store was not changed"
        case .olderSchema(let store, let found, let supported):
            return "the store '\(store)' has schema version \(found), written by an older kfpm; this kfpm needs version "
                + "\(supported). Upgrade it with `kfpm upgrade` (a write such as `kfpm ingest` upgrades it too); a read "
                + "command does not change a store"
        case .badSchema(let store, let detail):
            return "the store '\(store)' cannot be used: \(detail); the store was not changed"
        case .cannotUpgrade(let store, let detail):
            return "cannot upgrade the store '\(store)': \(detail); the store was not changed"
        case .corrupt(let store, let detail):
            return "the store '\(store)' is damaged (\(detail)); restore it from a backup"
        case .busy(let store):
            return "the store '\(store)' stayed locked by another process past the busy timeout; try again"
        case .cannotWrite(let store, let detail):
            return "cannot write the store '\(store)': \(detail)"
        case .runConflict(let experiment, let run, let content, let labels):
            func section(_ title: String, _ lines: [String]) -> String {
                guard !lines.isEmpty else { return "" }
                let shown = lines.prefix(10).map { "\n  \($0)" }.joined()
                return "\n\(title) (stored → new):\(shown)" + (lines.count > 10 ? "\n  … and \(lines.count - 10) more" : "")
            }
            let kinds = [
                content.contains { !$0.hasPrefix("param ") && !$0.hasPrefix("series ") } ? "metrics" : nil,
                content.contains { $0.hasPrefix("param ") } ? "parameters" : nil,
                content.contains { $0.hasPrefix("series ") } ? "series" : nil,
                labels.isEmpty ? nil : "label values",
            ].compactMap { $0 }
            let what = kinds.count > 1 ? kinds.dropLast().joined(separator: ", ") + " and " + (kinds.last ?? "") : kinds.joined()
            let fix = labels.isEmpty ? "Pass --replace to overwrite it" : "Pass --replace to overwrite it, or change labels with kfpm label"
            return "run '\(run)' in experiment '\(experiment)' already holds different \(what); "
                + "nothing was stored. \(fix)." + section("Content", content) + section("Labels", labels)
        case .runExists(let experiment, let run):
            return "experiment '\(experiment)' has a run '\(run)' already; choose another name or delete that run first"
        case .invalidRun(let experiment, let run, let problems):
            return "run '\(run)' in experiment '\(experiment)' cannot be stored: \(problems.joined(separator: "; "))"
        case .unknownRun(let experiment, let run, let known, let total):
            if known.isEmpty { return "no run '\(run)' in experiment '\(experiment)': the experiment has no runs" }
            let more = total > known.count ? ", … (\(total) runs)" : ""
            return "no run '\(run)' in experiment '\(experiment)'; its runs: \(known.joined(separator: ", "))\(more)"
        case .unknownExperiment(let name, let known):
            if known.isEmpty { return "no experiment '\(name)': the store is empty" }
            return "no experiment '\(name)'; experiments: \(known.joined(separator: ", "))"
        case .unknownMetric(let experiment, let metric, let known, let total):
            if known.isEmpty { return "no metric '\(metric)' in experiment '\(experiment)': it has no metrics" }
            let more = total > known.count ? ", … (\(total) metrics)" : ""
            return "no metric '\(metric)' in experiment '\(experiment)'; its metrics: \(known.joined(separator: ", "))\(more)"
        case .unknownRunMetric(let experiment, let run, let metric, let known, let total):
            if known.isEmpty { return "run '\(run)' in experiment '\(experiment)' has no metrics, so no '\(metric)'" }
            let more = total > known.count ? ", … (\(total) metrics)" : ""
            return "run '\(run)' in experiment '\(experiment)' has no metric '\(metric)'; its metrics: "
                + "\(known.joined(separator: ", "))\(more)"
        case .importAborted:
            return "the import was stopped; nothing was stored"
        case .unreachable(let store, let detail):
            return "cannot connect to the store at \(store): \(detail)"
        case .connectionLost(let store, let detail):
            return "lost the connection to the store at \(store): \(detail); the command's open transaction was not "
                + "committed, so nothing of it was stored"
        case .accessDenied(let store, let detail):
            return "no access to the store at \(store): \(detail); the role needs the privileges listed in the README "
                + "(\"Team store\")"
        case .failure(let store, let detail):
            return "store '\(store)': \(detail)"
        }
    }
}

extension StoreError {
    /// Runs a backend's `body` and lets only store errors out: a `StoreError` as it is, an aborted import as
    /// `.importAborted`, the backend's own error as `translate` words it, anything else as a `.failure` of `store`.
    static func guarding<T>(
        store: String, translate: (any Error) -> StoreError?, _ body: () throws -> T
    ) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch is ImportAborted {
            throw .importAborted
        } catch {
            throw translate(error) ?? .failure(store: store, detail: "\(error)")
        }
    }
}
