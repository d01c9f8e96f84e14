import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// MLflow's file store (`mlruns/`): `<experiment id>/meta.yaml` (the experiment's name and lifecycle stage),
/// `<experiment id>/<run id>/meta.yaml` (the run's name, start time, lifecycle stage), and in each run folder
/// `params/<key>` and `tags/<key>` (one file per key holding the value; a `/` in a key is a subfolder) and
/// `metrics/<key>` (one line per point: `<timestamp ms> <value> <step>`, in logging order; a 2-field line has
/// step 0, a 5-field line adds a dataset's name and digest). Deleted experiments are in `.trash/`. Folders Git
/// cannot keep when empty (`metrics/`, `params/`, `artifacts/`) may be missing.
enum MLflowFileStore {
    /// Whether `root` looks like a file store: a folder holding an experiment folder (with a `meta.yaml`) or
    /// MLflow's `.trash/`.
    static func isFileStore(_ root: FilePath) -> Bool {
        if isFolder(root.appending(FolderListing.Name(bytes: Array(".trash".utf8)))) { return true }
        guard case .success(let entries) = FolderListing.entries(of: root, followingLinks: true) else { return false }
        return entries.contains { $0.isFolder && isFile(root.appending($0.name).appending(metaName)) }
    }

    /// The runs of every experiment (with `.trash/` when including deleted ones), how many deleted runs and
    /// experiments were left out, and every problem with the store's layout.
    static func list(_ root: FilePath, includeDeleted: Bool, limits: InputLimits) -> (
        entries: [MLflowRun.Entry], skippedRuns: Int, skippedExperiments: Int, diagnostics: [Diagnostic]
    ) {
        var entries: [MLflowRun.Entry] = []
        var diagnostics: [Diagnostic] = []
        var skippedRuns = 0
        var skippedExperiments = 0
        var folders = subfolders(root, diagnostics: &diagnostics)
        let trash = root.appending(FolderListing.Name(bytes: Array(".trash".utf8)))
        if isFolder(trash) { folders += subfolders(trash, diagnostics: &diagnostics) }
        for folder in folders {
            guard let meta = readMeta(folder.appending(metaName), limits: limits, diagnostics: &diagnostics) else { continue }
            guard let name = meta["name"]?.text, !name.isEmpty else {
                diagnostics.append(Diagnostic(.error, file: folder.appending(metaName).description, message: "the experiment has no name", rule: "mlflow"))
                continue
            }
            let experimentDeleted = meta["lifecycle_stage"]?.text == "deleted"
            var runs: [MLflowRun.Entry] = []
            for runFolder in subfolders(folder, diagnostics: &diagnostics) {
                let metaFile = runFolder.appending(metaName)
                guard isFile(metaFile), let run = readMeta(metaFile, limits: limits, diagnostics: &diagnostics) else { continue }
                guard let runID = (run["run_id"] ?? run["run_uuid"])?.text, !runID.isEmpty else {
                    diagnostics.append(Diagnostic(.warning, file: metaFile.description, message: "no run_id: not a run, skipped"))
                    continue
                }
                var runName = run["run_name"]?.text ?? ""
                if runName.isEmpty || run["run_name"]?.isNull == true {
                    runName = tagValue(runFolder, "mlflow.runName", limits: limits) ?? ""
                }
                runs.append(
                    MLflowRun.Entry(
                        experiment: name, runID: runID, name: runName,
                        startTime: run["start_time"]?.text.flatMap { NumberText.integer(Array($0.utf8)[...]) },
                        deleted: experimentDeleted || run["lifecycle_stage"]?.text == "deleted",
                        location: runFolder.description, folder: runFolder))
            }
            if includeDeleted {
                entries += runs
            } else {
                if experimentDeleted { skippedExperiments += 1 }
                skippedRuns += runs.count(where: \.deleted)
                entries += runs.filter { !$0.deleted }
            }
        }
        return (entries, skippedRuns, skippedExperiments, diagnostics)
    }

    /// Reads a listed run's params, tags and metric histories.
    static func read(_ entry: MLflowRun.Entry, storedName: String, limits: InputLimits) -> (MLflowRun?, [Diagnostic]) {
        guard let folder = entry.folder else { return (nil, []) }
        var run = MLflowRun(entry: entry, storedName: storedName)
        var diagnostics: [Diagnostic] = []
        func values(_ kind: String) -> [(key: String, value: String)] {
            keyFiles(folder, kind, limits: limits, diagnostics: &diagnostics).compactMap { key, bytes, path in
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    diagnostics.append(Diagnostic(.error, file: path, message: "the value is not UTF-8 text", rule: "encoding"))
                    return nil
                }
                return (key, text)
            }
        }
        run.params = values("params")
        run.tags = values("tags")
        for (key, bytes, path) in keyFiles(folder, "metrics", limits: limits, diagnostics: &diagnostics) {
            let parsed = history(bytes, file: path)
            diagnostics += parsed.diagnostics
            run.histories.append(MLflowRun.History(key: key, points: parsed.points, latest: nil))
        }
        return (diagnostics.contains { $0.severity == .error } ? nil : run, diagnostics)
    }

    // MARK: - Metric files

    /// A metric file's points, in file order: `<timestamp> <value> <step>` per line (2 or 5 fields allowed).
    static func history(_ bytes: [UInt8], file: String) -> (points: [SeriesPoint], diagnostics: [Diagnostic]) {
        var points: [SeriesPoint] = []
        points.reserveCapacity(bytes.count / 24)
        var sink = DiagnosticSink(file: file, bytes: bytes)
        for line in DelimitedLines.lines(bytes, separator: 0x20) where !line.isEmpty {
            let (start, fields) = (line.start, line.fields)
            guard [2, 3, 5].contains(fields.count) else {
                sink.error(at: start, "expected '<timestamp> <value> <step>', found \(fields.count) fields", rule: "mlflow-metric")
                continue
            }
            func found(_ field: Range<Int>) -> String { DelimitedLines.shown(bytes[field]) }
            guard let timestamp = NumberText.integer(bytes[fields[0]]) else {
                sink.error(at: start, "the timestamp must be whole milliseconds, found '\(found(fields[0]))'", rule: "mlflow-metric")
                continue
            }
            guard let value = NumberText.pythonFloat(bytes[fields[1]]) else {
                sink.error(at: fields[1].lowerBound, "the value must be a number, found '\(found(fields[1]))'", rule: "mlflow-metric")
                continue
            }
            var step: Int64 = 0
            if fields.count > 2 {
                guard let parsed = NumberText.integer(bytes[fields[2]]) else {
                    sink.error(at: fields[2].lowerBound, "the step must be a whole number, found '\(found(fields[2]))'", rule: "mlflow-metric")
                    continue
                }
                step = parsed
            }
            points.append(SeriesPoint(step: step, value: value, timestamp: timestamp))
        }
        return (points, sink.diagnostics)
    }

    // MARK: - Files

    /// `meta.yaml`.
    private static let metaName = FolderListing.Name(bytes: Array("meta.yaml".utf8))

    /// A `meta.yaml` parsed; nil (with an error) when it cannot be read or is no mapping.
    private static func readMeta(_ file: FilePath, limits: InputLimits, diagnostics: inout [Diagnostic]) -> YAMLNode? {
        guard isFile(file) else { return nil }
        switch InputCollector.readFile(file, limits: limits) {
        case .failure(let problem):
            diagnostics.append(problem)
            return nil
        case .success(let bytes):
            var sink = DiagnosticSink(file: file.description, bytes: bytes)
            do {
                if let node = try YAMLParser.parse(bytes), case .mapping = node.value { return node }
                sink.error(at: 0, "a meta.yaml is a mapping of MLflow's fields", rule: "mlflow")
            } catch {
                sink.error(at: error.offset, "invalid YAML: \(error.message)", rule: "yaml-syntax")
            }
            diagnostics += sink.diagnostics
            return nil
        }
    }

    /// The value of a tag, read from its file, if the run has it.
    private static func tagValue(_ run: FilePath, _ key: String, limits: InputLimits) -> String? {
        let file = run.appending(FolderListing.Name(bytes: Array("tags".utf8))).appending(FolderListing.Name(bytes: Array(key.utf8)))
        guard isFile(file), case .success(let bytes) = InputCollector.readFile(file, limits: limits) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The files below `run/kind` (params, tags, metrics) with their keys (the path below, `/` between parts)
    /// and bytes, sorted by key; none when the folder is missing (Git keeps no empty folders).
    private static func keyFiles(
        _ run: FilePath, _ kind: String, limits: InputLimits, diagnostics: inout [Diagnostic]
    ) -> [(key: String, bytes: [UInt8], path: String)] {
        let top = run.appending(FolderListing.Name(bytes: Array(kind.utf8)))
        guard isFolder(top) else { return [] }
        var found: [(key: String, bytes: [UInt8], path: String)] = []
        func walk(_ folder: FilePath, prefix: String) {
            switch FolderListing.entries(of: folder, followingLinks: false) {
            case .failure(let failure):
                diagnostics.append(
                    Diagnostic(.error, file: folder.description, message: "cannot list the folder: \(failure.reason)", rule: "input"))
            case .success(let entries):
                for entry in entries {
                    let key = prefix.isEmpty ? entry.name.shown : prefix + "/" + entry.name.shown
                    let path = folder.appending(entry.name)
                    if entry.isFolder {
                        walk(path, prefix: key)
                        continue
                    }
                    switch InputCollector.readFile(path, limits: limits) {
                    case .success(let bytes): found.append((key, bytes, path.description))
                    case .failure(let problem): diagnostics.append(problem)
                    }
                }
            }
        }
        walk(top, prefix: "")
        return found.sorted { $0.key < $1.key }
    }

    /// The visible subfolders of a folder, sorted by name (a folder that cannot be listed is an error).
    private static func subfolders(_ folder: FilePath, diagnostics: inout [Diagnostic]) -> [FilePath] {
        switch FolderListing.entries(of: folder, followingLinks: true) {
        case .failure(let failure):
            diagnostics.append(
                Diagnostic(.error, file: folder.description, message: "cannot list the folder: \(failure.reason)", rule: "input"))
            return []
        case .success(let entries):
            return entries.filter(\.isFolder).map(\.name).sorted { $0.shown < $1.shown }.map { folder.appending($0) }
        }
    }

    private static func isFolder(_ path: FilePath) -> Bool { fileType(path) == S_IFDIR }
    private static func isFile(_ path: FilePath) -> Bool { fileType(path) == S_IFREG }

    private static func fileType(_ path: FilePath) -> mode_t? {
        var info = stat()
        guard path.withCString({ stat($0, &info) }) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }
}
