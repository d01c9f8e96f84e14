import KFPModel
import KFPStore

extension RunReference {
    /// Resolves `RUN` in the default experiment; when no such run exists and the text is `EXPERIMENT:RUN`,
    /// that run of another experiment.
    package static func resolve(
        _ text: String, defaultExperiment: String, in store: any MetricsStore
    ) throws(StoreError) -> StoredRun {
        do {
            return try store.run(experiment: defaultExperiment, name: text)
        } catch {
            if let colon = text.firstIndex(of: ":"), colon != text.startIndex {
                let experiment = String(text[..<colon])
                let name = String(text[text.index(after: colon)...])
                if !name.isEmpty, let run = try? store.run(experiment: experiment, name: name) { return run }
            }
            throw error
        }
    }
}
