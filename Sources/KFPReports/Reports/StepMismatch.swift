/// Metrics that one run has and another lacks, but that differ only by a leading step: one run was ingested
/// from a folder (each file's folder is its step: `train/metrics/accuracy`), the other from the file alone
/// (`metrics/accuracy`). Said in a note, with the two ways to make them match.
package enum StepMismatch {
    /// One note per such pair, for names only in `first` (of run `firstRun`) against names only in `second`.
    package static func notes(only first: [String], in firstRun: String, against second: [String], in secondRun: String) -> [String] {
        var notes: [String] = []
        for a in first {
            for b in second {
                let (long, short, longRun, shortRun) = a.count > b.count ? (a, b, firstRun, secondRun) : (b, a, secondRun, firstRun)
                guard long.hasSuffix("/" + short) else { continue }
                let step = String(long.dropLast(short.count + 1))
                notes.append(
                    "'\(long)' (in \(longRun)) and '\(short)' (in \(shortRun)) differ only by the step '\(step)': ingest "
                        + "both runs the same way (a folder files each metric under its file's folder), or ingest "
                        + "\(shortRun)'s file with --step \(step)")
            }
        }
        return notes
    }
}
