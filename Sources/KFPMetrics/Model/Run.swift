import Foundation

/// A label of a run, such as `branch=main`.
package struct Label: Sendable, Hashable, Comparable {
    package var key: String
    package var value: String

    package init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `KEY=VALUE`; the key must be non-empty and the first `=` separates the two.
    package init(parsing text: String) throws(LabelError) {
        guard let equals = text.firstIndex(of: "=") else { throw LabelError(text: text, reason: "expected KEY=VALUE") }
        let key = String(text[..<equals])
        guard !key.isEmpty else { throw LabelError(text: text, reason: "the key is empty") }
        guard key.allSatisfy({ !$0.isWhitespace && !$0.isNewline }) else {
            throw LabelError(text: text, reason: "the key contains white space")
        }
        self.init(key: key, value: String(text[text.index(after: equals)...]))
    }

    package static func < (lhs: Label, rhs: Label) -> Bool {
        (lhs.key, lhs.value) < (rhs.key, rhs.value)
    }
}

/// A `--label` argument that is not `KEY=VALUE`.
package struct LabelError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var reason: String
    package var description: String { "invalid label '\(text)': \(reason)" }
}

/// Where one file of an ingest came from, kept with the run.
package struct MetricsSource: Sendable, Hashable {
    /// The path as given (or `-` for standard input), or the file's path below a given folder.
    package var path: String
    /// The input format it was read as.
    package var inputFormat: InputFormat
    /// The step its metrics were filed under; empty when none.
    package var step: String
    /// How many metrics it gave.
    package var metricCount: Int

    package init(path: String, inputFormat: InputFormat, step: String, metricCount: Int) {
        self.path = path
        self.inputFormat = inputFormat
        self.step = step
        self.metricCount = metricCount
    }
}

/// Everything one `kfpm ingest` stores for one run, in one transaction.
package struct RunIngest: Sendable {
    package var experiment: String
    package var run: String
    package var labels: [Label]
    package var metrics: [Metric]
    package var sources: [MetricsSource]
    /// When the ingest happened.
    package var time: Date
    /// When the run itself happened, if known (a KFP v2 local run's folder says); else the ingest time.
    package var createdAt: Date?

    package init(
        experiment: String, run: String, labels: [Label], metrics: [Metric], sources: [MetricsSource], time: Date,
        createdAt: Date? = nil
    ) {
        self.experiment = experiment
        self.run = run
        self.labels = labels
        self.metrics = metrics
        self.sources = sources
        self.time = time
        self.createdAt = createdAt
    }
}

/// A run as the store holds it.
package struct StoredRun: Sendable {
    package var experiment: String
    package var name: String
    package var labels: [Label]
    /// Sorted by name.
    package var metrics: [Metric]
    package var sources: [MetricsSource]
    /// When the run was first ingested.
    package var createdAt: Date
    /// When its metrics were last written (a `--replace` moves this, not `createdAt`).
    package var ingestedAt: Date

    package init(
        experiment: String, name: String, labels: [Label], metrics: [Metric], sources: [MetricsSource],
        createdAt: Date, ingestedAt: Date
    ) {
        self.experiment = experiment
        self.name = name
        self.labels = labels
        self.metrics = metrics
        self.sources = sources
        self.createdAt = createdAt
        self.ingestedAt = ingestedAt
    }
}
