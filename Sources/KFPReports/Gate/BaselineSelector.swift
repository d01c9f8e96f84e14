import KFPModel

/// How the gate chooses what to compare the candidate with (`--baseline`).
package enum BaselineSelector: Sendable, Equatable, CustomStringConvertible {
    /// A named run (`run-41`, or `EXPERIMENT:RUN`).
    case run(String)
    /// The latest run of the experiment before the candidate.
    case previous
    /// The latest run before the candidate with this label (`latest:branch=main`).
    case latest(Label)
    /// The last N runs before the candidate (with this label, if given): the median is the baseline and their
    /// spread the noise (`window:10:branch=main`).
    case window(Int, Label?)

    /// Parses `previous`, `latest:KEY=VALUE`, `window:N[:KEY=VALUE]`, or a run name.
    package init(parsing text: String) throws(SelectorError) {
        if text == "previous" {
            self = .previous
        } else if text.hasPrefix("latest:") {
            let rest = String(text.dropFirst("latest:".count))
            guard let label = try? Label(parsing: rest) else {
                throw SelectorError(text: text, reason: "expected latest:KEY=VALUE, e.g. latest:branch=main")
            }
            self = .latest(label)
        } else if text.hasPrefix("window:") {
            let rest = text.dropFirst("window:".count)
            let parts = rest.split(separator: ":", maxSplits: 1).map(String.init)
            guard let count = parts.first.flatMap({ Int($0) }), count >= 2 else {
                throw SelectorError(text: text, reason: "expected window:N[:KEY=VALUE] with N ≥ 2, e.g. window:10:branch=main")
            }
            var label: Label?
            if parts.count == 2 {
                guard let parsed = try? Label(parsing: parts[1]) else {
                    throw SelectorError(text: text, reason: "the label after window:N must be KEY=VALUE")
                }
                label = parsed
            }
            self = .window(count, label)
        } else if text.isEmpty {
            throw SelectorError(text: text, reason: "empty baseline")
        } else {
            self = .run(text)
        }
    }

    package var description: String {
        switch self {
        case .run(let name): name
        case .previous: "previous"
        case .latest(let label): "latest:\(label.key)=\(label.value)"
        case .window(let n, let label): "window:\(n)" + (label.map { ":\($0.key)=\($0.value)" } ?? "")
        }
    }
}

/// A `--baseline` that is not one of the forms.
package struct SelectorError: Error, Sendable, CustomStringConvertible {
    package var text: String
    package var reason: String
    package var description: String { "invalid baseline '\(text)': \(reason)" }
}
