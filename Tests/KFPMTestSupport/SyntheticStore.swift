/// Runs `body` with a fresh folder whose store (`kfpm.db`) the built kfpm filled: the synthetic runs 40–42 of
/// experiment Default (labels branch=main, main, feature) and a KFP v2 run `v2` of experiment `other`.
public func withSyntheticStore(_ body: (TemporaryFolder) throws -> Void) throws {
    try withTemporaryFolder { folder in
        let ingests = [("run-40", "main"), ("run-41", "main"), ("run-42", "feature")].map { run, branch in
            ["ingest", run, Fixtures.path("synthetic/\(run).json"), "--label", "branch=\(branch)"]
        } + [["ingest", "-e", "other", "v2", Fixtures.path("kfp-v2/executor_output.json")]]
        for arguments in ingests {
            let result = try KFPMBinary.run(arguments, in: folder.path)
            guard result.status == 0 else { throw SyntheticStoreError(arguments: arguments, stderr: result.stderr) }
        }
        try body(folder)
    }
}

/// An ingest of the synthetic store that failed.
public struct SyntheticStoreError: Error, CustomStringConvertible {
    public var arguments: [String]
    public var stderr: String
    public var description: String { "kfpm \(arguments.joined(separator: " ")) failed: \(stderr)" }
}
