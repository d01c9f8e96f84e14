import FoundationEssentials
import KFPModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One input to read: where it came from, what it holds, its bytes, and the folder below a given folder it was
/// found in.
package struct InputFile: Sendable {
    /// The path as given, the file's path below a given folder, or `-` for standard input.
    package var path: String
    /// The folder path (relative to a folder named on the command line) that becomes the step; empty otherwise.
    package var folder: String
    package var bytes: [UInt8]
    /// True when found by walking a folder; such a file that is no metrics file is skipped with a note.
    package var foundInFolder: Bool
    /// What the file holds, from its name.
    package var kind: InputKind = .metrics
}

/// What an input file holds, as its name and place tell.
package enum InputKind: Sendable, Equatable {
    /// Metrics (JSON, or a KFP v1 archive): the run's final values.
    case metrics
    /// dvclive's history of one metric, `plots/metrics/<metric>.tsv`: the metric is the path below
    /// `plots/metrics/` without `.tsv` (`train/loss`).
    case series(metric: String)
    /// A `params.yaml`: the run's parameters.
    case params

    /// The file names read as parameters.
    static let paramsFileNames: Set<String> = ["params.yaml", "params.yml"]

    /// What a file named on the command line holds: a `.tsv` is a series (its metric named by the path below
    /// `plots/metrics/`, else by the file name), a `params.yaml` parameters, anything else metrics.
    static func ofGiven(_ path: String) -> InputKind {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let name = parts.last ?? path
        if paramsFileNames.contains(name) { return .params }
        guard name.hasSuffix(".tsv") else { return .metrics }
        return .series(metric: seriesName(parts, from: markerEnd(parts) ?? parts.count - 1))
    }

    /// What a file found in a folder walk holds, and the step it belongs to, from its path relative to the
    /// walked folder (`root` is that folder's own path): a `.tsv` only below a `plots/metrics/` folder (the
    /// step is the path above `plots/`), a `params.yaml` anywhere, metrics files (`*.json`, `*.tgz`, `*.tar.gz`)
    /// anywhere; nil for anything else.
    static func ofFound(_ relative: String, root: String) -> (kind: InputKind, step: String)? {
        let parts = relative.split(separator: "/").map(String.init)
        guard let name = parts.last else { return nil }
        let folder = parts.dropLast().joined(separator: "/")
        if paramsFileNames.contains(name) { return (.params, folder) }
        if name.hasSuffix(".tsv") {
            if let end = markerEnd(parts) { return (.series(metric: seriesName(parts, from: end)), parts[..<(end - 2)].joined(separator: "/")) }
            // The walk may start inside the marker: `dvclive/plots/metrics` or `dvclive/plots`.
            let rootParts = root.split(separator: "/").map(String.init)
            if rootParts.suffix(2) == ["plots", "metrics"] { return (.series(metric: seriesName(parts, from: 0)), "") }
            if rootParts.last == "plots" && parts.first == "metrics" && parts.count > 1 {
                return (.series(metric: seriesName(parts, from: 1)), "")
            }
            return nil
        }
        return InputCollector.looksLikeMetricsFile(name) ? (.metrics, folder) : nil
    }

    /// The index just past the last `plots`, `metrics` pair of path parts that has a file below it.
    private static func markerEnd(_ parts: [String]) -> Int? {
        guard parts.count >= 3 else { return nil }
        return (0..<(parts.count - 2)).last { parts[$0] == "plots" && parts[$0 + 1] == "metrics" }.map { $0 + 2 }
    }

    /// The metric name of a series file: the parts from `start` on, `.tsv` dropped from the last.
    private static func seriesName(_ parts: [String], from start: Int) -> String {
        var name = parts[start...].joined(separator: "/")
        name.removeLast(4)
        return name
    }
}

/// Turns command-line paths into inputs: files, `-` for standard input, and folders walked for metrics files.
package enum InputCollector {
    /// How many skipped files a folder walk names; the rest are counted.
    static let maxSkippedNotes = 20

    /// The names a folder walk takes as metrics files.
    static func looksLikeMetricsFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".json") || name.hasSuffix(".tgz") || name.hasSuffix(".tar.gz"))
    }

    /// Reads every path; problems (missing, unreadable, too large, not a regular file) come back as diagnostics.
    package static func collect(
        _ paths: [String], limits: InputLimits, standardInput: () throws -> [UInt8]
    ) -> (inputs: [InputFile], diagnostics: [Diagnostic]) {
        var inputs: [InputFile] = []
        var diagnostics: [Diagnostic] = []
        if paths.isEmpty {
            diagnostics.append(Diagnostic(.error, file: "-", message: "no input files", rule: "input"))
        }
        var stdinUsed = false
        for path in paths {
            if path == "-" {
                guard !stdinUsed else {
                    diagnostics.append(Diagnostic(.error, file: "-", message: "standard input named twice", rule: "input"))
                    continue
                }
                stdinUsed = true
                do {
                    let bytes = try standardInput()
                    if bytes.count > limits.maxFileBytes {
                        diagnostics.append(tooLarge("-", limits))
                    } else {
                        inputs.append(InputFile(path: "-", folder: "", bytes: bytes, foundInFolder: false))
                    }
                } catch {
                    diagnostics.append(Diagnostic(.error, file: "-", message: "cannot read standard input: \(error)", rule: "input"))
                }
                continue
            }
            collect(FilePath(path), limits: limits, into: &inputs, diagnostics: &diagnostics)
        }
        return (inputs, diagnostics)
    }

    /// Reads a run folder of an import, the way a folder named on the command line is read.
    package static func collect(folder: FilePath, limits: InputLimits) -> (inputs: [InputFile], diagnostics: [Diagnostic]) {
        var inputs: [InputFile] = []
        var diagnostics: [Diagnostic] = []
        collect(folder, limits: limits, into: &inputs, diagnostics: &diagnostics)
        return (inputs, diagnostics)
    }

    /// Reads a file, or the metrics files below a folder.
    private static func collect(
        _ path: FilePath, limits: InputLimits, into inputs: inout [InputFile], diagnostics: inout [Diagnostic]
    ) {
        var info = stat()
        guard path.withCString({ stat($0, &info) }) == 0 else {
            let reason = errno == ENOENT ? "no such file or folder" : "cannot read: \(String(cString: strerror(errno)))"
            diagnostics.append(Diagnostic(.error, file: path.description, message: reason, rule: "input"))
            return
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            walk(folder: path, limits: limits, into: &inputs, diagnostics: &diagnostics)
        } else {
            switch readFile(path, limits: limits) {
            case .success(let bytes):
                inputs.append(
                    InputFile(path: path.description, folder: "", bytes: bytes, foundInFolder: false, kind: .ofGiven(path.description)))
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            }
        }
    }

    private static func tooLarge(_ path: String, _ limits: InputLimits) -> Diagnostic {
        Diagnostic(
            .error, file: path,
            message: "the file is larger than \(limits.maxFileBytes) bytes; raise the limit with --max-file-bytes",
            rule: "input-size")
    }

    /// Reads a regular file, refusing FIFOs, devices and files over the size cap before reading them.
    package static func readFile(_ file: FilePath, limits: InputLimits) -> Result<[UInt8], Diagnostic> {
        let path = file.description
        var info = stat()
        guard file.withCString({ stat($0, &info) }) == 0 else {
            return .failure(Diagnostic(.error, file: path, message: "cannot read: \(String(cString: strerror(errno)))", rule: "input"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .failure(
                Diagnostic(.error, file: path, message: "not a regular file (a FIFO, socket or device)", rule: "input"))
        }
        guard Int(info.st_size) <= limits.maxFileBytes else { return .failure(tooLarge(path, limits)) }
        let descriptor = file.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            return .failure(Diagnostic(.error, file: path, message: "cannot open: \(String(cString: strerror(errno)))", rule: "input"))
        }
        defer { close(descriptor) }
        switch readToEnd(descriptor, sizeHint: Int(info.st_size), cap: limits.maxFileBytes) {
        case .success(let bytes): return .success(bytes)
        case .failure(.tooLarge): return .failure(tooLarge(path, limits))
        case .failure(.system(let code)):
            return .failure(Diagnostic(.error, file: path, message: "cannot read: \(String(cString: strerror(code)))", rule: "input"))
        }
    }

    /// Why `readToEnd` stopped.
    package enum ReadFailure: Error, CustomStringConvertible {
        /// More than the cap: the reading stopped one byte past it.
        case tooLarge
        /// The system's error number.
        case system(Int32)

        package var description: String {
            switch self {
            case .tooLarge: "too large"
            case .system(let code): String(cString: strerror(code))
            }
        }
    }

    /// Reads a descriptor to its end (a file, or standard input), through interruptions; more than `cap` bytes is
    /// `.tooLarge`. `sizeHint` is the size expected (a file's size at `stat`): the buffer starts one byte past it,
    /// so that a file that grew since is still caught.
    package static func readToEnd(_ descriptor: Int32, sizeHint: Int = 0, cap: Int = Int.max - 1) -> Result<[UInt8], ReadFailure> {
        var bytes = [UInt8](repeating: 0, count: Swift.min(Swift.max(sizeHint, 0), cap) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard bytes.count <= cap else { return .failure(.tooLarge) }
                // `cap - count + 1`, not `cap + 1 - count`: the cap may be Int.max - 1.
                let room = cap - bytes.count + 1
                bytes.append(contentsOf: repeatElement(0, count: Swift.min(Swift.max(bytes.count, 4096), room)))
            }
            let readCount = bytes.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress.map { $0 + count }, raw.count - count)
            }
            if readCount < 0 {
                if errno == EINTR { continue }
                return .failure(.system(errno))
            }
            if readCount == 0 { break }
            count += readCount
        }
        guard count <= cap else { return .failure(.tooLarge) }
        bytes.removeLast(bytes.count - count)
        return .success(bytes)
    }

    /// Collects the metrics, series and parameters files below a folder in path order; each file's folder
    /// (relative) is its step, a series file's the folder above its `plots/metrics/`.
    private static func walk(
        folder: FilePath, limits: InputLimits, into inputs: inout [InputFile], diagnostics: inout [Diagnostic]
    ) {
        var files: [(relative: String, path: FilePath, kind: InputKind, step: String)] = []
        var skipped: [FilePath] = []
        var unlistable: [Diagnostic] = []
        listFiles(in: folder, relative: "", root: folder.description, into: &files, skipped: &skipped, unlistable: &unlistable)
        diagnostics += unlistable
        if !unlistable.isEmpty { return }
        // Files the walk does not read are said, so that none vanishes in silence (the first few by name).
        let shown = skipped.sorted { $0.description < $1.description }
        for file in shown.prefix(maxSkippedNotes) {
            diagnostics.append(Diagnostic(.note, file: file.description, message: "skipped: not a file kfpm reads (metrics *.json, *.tgz, *.tar.gz; dvclive plots/metrics/**.tsv; params.yaml)"))
        }
        if shown.count > maxSkippedNotes {
            diagnostics.append(
                Diagnostic(.note, file: folder.description, message: "skipped \(shown.count - maxSkippedNotes) more files that kfpm does not read"))
        }
        if files.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .error, file: folder.description,
                    message: "the folder holds no metrics files (*.json, *.tgz, *.tar.gz)", rule: "input"))
        }
        for file in files.sorted(by: { $0.relative < $1.relative }) {
            switch readFile(file.path, limits: limits) {
            case .success(let bytes):
                inputs.append(
                    InputFile(path: file.path.description, folder: file.step, bytes: bytes, foundInFolder: true, kind: file.kind))
            case .failure(let diagnostic):
                diagnostics.append(diagnostic)
            }
        }
    }

    /// Adds the files to read below `folder` (with their paths relative to the walk's start, as shown), skipping
    /// hidden entries and following no links to folders. A folder that cannot be listed is an error: a folder
    /// skipped in silence would store part of an invocation.
    private static func listFiles(
        in folder: FilePath, relative: String, root: String,
        into files: inout [(relative: String, path: FilePath, kind: InputKind, step: String)], skipped: inout [FilePath],
        unlistable: inout [Diagnostic]
    ) {
        switch FolderListing.entries(of: folder, followingLinks: false) {
        case .failure(let failure):
            unlistable.append(
                Diagnostic(
                    .error, file: folder.description, message: "cannot list the folder: \(failure.reason)", rule: "input"))
        case .success(let entries):
            for entry in entries {
                let child = relative.isEmpty ? entry.name.shown : relative + "/" + entry.name.shown
                if entry.isFolder {
                    listFiles(
                        in: folder.appending(entry.name), relative: child, root: root, into: &files, skipped: &skipped,
                        unlistable: &unlistable)
                } else if let found = InputKind.ofFound(child, root: root) {
                    files.append((child, folder.appending(entry.name), found.kind, found.step))
                } else {
                    skipped.append(folder.appending(entry.name))
                }
            }
        }
    }
}
